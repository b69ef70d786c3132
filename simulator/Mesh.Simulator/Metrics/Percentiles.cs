using System;
using System.Collections.Generic;

namespace Mesh.Simulator.Metrics
{
    public static class Percentiles
    {
        /// <summary>Nearest-rank percentile (0..100) of the values; NaN for none.</summary>
        public static double Of(List<double> sorted, double percentile)
        {
            if (sorted.Count == 0)
            {
                return double.NaN;
            }

            int rank = (int)Math.Ceiling(percentile / 100.0 * sorted.Count);
            return sorted[Math.Clamp(rank - 1, 0, sorted.Count - 1)];
        }
    }
}
