using System;
using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// The greedy connected dominating set that broadcast cost is reported against
    /// (transmissions per broadcast / |CDS|), checked against exhaustive search on small graphs.
    /// </summary>
    public class ConnectedDominatingSetTests
    {
        private static List<int>[] Undirected(int n, IEnumerable<(int A, int B)> edges)
        {
            var g = Enumerable.Range(0, n).Select(_ => new List<int>()).ToArray();
            foreach (var (a, b) in edges)
            {
                g[a].Add(b);
                g[b].Add(a);
            }

            return g;
        }

        private static int Greedy(List<int>[] g, bool[]? include = null) => ConnectedDominatingSet.GreedySize(g, include);

        /// <summary>A connected G(n, p) graph from the protocol's own PRNG, retried until connected.</summary>
        private static List<int>[] RandomConnected(ulong seed, out int n)
        {
            var random = new XorShiftRandom(seed);
            while (true)
            {
                n = 3 + RandomExtensions.NextBelow(random, 8); // 3..10 nodes
                double p = 0.2 + 0.5 * (random.NextUInt32() / 4294967296.0);
                var edges = new List<(int, int)>();
                for (int i = 0; i < n; i++)
                {
                    for (int j = i + 1; j < n; j++)
                    {
                        if (random.NextUInt32() / 4294967296.0 < p)
                        {
                            edges.Add((i, j));
                        }
                    }
                }

                List<int>[] g = Undirected(n, edges);
                if (Graphs.IsConnected(g))
                {
                    return g;
                }
            }
        }

        private static bool IsConnectedDominating(List<int>[] g, IReadOnlyCollection<int> set)
        {
            var inSet = new bool[g.Length];
            foreach (int v in set)
            {
                inSet[v] = true;
            }

            for (int v = 0; v < g.Length; v++)
            {
                if (!inSet[v] && !g[v].Any(u => inSet[u]))
                {
                    return false; // not dominated
                }
            }

            return set.Count > 0 && Graphs.IsConnected(g, v => inSet[v]);
        }

        /// <summary>The minimum connected dominating set size, by enumerating every subset.</summary>
        private static int MinimumBySearch(List<int>[] g)
        {
            int n = g.Length;
            int best = n;
            for (int mask = 1; mask < 1 << n; mask++)
            {
                int size = System.Numerics.BitOperations.PopCount((uint)mask);
                if (size < best && IsConnectedDominating(g, Enumerable.Range(0, n).Where(v => (mask >> v & 1) != 0).ToList()))
                {
                    best = size;
                }
            }

            return best;
        }

        /// <summary>
        /// The rule ConnectedDominatingSet documents, written out independently here because the class
        /// returns only a size: start at the highest-degree node, then repeatedly blacken the grey node
        /// with the most white neighbours (lowest index on ties).
        /// </summary>
        private static List<int> ReferenceGreedy(List<int>[] g)
        {
            int n = g.Length;
            var colour = new int[n]; // 0 white, 1 grey, 2 black
            int White(int v) => g[v].Count(u => colour[u] == 0);
            void Blacken(int v)
            {
                colour[v] = 2;
                foreach (int u in g[v].Where(u => colour[u] == 0))
                {
                    colour[u] = 1;
                }
            }

            var black = new List<int>();
            int start = Enumerable.Range(0, n).MaxBy(v => (g[v].Count, -v));
            Blacken(start);
            black.Add(start);
            while (true)
            {
                int pick = -1, gain = 0;
                for (int v = 0; v < n; v++)
                {
                    if (colour[v] == 1 && White(v) > gain)
                    {
                        gain = White(v);
                        pick = v;
                    }
                }

                if (pick < 0)
                {
                    return black;
                }

                Blacken(pick);
                black.Add(pick);
            }
        }

        [Fact]
        public void Greedy_cds_on_small_random_connected_graphs_is_valid_and_never_below_the_minimum()
        {
            var rows = new List<string>();
            int worstExcess = 0, optimal = 0;
            for (ulong seed = 1; seed <= 60; seed++)
            {
                List<int>[] g = RandomConnected(seed, out int n);
                int greedy = Greedy(g);
                int minimum = MinimumBySearch(g);
                List<int> set = ReferenceGreedy(g);
                rows.Add($"seed {seed}: n={n} greedy={greedy} min={minimum}");

                Assert.True(set.Count == greedy, $"seed {seed}: reference greedy {set.Count} vs GreedySize {greedy}");
                Assert.True(IsConnectedDominating(g, set), $"seed {seed}: greedy set {{{string.Join(",", set)}}} is not a connected dominating set");
                Assert.True(greedy >= minimum, $"seed {seed}: greedy {greedy} below the minimum {minimum} — impossible for a valid CDS");
                Assert.True(greedy <= 2 * minimum + 1, $"seed {seed}: greedy {greedy} vs minimum {minimum}");
                worstExcess = Math.Max(worstExcess, greedy - minimum);
                optimal += greedy == minimum ? 1 : 0;
            }

            // Single-node greedy has no constant-factor guarantee in general (Guha and Khuller add a
            // two-node look-ahead for their 2(1 + H(Δ)) bound), but on graphs this small it is close:
            // on these 60 it is optimal 55 times and one node over otherwise.
            Assert.True(worstExcess <= 1 && optimal >= 50, $"worst excess {worstExcess}, optimal {optimal}/60:\n" + string.Join("\n", rows));
        }

        [Fact]
        public void Greedy_cds_is_optimal_on_paths_stars_cycles_and_complete_graphs()
        {
            for (int n = 3; n <= 9; n++)
            {
                var path = Undirected(n, Enumerable.Range(0, n - 1).Select(i => (i, i + 1)));
                var star = Undirected(n, Enumerable.Range(1, n - 1).Select(i => (0, i)));
                var cycle = Undirected(n, Enumerable.Range(0, n).Select(i => (i, (i + 1) % n)));
                var complete = Undirected(n, from i in Enumerable.Range(0, n) from j in Enumerable.Range(0, n) where i < j select (i, j));
                Assert.Equal(n - 2, Greedy(path));
                Assert.Equal(1, Greedy(star));
                Assert.Equal(n - 2, Greedy(cycle));
                Assert.Equal(1, Greedy(complete));
                Assert.Equal(MinimumBySearch(path), Greedy(path));
                Assert.Equal(MinimumBySearch(cycle), Greedy(cycle));
            }
        }

        [Fact]
        public void Greedy_cds_counts_one_tree_per_component_and_skips_excluded_nodes()
        {
            // Two disjoint paths of four: two relays each.
            var twoPaths = Undirected(8, new[] { (0, 1), (1, 2), (2, 3), (4, 5), (5, 6), (6, 7) });
            Assert.Equal(4, Greedy(twoPaths));

            // Excluding the middle of a 7-node path leaves two 3-node paths: one relay each.
            var path = Undirected(7, Enumerable.Range(0, 6).Select(i => (i, i + 1)));
            var include = Enumerable.Range(0, 7).Select(i => i != 3).ToArray();
            Assert.Equal(5, Greedy(path));
            Assert.Equal(2, Greedy(path, include));

            // Isolated nodes need no transmission.
            Assert.Equal(0, Greedy(Undirected(3, Array.Empty<(int, int)>())));
        }
    }
}
