using System;
using System.Collections.Generic;
using Mesh.Simulator.Radio;

namespace Mesh.Simulator.Tests.Support
{
    /// <summary>Small graph algorithms the tests compute independently of the simulator.</summary>
    public static class Graphs
    {
        /// <summary>Unit-disk adjacency: i and j are linked when their distance is at most <paramref name="range"/>.</summary>
        public static List<int>[] UnitDisk(IReadOnlyList<(double X, double Y)> positions, double range)
        {
            int n = positions.Count;
            var g = new List<int>[n];
            for (int i = 0; i < n; i++)
            {
                g[i] = new List<int>();
                for (int j = 0; j < n; j++)
                {
                    double dx = positions[i].X - positions[j].X, dy = positions[i].Y - positions[j].Y;
                    if (i != j && Math.Sqrt(dx * dx + dy * dy) <= range)
                    {
                        g[i].Add(j);
                    }
                }
            }

            return g;
        }

        /// <summary>The simulator's link table as adjacency lists (every modelled link).</summary>
        public static List<int>[] FromLinks(LinkTable links)
        {
            var g = new List<int>[links.NodeCount];
            for (int i = 0; i < g.Length; i++)
            {
                g[i] = new List<int>();
                for (int l = links.RowStart[i]; l < links.RowStart[i + 1]; l++)
                {
                    g[i].Add(links.Target[l]);
                }
            }

            return g;
        }

        /// <summary>Hop distances from <paramref name="source"/>; -1 where unreachable.</summary>
        public static int[] Bfs(IReadOnlyList<IReadOnlyList<int>> g, int source, Func<int, bool>? allowed = null)
        {
            var d = new int[g.Count];
            Array.Fill(d, -1);
            d[source] = 0;
            var queue = new Queue<int>();
            queue.Enqueue(source);
            while (queue.Count > 0)
            {
                int v = queue.Dequeue();
                foreach (int u in g[v])
                {
                    if (d[u] < 0 && (allowed == null || allowed(u)))
                    {
                        d[u] = d[v] + 1;
                        queue.Enqueue(u);
                    }
                }
            }

            return d;
        }

        public static bool IsConnected(IReadOnlyList<IReadOnlyList<int>> g, Func<int, bool>? allowed = null)
        {
            int start = -1;
            for (int i = 0; i < g.Count && start < 0; i++)
            {
                if (allowed == null || allowed(i))
                {
                    start = i;
                }
            }

            if (start < 0)
            {
                return true;
            }

            int[] d = Bfs(g, start, allowed);
            for (int i = 0; i < g.Count; i++)
            {
                if ((allowed == null || allowed(i)) && d[i] < 0)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>True when removing any single vertex leaves the rest connected (and there are at least 3).</summary>
        public static bool IsBiconnected(IReadOnlyList<IReadOnlyList<int>> g)
        {
            if (g.Count < 3 || !IsConnected(g))
            {
                return false;
            }

            for (int removed = 0; removed < g.Count; removed++)
            {
                int r = removed;
                if (!IsConnected(g, v => v != r))
                {
                    return false;
                }
            }

            return true;
        }
    }
}
