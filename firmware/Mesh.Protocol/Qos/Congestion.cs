namespace Mesh.Protocol.Qos
{
    /// <summary>
    /// PROTOCOL.md, "Congestion control": integer forms of the rules, utilisation u and threshold θ in
    /// permille. Above θ, delays, jitter and the spacing of a node's own periodic frames are multiplied
    /// by 1 + (u − θ)/θ (at most 4), and broadcasts' hop limits are scaled by (1 − u)/(1 − θ), rounded
    /// up, never below the minimum hop limit (nor raised above the frame's own).
    /// </summary>
    public static class Congestion
    {
        public const int MaxFactorPermille = 4000;

        /// <summary>The delay and spacing factor in permille: 1000 at or below the threshold, at most 4000.</summary>
        public static int FactorPermille(int utilisationPermille, int thresholdPermille)
        {
            if (utilisationPermille <= thresholdPermille)
            {
                return 1000;
            }

            long f = 1000 + (long)(utilisationPermille - thresholdPermille) * 1000 / thresholdPermille;
            return f > MaxFactorPermille ? MaxFactorPermille : (int)f;
        }

        /// <summary><paramref name="value"/> × factor / 1000, rounded down, saturating at int.MaxValue.</summary>
        public static int Scale(int value, int factorPermille)
        {
            long v = (long)value * factorPermille / 1000;
            return v > int.MaxValue ? int.MaxValue : (int)v;
        }

        /// <summary>Long form of <see cref="Scale(int,int)"/> for intervals.</summary>
        public static long Scale(long value, int factorPermille)
        {
            return value > long.MaxValue / MaxFactorPermille ? value : value * factorPermille / 1000;
        }

        /// <summary>
        /// max(minHopLimit, ⌈hopLimit × (1000 − u) / (1000 − θ)⌉), and never above hopLimit; hopLimit
        /// itself at or below the threshold.
        /// </summary>
        public static int ScaledHopLimit(int hopLimit, int utilisationPermille, int thresholdPermille, int minHopLimit)
        {
            if (utilisationPermille <= thresholdPermille)
            {
                return hopLimit;
            }

            int u = utilisationPermille > 1000 ? 1000 : utilisationPermille;
            int den = 1000 - thresholdPermille;
            int scaled = (hopLimit * (1000 - u) + den - 1) / den;
            if (scaled < minHopLimit)
            {
                scaled = minHopLimit;
            }

            return scaled > hopLimit ? hopLimit : scaled;
        }
    }
}
