using System.Linq;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// network.application nodeRunner: the shipped node application (Mesh.NodeApp's NodeRunner) runs in
    /// every simulated sensor and relay, and the mesh works as with the simulator's own application.
    /// </summary>
    public class NodeRunnerTests
    {
        private static string Office(string application, string policy = "managed") => $$"""
        {
          "seed": 4,
          "durationSeconds": 900,
          "warmupSeconds": 60,
          "network": { "application": "{{application}}" },
          "topology": { "kind": "grid", "nodes": 16, "spacingMeters": 12 },
          "radio": { "pathLossExponent": 3.3 },
          "policy": { "kind": "{{policy}}" },
          "workload": { "readingIntervalSeconds": 30, "broadcastIntervalSeconds": 120, "commandIntervalSeconds": 60, "heartbeatIntervalSeconds": 120 }
        }
        """;

        /// <summary>Managed flooding, and structured routing (the ESP32 boards' default since 2026-12-02, BoardProfile.Policy), with the simulator's gateways.</summary>
        [Theory]
        [InlineData("managed")]
        [InlineData("structured")]
        public void Every_sensor_runs_the_node_application_and_readings_commands_and_heartbeats_flow(string policy)
        {
            var sim = new Simulation(Runs.Parse(Office("nodeRunner", policy)));
            int heartbeats = 0;
            sim.FrameTransmitted = (_, bytes, length, _) => heartbeats += Frames.Header(bytes, length).Type == MessageType.Heartbeat ? 1 : 0;
            RunResult r = sim.Run();

            Assert.All(sim.Nodes.Where(n => !n.IsSink), n => Assert.NotNull(n.Runner));
            Assert.All(sim.Nodes.Where(n => n.IsSink), n => Assert.Null(n.Runner));
            Assert.True(r.Readings.Sent > 300, $"{r.Readings.Sent} readings sent");
            Assert.True(r.Readings.DeliveryRatio > 0.95, $"reading delivery {r.Readings.DeliveryRatio:P1}");
            Assert.True(r.Commands.Sent > 5 && r.Commands.Acknowledged >= r.Commands.Sent - 1, $"{r.Commands.Acknowledged}/{r.Commands.Sent} commands acknowledged");
            Assert.True(heartbeats > 50, $"{heartbeats} heartbeats");
            if (policy == "structured")
            {
                // The readings climbed the gradient, acknowledged hop by hop, not flooded.
                Assert.True(r.Routing.Beacons > 0 && r.Routing.HopAckEntries >= r.Readings.Delivered / 2, $"{r.Routing.Beacons} beacons, {r.Routing.HopAckEntries} hop-ack entries for {r.Readings.Delivered} readings");
                Assert.True(r.Routing.FloodFallbacks <= r.Readings.Sent / 100, $"{r.Routing.FloodFallbacks} flood fallbacks");
            }
        }

        [Fact]
        public void The_application_delivers_about_as_the_simulators_own_does()
        {
            RunResult simulated = new Simulation(Runs.Parse(Office("simulated"))).Run();
            RunResult runner = new Simulation(Runs.Parse(Office("nodeRunner"))).Run();
            Assert.InRange(runner.Readings.DeliveryRatio, simulated.Readings.DeliveryRatio - 0.03, 1.0);
            Assert.InRange(runner.Broadcasts.DeliveryRatio, simulated.Broadcasts.DeliveryRatio - 0.05, 1.0);
        }

        [Fact]
        public void The_node_application_needs_whole_seconds()
        {
            Scenario s = ScenarioLoader.Parse("""{ "network": { "application": "nodeRunner" }, "workload": { "readingIntervalSeconds": 0.5 } }""");
            Assert.Contains("workload.readingIntervalSeconds/heartbeatIntervalSeconds: the node application takes whole seconds (network.application nodeRunner)",
                ScenarioValidator.Validate(s, null));
            Scenario bad = ScenarioLoader.Parse("""{ "network": { "application": "firmware" } }""");
            Assert.Contains("network.application: 'firmware' is not one of simulated, nodeRunner", ScenarioValidator.Validate(bad, null));
        }
    }
}
