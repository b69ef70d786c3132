using System.Collections.Generic;

namespace Mesh.Simulator.Metrics
{
    /// <summary>
    /// Greedy connected dominating set (Guha and Khuller 1998, algorithm I): grow a tree of black nodes
    /// from the highest-degree node, each time blackening the grey node that covers the most white ones.
    /// A broadcast needs at least |CDS| transmissions in a connected graph (the relays must dominate and
    /// be connected), so transmissions/|CDS| is how far a forwarding policy is from that practical bound.
    /// Disconnected graphs get one tree per component.
    /// </summary>
    public static class ConnectedDominatingSet
    {
        public static int GreedySize(IReadOnlyList<IReadOnlyList<int>> graph, bool[]? include = null)
        {
            // Rows copied to arrays once: the greedy loop visits every grey node's row at every step,
            // and a foreach over IReadOnlyList<int> boxes an enumerator each time (at 10,000 nodes that
            // was ~445 MB of garbage and ~5 s of CPU at the end of every bench run).
            int n = graph.Count;
            var rows = new int[n][];
            for (int i = 0; i < n; i++)
            {
                IReadOnlyList<int> row = graph[i];
                rows[i] = new int[row.Count];
                for (int k = 0; k < row.Count; k++)
                {
                    rows[i][k] = row[k];
                }
            }

            return GreedySize(rows, include);
        }

        private static int GreedySize(int[][] graph, bool[]? include)
        {
            int n = graph.Length;
            // 0 white, 1 grey, 2 black, 3 excluded
            var colour = new int[n];
            for (int i = 0; i < n; i++)
            {
                if (include != null && !include[i])
                {
                    colour[i] = 3;
                }
            }

            int size = 0;
            while (true)
            {
                // Start a new component at its highest-degree white node.
                int start = -1;
                int bestDegree = -1;
                for (int i = 0; i < n; i++)
                {
                    if (colour[i] == 0)
                    {
                        int d = WhiteNeighbours(graph, colour, i);
                        if (d > bestDegree)
                        {
                            bestDegree = d;
                            start = i;
                        }
                    }
                }

                if (start < 0)
                {
                    return size;
                }

                if (bestDegree == 0)
                {
                    colour[start] = 2; // isolated node: it alone dominates itself, but needs no transmission
                    continue;
                }

                Blacken(graph, colour, start);
                size++;
                while (true)
                {
                    int pick = -1;
                    int gain = 0;
                    for (int i = 0; i < n; i++)
                    {
                        if (colour[i] == 1)
                        {
                            int g = WhiteNeighbours(graph, colour, i);
                            if (g > gain)
                            {
                                gain = g;
                                pick = i;
                            }
                        }
                    }

                    if (pick < 0)
                    {
                        break;
                    }

                    Blacken(graph, colour, pick);
                    size++;
                }
            }
        }

        private static void Blacken(int[][] graph, int[] colour, int v)
        {
            colour[v] = 2;
            foreach (int u in graph[v])
            {
                if (colour[u] == 0)
                {
                    colour[u] = 1;
                }
            }
        }

        private static int WhiteNeighbours(int[][] graph, int[] colour, int v)
        {
            int c = 0;
            foreach (int u in graph[v])
            {
                if (colour[u] == 0)
                {
                    c++;
                }
            }

            return c;
        }
    }
}
