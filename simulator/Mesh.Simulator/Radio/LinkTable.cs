using System;
using System.Collections.Generic;

namespace Mesh.Simulator.Radio
{
    /// <summary>
    /// Every node's audible neighbours with their mean RSSI, in compressed rows. Built through a
    /// spatial grid of cells as wide as the longest possible link, so building costs O(N·k) rather than
    /// O(N²), and a transmission visits only the nodes that can hear it.
    /// </summary>
    public sealed class LinkTable
    {
        public int[] RowStart { get; }
        public int[] Target { get; }
        public float[] Rssi { get; }

        /// <summary>The same mean RSSI as received power in mW, for summing interference.</summary>
        public float[] PowerMw { get; }

        /// <summary>The radio's reception probability at each link's mean RSSI (no exponential per frame).</summary>
        public double[] ReceptionProbability { get; }

        private LinkTable(int[] rowStart, int[] target, float[] rssi, RadioModel radio)
        {
            RowStart = rowStart;
            Target = target;
            Rssi = rssi;
            PowerMw = new float[rssi.Length];
            for (int l = 0; l < rssi.Length; l++)
            {
                PowerMw[l] = (float)Math.Pow(10, rssi[l] / 10.0);
            }

            ReceptionProbability = new double[rssi.Length];
            for (int l = 0; l < rssi.Length; l++)
            {
                ReceptionProbability[l] = radio.ReceptionProbability(rssi[l]);
            }
        }

        public int NodeCount => RowStart.Length - 1;

        public int LinkCount => Target.Length;

        public static LinkTable Build(double[] x, double[] y, RadioModel radio)
        {
            int n = x.Length;
            double cell = Math.Max(1.0, radio.MaxRangeMeters);
            double minX = double.MaxValue, minY = double.MaxValue;
            for (int i = 0; i < n; i++)
            {
                minX = Math.Min(minX, x[i]);
                minY = Math.Min(minY, y[i]);
            }

            var cells = new Dictionary<(int, int), List<int>>();
            var cellOf = new (int, int)[n];
            for (int i = 0; i < n; i++)
            {
                var key = ((int)((x[i] - minX) / cell), (int)((y[i] - minY) / cell));
                cellOf[i] = key;
                if (!cells.TryGetValue(key, out var list))
                {
                    cells[key] = list = new List<int>();
                }

                list.Add(i);
            }

            var rowStart = new int[n + 1];
            var targets = new List<int>();
            var rssis = new List<float>();
            for (int i = 0; i < n; i++)
            {
                rowStart[i] = targets.Count;
                var (cx, cy) = cellOf[i];
                for (int dx = -1; dx <= 1; dx++)
                {
                    for (int dy = -1; dy <= 1; dy++)
                    {
                        if (!cells.TryGetValue((cx + dx, cy + dy), out var list))
                        {
                            continue;
                        }

                        foreach (int j in list)
                        {
                            if (j == i)
                            {
                                continue;
                            }

                            double d = Math.Sqrt((x[i] - x[j]) * (x[i] - x[j]) + (y[i] - y[j]) * (y[i] - y[j]));
                            double r = radio.LinkRssi(i, j, d);
                            if (!double.IsNaN(r))
                            {
                                targets.Add(j);
                                rssis.Add((float)r);
                            }
                        }
                    }
                }

                // Rows sorted by target so that runs do not depend on dictionary order.
                SortRow(targets, rssis, rowStart[i], targets.Count);
            }

            rowStart[n] = targets.Count;
            return new LinkTable(rowStart, targets.ToArray(), rssis.ToArray(), radio);
        }

        private static void SortRow(List<int> targets, List<float> rssis, int from, int to)
        {
            int count = to - from;
            if (count < 2)
            {
                return;
            }

            var keys = targets.GetRange(from, count).ToArray();
            var values = rssis.GetRange(from, count).ToArray();
            Array.Sort(keys, values);
            for (int k = 0; k < count; k++)
            {
                targets[from + k] = keys[k];
                rssis[from + k] = values[k];
            }
        }

        /// <summary>Adjacency of links whose reception probability is at least <paramref name="minProbability"/>.</summary>
        public List<int>[] Graph(RadioModel radio, double minProbability)
        {
            int n = NodeCount;
            var g = new List<int>[n];
            for (int i = 0; i < n; i++)
            {
                g[i] = new List<int>();
                for (int l = RowStart[i]; l < RowStart[i + 1]; l++)
                {
                    if (radio.ReceptionProbability(Rssi[l]) >= minProbability)
                    {
                        g[i].Add(Target[l]);
                    }
                }
            }

            return g;
        }
    }
}
