using System;

namespace Mesh.Simulator.Reports
{
    /// <summary>Colour scales shared by the pictures: link quality red→green, load light→dark blue.</summary>
    public static class Palette
    {
        /// <summary>0 → red, 0.5 → amber, 1 → green.</summary>
        public static string Quality(double t)
        {
            t = Math.Clamp(t, 0, 1);
            (double r, double g, double b) = t < 0.5
                ? Lerp((214, 39, 40), (255, 165, 0), t * 2)
                : Lerp((255, 165, 0), (44, 160, 44), (t - 0.5) * 2);
            return Hex(r, g, b);
        }

        /// <summary>0 → pale, 1 → deep blue.</summary>
        public static string Load(double t)
        {
            var (r, g, b) = Lerp((222, 235, 247), (8, 48, 107), Math.Clamp(t, 0, 1));
            return Hex(r, g, b);
        }

        public const string Sink = "#d62728";
        public const string Adversary = "#111111";
        public const string Axis = "#444444";
        public const string Grid = "#e5e5e5";
        public static readonly string[] Series = { "#1f77b4", "#ff7f0e", "#2ca02c", "#9467bd", "#8c564b" };

        private static (double, double, double) Lerp((double, double, double) a, (double, double, double) b, double t) =>
            (a.Item1 + (b.Item1 - a.Item1) * t, a.Item2 + (b.Item2 - a.Item2) * t, a.Item3 + (b.Item3 - a.Item3) * t);

        private static string Hex(double r, double g, double b) => $"#{(int)r:x2}{(int)g:x2}{(int)b:x2}";
    }
}
