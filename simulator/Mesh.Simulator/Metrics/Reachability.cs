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
            double[] p = links.ReceptionProbability;
            Reversed(links, out int[] inStart, out int[] from, out int[] link);
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

                for (int k = inStart[u]; k < inStart[u + 1]; k++)
                {
                    int v = from[k];
                    if (p[link[k]] >= minProbability && hops[v] < 0)
                    {
                        hops[v] = hops[u] + 1;
                        queue.Enqueue(v);
                    }
                }
            }

            return hops;
        }

        /// <summary>
        /// The fewest transmissions a reading from each node needs to reach the nearest of <paramref name="sinks"/>
        /// (PositiveInfinity: no path), with nothing lost to collisions: the least expected transmission count
        /// (ETX) over relaying nodes, a link's frame arriving with its reception probability times
        /// (1 − <paramref name="extraLoss"/>). With <paramref name="acknowledged"/> false the acknowledgements
        /// are free and never lost (ETX of the forward direction alone, 1 / q); with it each hop is repeated
        /// until an acknowledgement as lossy as a frame comes back over the reverse link (1 / (q · q_reverse)),
        /// which is what a hop ack or an overheard forward costs. A yardstick for the reading cost: no protocol
        /// that sends frames on this radio does better than the first.
        /// </summary>
        public static double[] EtxToNearest(LinkTable links, IReadOnlyList<int> sinks, bool[] relays, double extraLoss, bool acknowledged)
        {
            int n = links.NodeCount;
            double[] p = links.ReceptionProbability;
            double keep = 1 - extraLoss;

            Reversed(links, out int[] inStart, out int[] from, out int[] link);
            var weight = new double[link.Length];
            for (int k = 0; k < link.Length; k++)
            {
                int l = link[k];
                double q = p[l] * keep;
                if (acknowledged)
                {
                    q *= ReverseProbability(links, from[k], links.Target[l]) * keep;
                }

                weight[k] = q > 0 ? 1 / q : double.PositiveInfinity;
            }

            var cost = new double[n];
            Array.Fill(cost, double.PositiveInfinity);
            var queue = new PriorityQueue<int, double>();
            foreach (int s in sinks)
            {
                cost[s] = 0;
                queue.Enqueue(s, 0);
            }

            while (queue.TryDequeue(out int u, out double c))
            {
                if (c > cost[u] || (c > 0 && !relays[u]))
                {
                    continue; // stale, or a node that sends its own readings but carries nobody else's
                }

                for (int k = inStart[u]; k < inStart[u + 1]; k++)
                {
                    int v = from[k];
                    double through = c + weight[k];
                    if (through < cost[v])
                    {
                        cost[v] = through;
                        queue.Enqueue(v, through);
                    }
                }
            }

            return cost;
        }

        /// <summary>
        /// The link table reversed, in compressed rows: for each node u, the nodes that can be heard by it,
        /// from[start[u]] … from[start[u + 1] − 1], each with the index of its link (links may be asymmetric).
        /// </summary>
        private static void Reversed(LinkTable links, out int[] start, out int[] from, out int[] link)
        {
            int n = links.NodeCount;
            start = new int[n + 1];
            for (int l = 0; l < links.Target.Length; l++)
            {
                start[links.Target[l] + 1]++;
            }

            for (int i = 0; i < n; i++)
            {
                start[i + 1] += start[i];
            }

            from = new int[links.Target.Length];
            link = new int[links.Target.Length];
            var fill = (int[])start.Clone();
            for (int v = 0; v < n; v++)
            {
                for (int l = links.RowStart[v]; l < links.RowStart[v + 1]; l++)
                {
                    int k = fill[links.Target[l]]++;
                    from[k] = v;
                    link[k] = l;
                }
            }
        }

        /// <summary>Reception probability of the link from <paramref name="to"/> back to <paramref name="from"/> (0: none).</summary>
        private static double ReverseProbability(LinkTable links, int from, int to)
        {
            for (int l = links.RowStart[to]; l < links.RowStart[to + 1]; l++)
            {
                if (links.Target[l] == from)
                {
                    return links.ReceptionProbability[l];
                }
            }

            return 0;
        }
    }
}
