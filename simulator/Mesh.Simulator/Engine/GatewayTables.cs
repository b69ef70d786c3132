using System;
using Mesh.Simulator.Radio;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// How many origins each gateway can ever hear: the nodes within reach of it in either direction
    /// over the link graph, up to one hop past the largest hop limit any node uses (a frame with hop
    /// limit H is relayed by nodes up to H hops from its origin, so it lands up to H + 1 hops away).
    /// A gateway's replay, route and fair-share tables and its duplicate cache are sized to that
    /// rather than to the whole mesh: at 10,000 nodes a mesh-wide gateway held ~3 MB of tables for
    /// origins beyond its hop limit, whose frames can never reach it (64 gateways: ~190 MB, half the
    /// simulation's memory). Only for a static mesh of honest nodes: with mobility the graph changes,
    /// and adversaries may forge any origin and hop limit, so those runs keep mesh-wide tables.
    /// </summary>
    internal static class GatewayTables
    {
        /// <summary>For each node, the number of nodes within <paramref name="hops"/> hops to or from it (itself included); only computed for <paramref name="sinks"/>.</summary>
        public static int[] Audible(LinkTable links, int[] sinks, int hops)
        {
            int n = links.NodeCount;
            int[] rowStart = links.RowStart;
            int[] target = links.Target;

            // Reverse adjacency (who can be heard by whom), so asymmetric links count both ways.
            var inStart = new int[n + 1];
            for (int l = 0; l < target.Length; l++)
            {
                inStart[target[l] + 1]++;
            }

            for (int i = 0; i < n; i++)
            {
                inStart[i + 1] += inStart[i];
            }

            var fill = (int[])inStart.Clone();
            var source = new int[target.Length];
            for (int s = 0; s < n; s++)
            {
                for (int l = rowStart[s]; l < rowStart[s + 1]; l++)
                {
                    source[fill[target[l]]++] = s;
                }
            }

            var result = new int[n];
            var depth = new int[n];
            var queue = new int[n];
            foreach (int sink in sinks)
            {
                Array.Fill(depth, -1);
                int head = 0, tail = 0, reached = 0;
                depth[sink] = 0;
                queue[tail++] = sink;
                while (head < tail)
                {
                    int v = queue[head++];
                    reached++;
                    if (depth[v] == hops)
                    {
                        continue;
                    }

                    for (int l = rowStart[v]; l < rowStart[v + 1]; l++)
                    {
                        Visit(target[l], depth[v] + 1, depth, queue, ref tail);
                    }

                    for (int l = inStart[v]; l < inStart[v + 1]; l++)
                    {
                        Visit(source[l], depth[v] + 1, depth, queue, ref tail);
                    }
                }

                result[sink] = reached;
            }

            return result;
        }

        private static void Visit(int w, int d, int[] depth, int[] queue, ref int tail)
        {
            if (depth[w] < 0)
            {
                depth[w] = d;
                queue[tail++] = w;
            }
        }
    }
}
