using System;
using System.Collections.Generic;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Engine
{
    /// <summary>Which nodes are the gateways: the scenario's list, one per grid cell, or the node nearest the centre.</summary>
    public static class SinkPlacement
    {
        public static int[] Choose(Scenario s, double[] x, double[] y)
        {
            if (s.Roles.Sinks.Count > 0)
            {
                return s.Roles.Sinks.ToArray();
            }

            if (s.Roles.SinkGridMeters > 0)
            {
                return Grid(s.Roles.SinkGridMeters, x, y);
            }

            double cx = 0, cy = 0;
            for (int i = 0; i < x.Length; i++)
            {
                cx += x[i];
                cy += y[i];
            }

            cx /= x.Length;
            cy /= y.Length;
            int best = 0;
            double bestD = double.MaxValue;
            for (int i = 0; i < x.Length; i++)
            {
                double d = (x[i] - cx) * (x[i] - cx) + (y[i] - cy) * (y[i] - cy);
                if (d < bestD)
                {
                    bestD = d;
                    best = i;
                }
            }

            return new[] { best };
        }

        /// <summary>One gateway per grid cell: the node nearest each cell's centre.</summary>
        private static int[] Grid(double cell, double[] x, double[] y)
        {
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            for (int i = 0; i < x.Length; i++)
            {
                minX = Math.Min(minX, x[i]);
                minY = Math.Min(minY, y[i]);
                maxX = Math.Max(maxX, x[i]);
                maxY = Math.Max(maxY, y[i]);
            }

            var chosen = new List<int>();
            for (double cy = minY + cell / 2; cy < maxY + cell / 2; cy += cell)
            {
                for (double cx = minX + cell / 2; cx < maxX + cell / 2; cx += cell)
                {
                    int best = -1;
                    double bestD = double.MaxValue;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double d = (x[i] - cx) * (x[i] - cx) + (y[i] - cy) * (y[i] - cy);
                        if (d < bestD)
                        {
                            bestD = d;
                            best = i;
                        }
                    }

                    if (!chosen.Contains(best))
                    {
                        chosen.Add(best);
                    }
                }
            }

            return chosen.ToArray();
        }
    }
}
