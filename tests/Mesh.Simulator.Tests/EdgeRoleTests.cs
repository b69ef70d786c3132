using System.Collections.Generic;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>An edge node consumes traffic and originates its own, but never relays.</summary>
    public class EdgeRoleTests
    {
        // A line of 7 (each node hears only its neighbours), the gateway at one end and an edge node in
        // the middle: node 3 is a cut vertex, so if it relayed anything, it would show on the far side.
        private const string Line = """
        {
          "name": "edge-line-7",
          "seed": 9,
          "durationSeconds": 600,
          "topology": { "kind": "line", "nodes": 7, "spacingMeters": 10 },
          "radio": { "model": "unitDisk", "rangeMeters": 10.5 },
          "policy": { "kind": "flooding" },
          "roles": { "sinks": [0], "edges": [3] },
          "workload": { "readingIntervalSeconds": 15, "broadcastIntervalSeconds": 10, "commandIntervalSeconds": 0, "heartbeatIntervalSeconds": 30 }
        }
        """;

        private const int Edge = 3;

        [Fact]
        public void An_edge_node_transmits_only_frames_it_originated()
        {
            var sim = new Simulation(Runs.Parse(Line));
            Assert.Equal(NodeRole.Edge, sim.Nodes[Edge].Role);

            var edgeFrames = new List<FrameHeader>();
            long othersRelayed = 0;
            sim.FrameTransmitted = (node, bytes, length, _) =>
            {
                FrameHeader h = Frames.Header(bytes, length);
                if (node.Index == Edge)
                {
                    edgeFrames.Add(h);
                }
                else if (h.Origin != node.Id)
                {
                    othersRelayed++;
                }
            };
            var deliveredToEdge = new HashSet<uint>();
            var crossed = new List<string>();
            var readingOriginsAtSink = new HashSet<int>();
            sim.MessageDelivered = (node, e, _) =>
            {
                int origin = (int)e.Origin - 1;
                if (node.Index == Edge)
                {
                    deliveredToEdge.Add(e.Origin);
                }

                if (e.Type == MessageType.Text && origin != Edge && node.Index != Edge && (origin < Edge) != (node.Index < Edge))
                {
                    crossed.Add($"broadcast from node {origin} delivered at node {node.Index}");
                }

                if (e.Type == MessageType.Readings && node.Index == 0)
                {
                    readingOriginsAtSink.Add(origin);
                }
            };

            var result = sim.Run();

            Assert.NotEmpty(edgeFrames); // it did speak (heartbeats, its own broadcasts)
            Assert.All(edgeFrames, h =>
            {
                Assert.Equal(sim.Nodes[Edge].Id, h.Origin);
                Assert.Equal(0, h.HopsTaken);
            });
            Assert.True(sim.Nodes[Edge].Receptions > 100, $"the edge node heard {sim.Nodes[Edge].Receptions} frames");
            Assert.Contains(sim.Nodes[Edge - 1].Id, deliveredToEdge); // it consumes traffic from both sides
            Assert.Contains(sim.Nodes[Edge + 1].Id, deliveredToEdge);
            Assert.True(othersRelayed > 0, "the other nodes do relay");
            Assert.Empty(crossed);

            // Readings from beyond the edge node never reach the gateway; the near side's always can.
            Assert.Equal(new HashSet<int> { 1, 2 }, readingOriginsAtSink);
            Assert.True(result.Readings.Delivered < result.Readings.Sent);
        }
    }
}
