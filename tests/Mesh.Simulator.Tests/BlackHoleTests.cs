using System;
using System.Collections.Generic;
using System.Linq;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>Black holes join the mesh and swallow what they should relay; redundancy routes around them.</summary>
    public class BlackHoleTests
    {
        // A 6 × 6 lattice (every node hears its four neighbours) is 2-connected: no single node cuts it.
        // 20 % extra loss per reception (and collisions) makes path redundancy matter, so losing relays shows.
        private static string Scenario(string adversaries) => $$"""
        {
          "name": "blackholes-36",
          "seed": 4,
          "durationSeconds": 900,
          "topology": { "kind": "grid", "nodes": 36, "spacingMeters": 10 },
          "radio": { "model": "unitDisk", "rangeMeters": 10.5, "extraLossRate": 0.2 },
          "policy": { "kind": "flooding" },
          "roles": { "sinks": [14] },
          "workload": { "readingIntervalSeconds": 30, "broadcastIntervalSeconds": 0, "commandIntervalSeconds": 0, "heartbeatIntervalSeconds": 120 },
          "adversaries": [{{adversaries}}]
        }
        """;

        // Two of the gateway's four neighbours, and one node on the far side.
        private static readonly int[] Holes = { 8, 15, 27 };

        [Fact]
        public void Black_holes_reduce_but_do_not_stop_delivery_on_a_two_connected_topology()
        {
            var honestSim = new Simulation(Runs.Parse(Scenario("")));
            List<int>[] graph = Graphs.FromLinks(honestSim.Links);
            Assert.True(Graphs.IsBiconnected(graph), "the topology must be 2-connected");
            Assert.True(Graphs.IsConnected(graph, v => !Holes.Contains(v)), "the honest nodes stay connected around the black holes");
            RunResult honest = honestSim.Run();

            var sim = new Simulation(Runs.Parse(Scenario($$"""{ "kind": "blackhole", "nodes": [{{string.Join(", ", Holes)}}] }""")));
            Assert.All(Holes, i => Assert.Equal(NodeBehaviour.BlackHole, sim.Nodes[i].Behaviour));
            long holeRelays = 0, holeReceptions = 0;
            sim.FrameTransmitted = (node, bytes, length, _) =>
            {
                if (node.Behaviour == NodeBehaviour.BlackHole && Frames.Header(bytes, length).Origin != node.Id)
                {
                    holeRelays++;
                }
            };
            RunResult attacked = sim.Run();
            holeReceptions = Holes.Sum(i => sim.Nodes[i].Receptions);

            string summary = $"honest {honest.Readings.Delivered}/{honest.Readings.Sent} ({honest.Readings.DeliveryRatio}), "
                + $"with black holes {attacked.Readings.Delivered}/{attacked.Readings.Sent} ({attacked.Readings.DeliveryRatio})";
            Assert.True(holeReceptions > 0, "the black holes hear the traffic");
            Assert.Equal(0, holeRelays);
            Assert.True(attacked.Readings.DeliveryRatio <= honest.Readings.DeliveryRatio, summary);
            Assert.True(attacked.Readings.DeliveryRatio > 0.5, summary);
            Assert.True(attacked.Readings.Sent > 500, summary);
        }
        [Fact]
        public void Broadcast_coverage_counts_only_deliveries_at_honest_nodes()
        {
            // A 5 × 5 lattice whose centre node (12) is walled in by four black holes: its broadcasts reach
            // only them, and nobody else's reach it. Coverage is the share of the other live honest nodes
            // reached (the denominator counts honest nodes only), so black holes must not count as reached.
            const string Walled = """
            {
              "name": "walled-centre-25",
              "seed": 3,
              "durationSeconds": 600,
              "drainSeconds": 0,
              "topology": { "kind": "grid", "nodes": 25, "spacingMeters": 10 },
              "radio": { "model": "unitDisk", "rangeMeters": 10.5, "collisions": false },
              "policy": { "kind": "flooding" },
              "workload": { "readingIntervalSeconds": 0, "broadcastIntervalSeconds": 10, "commandIntervalSeconds": 0, "heartbeatIntervalSeconds": 100000000 },
              "adversaries": [ { "kind": "blackhole", "nodes": [7, 11, 13, 17] } ]
            }
            """;
            var sim = new Simulation(Runs.Parse(Walled));
            int honestNodes = sim.Nodes.Count(n => n.Behaviour == NodeBehaviour.Honest);
            var reached = new Dictionary<(uint, uint), int>();
            sim.FrameTransmitted = (node, bytes, length, _) =>
            {
                var h = Frames.Header(bytes, length);
                if (h.Type == Mesh.Protocol.Wire.MessageType.Text && h.Origin == node.Id && h.HopsTaken == 0)
                {
                    reached.TryAdd((h.Origin, h.Sequence), 0);
                }
            };
            sim.MessageDelivered = (node, e, _) =>
            {
                if (e.Type == Mesh.Protocol.Wire.MessageType.Text && node.Behaviour == NodeBehaviour.Honest)
                {
                    reached[(e.Origin, e.Sequence)]++;
                }
            };
            RunResult r = sim.Run();

            Assert.Equal(21, honestNodes);
            Assert.Equal(r.Broadcasts.Sent, reached.Count);
            Assert.Contains(reached, kv => kv.Key.Item1 == sim.Nodes[12].Id && kv.Value == 0);
            double expected = reached.Values.Average(v => (double)v / (honestNodes - 1));
            Assert.Equal(reached.Values.Sum(), r.Broadcasts.Delivered);
            Assert.Equal(Math.Round(expected, 4), r.Broadcasts.DeliveryRatio);
        }
    }
}
