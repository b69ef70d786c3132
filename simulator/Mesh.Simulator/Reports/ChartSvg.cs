using System;
using System.Collections.Generic;

namespace Mesh.Simulator.Reports
{
    /// <summary>One data series for <see cref="ChartSvg"/>.</summary>
    public sealed record Series(string Name, IReadOnlyList<(double X, double Y)> Points);

    /// <summary>An x–y line chart with axes, ticks, grid, labels and a legend.</summary>
    public static class ChartSvg
    {
        public static string Draw(string title, string xLabel, string yLabel, IReadOnlyList<Series> series,
            double? yMin = null, double? yMax = null, bool step = false)
        {
            double x0 = double.MaxValue, x1 = double.MinValue, y0 = double.MaxValue, y1 = double.MinValue;
            foreach (Series s in series)
            {
                foreach (var (x, y) in s.Points)
                {
                    x0 = Math.Min(x0, x);
                    x1 = Math.Max(x1, x);
                    y0 = Math.Min(y0, y);
                    y1 = Math.Max(y1, y);
                }
            }

            if (x0 > x1)
            {
                x0 = 0;
                x1 = 1;
                y0 = 0;
                y1 = 1;
            }

            y0 = yMin ?? Math.Min(0, y0);
            y1 = yMax ?? (y1 <= y0 ? y0 + 1 : y1 * 1.05);
            if (x1 <= x0)
            {
                x1 = x0 + 1;
            }

            const double width = 720, height = 440, left = 70, right = 30, top = 50, bottom = 60;
            double pw = width - left - right, ph = height - top - bottom;
            double Px(double x) => left + (x - x0) / (x1 - x0) * pw;
            double Py(double y) => top + ph - (y - y0) / (y1 - y0) * ph;

            // The legend goes in the right-hand corner (top or bottom) that hides fewer data points:
            // delivery curves live near the top, cost curves near the bottom.
            double legendHeight = 10 + series.Count * 18;
            int longest = 0;
            foreach (Series s in series)
            {
                longest = Math.Max(longest, s.Name.Length);
            }

            double legendLeft = left + pw - Math.Max(180, 36 + longest * 6.2); // ~6.2 px per character at 11 px
            int Hidden(double from, double to)
            {
                int n = 0;
                foreach (Series s in series)
                {
                    foreach (var (x, y) in s.Points)
                    {
                        double px = Px(x), py = Py(y);
                        if (px >= legendLeft - 10 && py >= from && py <= to)
                        {
                            n++;
                        }
                    }
                }

                return n;
            }

            double legendTop = Hidden(top, top + legendHeight + 8) <= Hidden(top + ph - legendHeight - 8, top + ph) ? top : top + ph - legendHeight - 8;

            var svg = new Svg(width, height);
            svg.Text(left, 30, title, 16, weight: "bold");
            foreach (double t in Ticks(x0, x1))
            {
                svg.Line(Px(t), top, Px(t), top + ph, Palette.Grid);
                svg.Text(Px(t), top + ph + 18, Label(t), 11, "middle");
            }

            foreach (double t in Ticks(y0, y1))
            {
                svg.Line(left, Py(t), left + pw, Py(t), Palette.Grid);
                svg.Text(left - 8, Py(t) + 4, Label(t), 11, "end");
            }

            svg.Line(left, top + ph, left + pw, top + ph, Palette.Axis, 1.2);
            svg.Line(left, top, left, top + ph, Palette.Axis, 1.2);
            svg.Text(left + pw / 2, height - 16, xLabel, 12, "middle");
            svg.Text(18, top + ph / 2, yLabel, 12, "middle", rotate: -90);

            for (int i = 0; i < series.Count; i++)
            {
                string colour = Palette.Series[i % Palette.Series.Length];
                var pts = new System.Text.StringBuilder();
                double? prevY = null;
                foreach (var (x, y) in series[i].Points)
                {
                    if (step && prevY.HasValue)
                    {
                        pts.Append(Svg.F(Px(x))).Append(',').Append(Svg.F(Py(prevY.Value))).Append(' ');
                    }

                    pts.Append(Svg.F(Px(x))).Append(',').Append(Svg.F(Py(y))).Append(' ');
                    prevY = y;
                }

                svg.Polyline(pts.ToString().TrimEnd(), colour);
                if (!step)
                {
                    foreach (var (x, y) in series[i].Points)
                    {
                        svg.Circle(Px(x), Py(y), 3, colour);
                    }
                }

                if (series.Count > 1) // one series: the axis label says it all
                {
                    svg.Line(legendLeft, legendTop + 14 + i * 18, legendLeft + 24, legendTop + 14 + i * 18, colour, 3);
                    svg.Text(legendLeft + 30, legendTop + 18 + i * 18, series[i].Name, 11);
                }
            }

            return svg.ToString();
        }

        private static IEnumerable<double> Ticks(double lo, double hi)
        {
            double range = hi - lo;
            double rough = range / 6;
            double mag = Math.Pow(10, Math.Floor(Math.Log10(rough)));
            double step = rough / mag >= 5 ? 10 * mag : rough / mag >= 2 ? 5 * mag : rough / mag >= 1 ? 2 * mag : mag;
            for (double t = Math.Ceiling(lo / step) * step; t <= hi + step * 1e-9; t += step)
            {
                yield return t;
            }
        }

        private static string Label(double v) =>
            Math.Abs(v) >= 1000 ? v.ToString("0", System.Globalization.CultureInfo.InvariantCulture) : Svg.F(Math.Round(v, 3));
    }
}
