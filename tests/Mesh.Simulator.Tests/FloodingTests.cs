using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// Pure flooding over an ideal channel (unit disk, no loss, collisions off) on a 7 × 7 grid whose
    /// unit-disk graph is the 4-neighbour lattice: the textbook case, where the answers are known exactly.
    /// </summary>
    public class FloodingTests
    {
        private const int Side = 7;
        private const int N = Side * Side;
        private const double Range = 10.5;

        private static string Grid(int jitterMs, double bitrateBps, bool csma) => $$"""
        {
          "name": "flooding-grid-7x7",
          "seed": 3,
          "durationSeconds": 240,
          "drainSeconds": 0,
          "network": { "hopLimit": 32 },
          "topology": { "kind": "grid", "nodes": {{N}}, "spacingMeters": 10 },
          "radio": { "model": "unitDisk", "rangeMeters": {{Range}}, "collisions": false, "csma": {{(csma ? "true" : "false")}}, "bitrateBps": {{bitrateBps}} },
          "policy": { "kind": "flooding", "jitterMs": {{jitterMs}} },
          "workload": { "readingIntervalSeconds": 0, "broadcastIntervalSeconds": 10, "commandIntervalSeconds": 0, "heartbeatIntervalSeconds": 100000000 }
        }
        """;

        /// <summary>What happened to each broadcast: transmissions and first-delivery hops per node index.</summary>
        private sealed class Observed
        {
            public readonly Dictionary<(uint Origin, uint Sequence), int[]> Transmissions = new();
            public readonly Dictionary<(uint Origin, uint Sequence), int[]> Hops = new();
            public RunResult Result = null!;
            public Simulation Simulation = null!;
        }

        private static Observed Run(string json)
        {
            var o = new Observed();
            var sim = new Simulation(Runs.Parse(json));
            o.Simulation = sim;
            sim.FrameTransmitted = (node, bytes, length, _) =>
            {
                FrameHeader h = Frames.Header(bytes, length);
                if (h.Type == MessageType.Text)
                {
                    var key = (h.Origin, h.Sequence);
                    if (!o.Transmissions.TryGetValue(key, out int[]? counts))
                    {
                        o.Transmissions[key] = counts = new int[N];
                    }

                    counts[node.Index]++;
                }
            };
            sim.MessageDelivered = (node, e, _) =>
            {
                if (e.Type == MessageType.Text && e.Destination == NodeAddress.Broadcast)
                {
                    var key = (e.Origin, e.Sequence);
                    if (!o.Hops.TryGetValue(key, out int[]? hops))
                    {
                        o.Hops[key] = hops = Enumerable.Repeat(-1, N).ToArray();
                    }

                    Assert.Equal(-1, hops[node.Index]); // delivered once per node
                    hops[node.Index] = e.HopsTaken + 1; // hops the copy travelled to reach this node
                }
            };
            o.Result = sim.Run();
            return o;
        }

        [Fact]
        public void The_unit_disk_links_are_exactly_the_pairs_within_range()
        {
            var sim = new Simulation(Runs.Parse(Grid(8, 1_000_000, true)));
            var positions = sim.Nodes.Select(n => (n.X, n.Y)).ToList();
            List<int>[] expected = Graphs.UnitDisk(positions, Range);
            List<int>[] actual = Graphs.FromLinks(sim.Links);
            for (int i = 0; i < N; i++)
            {
                Assert.Equal(expected[i], actual[i]);
            }

            // 7 × 7 lattice: 2 · 7 · 6 undirected edges.
            Assert.Equal(2 * 2 * Side * (Side - 1), sim.Links.LinkCount);
        }

        [Fact]
        public void Every_broadcast_reaches_every_node_with_exactly_one_transmission_per_node()
        {
            Observed o = Run(Grid(8, 1_000_000, true));

            Assert.True(o.Result.Broadcasts.Sent >= 15, $"{o.Result.Broadcasts.Sent} broadcasts");
            Assert.Equal(o.Result.Broadcasts.Sent, o.Transmissions.Count);
            foreach (var (key, counts) in o.Transmissions)
            {
                int origin = (int)key.Origin - 1;
                Assert.All(counts, c => Assert.Equal(1, c)); // the origin once, every other node one relay
                int[] hops = o.Hops[key];
                for (int i = 0; i < N; i++)
                {
                    Assert.True(i == origin ? hops[i] == -1 : hops[i] > 0, $"broadcast {key}: node {i} (origin {origin}) hops {hops[i]}");
                }
            }

            Assert.Equal(1.0, o.Result.Broadcasts.DeliveryRatio);
            Assert.Equal(o.Result.Broadcasts.Sent * (N - 1), o.Result.Broadcasts.Delivered);
            Assert.Equal(o.Result.Broadcasts.Sent * N, o.Result.Broadcasts.Transmissions);
            Assert.Equal(0, o.Result.CollidedArrivals);
            Assert.Equal(0, o.Result.LostToChannel);
            Assert.Equal(0, o.Result.LostToHalfDuplex);
        }

        [Fact]
        public void Hops_at_first_reception_equal_breadth_first_distances()
        {
            // No jitter, no carrier sense, and a slow bitrate, so every hop takes one airtime (~7.6 ms)
            // plus a 50–350 µs backoff: a longer path can never overtake a shorter one (that would need
            // the backoffs to differ by a whole airtime), and the copy a node accepts first is the one
            // that came the shortest way. With random jitter this need not hold.
            Observed o = Run(Grid(0, 100_000, false));
            var positions = o.Simulation.Nodes.Select(n => (n.X, n.Y)).ToList();
            List<int>[] graph = Graphs.UnitDisk(positions, Range);

            Assert.True(o.Hops.Count >= 15, $"{o.Hops.Count} broadcasts");
            var origins = new HashSet<int>();
            int maxDistance = 0;
            foreach (var (key, hops) in o.Hops)
            {
                int origin = (int)key.Origin - 1;
                origins.Add(origin);
                int[] bfs = Graphs.Bfs(graph, origin);
                for (int i = 0; i < N; i++)
                {
                    if (i != origin)
                    {
                        Assert.True(bfs[i] == hops[i], $"broadcast from node {origin}: node {i} is {bfs[i]} hops away but received after {hops[i]}");
                        maxDistance = System.Math.Max(maxDistance, hops[i]);
                    }
                }

                Assert.All(o.Transmissions[key], c => Assert.Equal(1, c));
            }

            Assert.True(origins.Count >= 8, $"broadcasts from {origins.Count} distinct nodes");
            Assert.True(maxDistance >= 8, $"longest path observed {maxDistance} hops");
        }
    }
}
