using System;
using System.Collections;
using System.Collections.Generic;
using Mesh.Simulator.Radio;

namespace Mesh.Simulator.Metrics
{
    /// <summary>
    /// Breadth-first searches over the link table, for the yardsticks the metrics divide by: which nodes
    /// a broadcast could possibly reach (over every link the table holds, any chance of reception at
    /// all: a node outside that set cannot be reached by any protocol), and how many hops a reading
    /// needs over links a route would use (at least 50 % reception, the graph of the connected
    /// dominating set; with every link, a dense log-distance mesh is one long, unusable hop from its
    /// gateway). Only relaying nodes carry a path on.
    /// </summary>
    public static class Reachability
    {
        /// <summary>
        /// Marks in <paramref name="reached"/> every node within <paramref name="maxHops"/> hops of
        /// <paramref name="origin"/> over links between live nodes, passing on only through nodes that
        /// relay; <paramref name="cut"/> (may be null) says whether a link is cut (partitions).
        /// </summary>
        public static void From(LinkTable links, int origin, int maxHops, bool[] alive, bool[] relays,
            Func<int, int, bool>? cut, BitArray reached)
        {
            int n = links.NodeCount;
            var depth = new int[n];
            Array.Fill(depth, -1);
            var queue = new Queue<int>();
            depth[origin] = 0;
            queue.Enqueue(origin);
            int[] rowStart = links.RowStart;
            int[] target = links.Target;
            while (queue.Count > 0)
            {
                int v = queue.Dequeue();
                if (depth[v] >= maxHops || (v != origin && !relays[v]))
                {
                    continue;
                }

                for (int l = rowStart[v]; l < rowStart[v + 1]; l++)
                {
                    int u = target[l];
                    if (depth[u] >= 0 || !alive[u] || (cut != null && cut(v, u)))
                    {
                        continue;
                    }

                    depth[u] = depth[v] + 1;
                    reached[u] = true;
                    queue.Enqueue(u);
                }
            }
        }

        /// <summary>
        /// Hops from every node to the nearest of <paramref name="sinks"/> (-1: no path) over links whose
        /// reception probability is at least <paramref name="minProbability"/>: a search backwards from
        /// all sinks at once over the reversed links (links may be asymmetric), passing on only through
        /// relaying nodes. The sinks themselves are 0.
        /// </summary>
        public static int[] HopsToNearest(LinkTable links, IReadOnlyList<int> sinks, bool[] relays, double minProbability)
        {
            int n = links.NodeCount;
            // Reverse adjacency in compressed rows: who can be heard by v.
            double[] p = links.ReceptionProbability;
            var inCount = new int[n + 1];
            for (int l = 0; l < links.Target.Length; l++)
            {
                if (p[l] >= minProbability)
                {
                    inCount[links.Target[l] + 1]++;
                }
            }

            for (int i = 0; i < n; i++)
            {
                inCount[i + 1] += inCount[i];
            }

            var from = new int[links.Target.Length];
            var fill = (int[])inCount.Clone();
            for (int v = 0; v < n; v++)
            {
                for (int l = links.RowStart[v]; l < links.RowStart[v + 1]; l++)
                {
                    if (p[l] >= minProbability)
                    {
                        from[fill[links.Target[l]]++] = v;
                    }
                }
            }

            var hops = new int[n];
            Array.Fill(hops, -1);
            var queue = new Queue<int>();
            foreach (int s in sinks)
            {
                if (hops[s] < 0)
                {
                    hops[s] = 0;
                    queue.Enqueue(s);
                }
            }

            while (queue.Count > 0)
            {
                int u = queue.Dequeue();
                if (hops[u] > 0 && !relays[u])
                {
                    continue; // it can send its own readings towards the sink, but carries nobody else's
                }

                for (int k = inCount[u]; k < inCount[u + 1]; k++)
                {
                    int v = from[k];
                    if (hops[v] < 0)
                    {
                        hops[v] = hops[u] + 1;
                        queue.Enqueue(v);
                    }
                }
            }

            return hops;
        }
    }
}
