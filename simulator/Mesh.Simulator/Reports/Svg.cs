using System.Globalization;
using System.Text;

namespace Mesh.Simulator.Reports
{
    /// <summary>A minimal SVG writer: the few elements the reports need, invariant number formatting, escaped text.</summary>
    public sealed class Svg
    {
        private readonly StringBuilder _sb = new();

        public Svg(double width, double height)
        {
            _sb.Append(CultureInfo.InvariantCulture,
                $"<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"{width:0}\" height=\"{height:0}\" viewBox=\"0 0 {width:0} {height:0}\" font-family=\"Helvetica, Arial, sans-serif\">\n");
            _sb.Append(CultureInfo.InvariantCulture, $"<rect width=\"{width:0}\" height=\"{height:0}\" fill=\"#ffffff\"/>\n");
        }

        public static string F(double v) => v.ToString("0.##", CultureInfo.InvariantCulture);

        public Svg Line(double x1, double y1, double x2, double y2, string stroke, double width = 1, double opacity = 1, string? dash = null)
        {
            _sb.Append($"<line x1=\"{F(x1)}\" y1=\"{F(y1)}\" x2=\"{F(x2)}\" y2=\"{F(y2)}\" stroke=\"{stroke}\" stroke-width=\"{F(width)}\"");
            if (opacity < 1)
            {
                _sb.Append($" stroke-opacity=\"{F(opacity)}\"");
            }

            if (dash != null)
            {
                _sb.Append($" stroke-dasharray=\"{dash}\"");
            }

            _sb.Append("/>\n");
            return this;
        }

        public Svg Circle(double cx, double cy, double r, string fill, string stroke = "none", double strokeWidth = 0, string? title = null)
        {
            _sb.Append($"<circle cx=\"{F(cx)}\" cy=\"{F(cy)}\" r=\"{F(r)}\" fill=\"{fill}\" stroke=\"{stroke}\" stroke-width=\"{F(strokeWidth)}\"");
            if (title == null)
            {
                _sb.Append("/>\n");
            }
            else
            {
                _sb.Append($"><title>{Escape(title)}</title></circle>\n");
            }

            return this;
        }

        public Svg Rect(double x, double y, double w, double h, string fill, string stroke = "none")
        {
            _sb.Append($"<rect x=\"{F(x)}\" y=\"{F(y)}\" width=\"{F(w)}\" height=\"{F(h)}\" fill=\"{fill}\" stroke=\"{stroke}\"/>\n");
            return this;
        }

        public Svg Polyline(string points, string stroke, double width = 2)
        {
            _sb.Append($"<polyline points=\"{points}\" fill=\"none\" stroke=\"{stroke}\" stroke-width=\"{F(width)}\" stroke-linejoin=\"round\"/>\n");
            return this;
        }

        public Svg Text(double x, double y, string text, double size = 12, string anchor = "start", string fill = "#222", string weight = "normal", double rotate = 0)
        {
            string transform = rotate != 0 ? $" transform=\"rotate({F(rotate)} {F(x)} {F(y)})\"" : "";
            _sb.Append($"<text x=\"{F(x)}\" y=\"{F(y)}\" font-size=\"{F(size)}\" text-anchor=\"{anchor}\" fill=\"{fill}\" font-weight=\"{weight}\"{transform}>{Escape(text)}</text>\n");
            return this;
        }

        public override string ToString() => _sb.ToString() + "</svg>\n";

        private static string Escape(string s) => s.Replace("&", "&amp;").Replace("<", "&lt;").Replace(">", "&gt;");
    }
}
