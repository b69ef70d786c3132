using System.Linq;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;
using Xunit.Abstractions;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// Heartbeats in a structured mesh with several gateways (issue 13): the nodes' go up the gradient, the
    /// gateways' own are flooded (a gateway has no parent) and ride the broadcast backbone; both arrive.
    /// </summary>
    public class HeartbeatDeliveryTests
    {
        private readonly ITestOutputHelper _output;

        public HeartbeatDeliveryTests(ITestOutputHelper output)
        {
            _output = output;
        }

        // 300 nodes over 1.5 km x 1.5 km, a gateway every 500 m (city-1000's grid), heartbeats every 2 minutes.
        private const string Json = """
            {
              "name": "heartbeats-300", "seed": 7, "durationSeconds": 1200, "warmupSeconds": 300,
              "network": { "hopLimit": 12 },
              "topology": { "kind": "random", "nodes": 300, "widthMeters": 1500, "heightMeters": 1500 },
              "radio": { "txPowerDbm": 10, "pathLossExponent": 2.8, "shadowingSigmaDb": 4, "sensitivityDbm": -94, "extraLossRate": 0.1 },
              "roles": { "sinkGridMeters": 500 },
              "policy": { "kind": "structured", "cancelThreshold": 2 },
              "workload": { "readingIntervalSeconds": 120, "broadcastIntervalSeconds": 0, "commandIntervalSeconds": 0, "heartbeatIntervalSeconds": 120 }
            }
            """;

        private (RunResult Result, long FloodedHeartbeatTx) Run(bool backbone, double? gatewayHeartbeatSeconds = null)
        {
            Scenario s = ScenarioLoader.Parse(Json);
            s.Policy.Backbone = backbone;
            s.Workload.GatewayHeartbeatIntervalSeconds = gatewayHeartbeatSeconds;
            var sim = new Simulation(s);
            long flooded = 0;
            sim.FrameTransmitted = (node, bytes, length, _) =>
            {
                FrameHeader h = Frames.Header(bytes, length);
                if (h.Type == MessageType.Heartbeat && h.NextHop == NodeAddress.None)
                {
                    flooded++;
                }
            };
            RunResult r = sim.Run();
            HeartbeatMetrics hb = r.Heartbeats;
            _output.WriteLine($"backbone {backbone}: nodes' heartbeats {hb.NodesDelivered}/{hb.NodesSent}, gateways' own {hb.GatewaysDelivered}/{hb.GatewaysSent}; flooded heartbeat transmissions {flooded}; all transmissions {r.Transmissions}; readings {r.Readings.DeliveryRatio:P2}");
            return (r, flooded);
        }

        [Fact]
        public void Gateways_heartbeats_reach_the_other_gateways_over_the_backbone_for_fewer_transmissions_than_managed_flooding()
        {
            var (withBackbone, backboneTx) = Run(backbone: true);
            var (managed, managedTx) = Run(backbone: false);

            foreach (RunResult r in new[] { withBackbone, managed })
            {
                HeartbeatMetrics hb = r.Heartbeats;
                Assert.True(hb.GatewaysSent >= 20, $"{hb.GatewaysSent} gateway heartbeats measured");
                Assert.True(hb.GatewaysDelivered >= 0.95 * hb.GatewaysSent, $"gateways' heartbeats {hb.GatewaysDelivered}/{hb.GatewaysSent} reached another gateway");
                Assert.True(hb.NodesDelivered >= 0.99 * hb.NodesSent, $"nodes' heartbeats {hb.NodesDelivered}/{hb.NodesSent} reached a gateway");
            }

            Assert.True(backboneTx < 0.8 * managedTx, $"flooded heartbeats: {backboneTx} transmissions over the backbone against {managedTx} managed-flooded");
        }

        /// <summary>
        /// workload.gatewayHeartbeatIntervalSeconds: the gateways beat at their own interval (mesh-gateway: 60 s under
        /// the flooding policies, 300 s structured), and each of their heartbeats is a flood: at 60 s instead of the
        /// nodes' 120 s they send about twice as many, and the flooded heartbeat transmissions about double.
        /// </summary>
        [Fact]
        public void Gateways_beat_at_their_own_interval_and_each_beat_is_a_flood()
        {
            var (asNodes, asNodesTx) = Run(backbone: true);
            var (everyMinute, everyMinuteTx) = Run(backbone: true, gatewayHeartbeatSeconds: 60);

            Assert.InRange(everyMinute.Heartbeats.GatewaysSent, 1.6 * asNodes.Heartbeats.GatewaysSent, 2.4 * asNodes.Heartbeats.GatewaysSent);
            Assert.Equal(asNodes.Heartbeats.NodesSent, everyMinute.Heartbeats.NodesSent, 0.05 * asNodes.Heartbeats.NodesSent);
            Assert.True(everyMinuteTx > 1.5 * asNodesTx, $"flooded heartbeat transmissions {everyMinuteTx} at 60 s against {asNodesTx} at 120 s");
        }
    }
}
