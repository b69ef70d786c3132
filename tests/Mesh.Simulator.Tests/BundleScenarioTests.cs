using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;
using Xunit.Abstractions;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// Bundles in the simulator (PROTOCOL.md, "Bundles"; scenario <c>policy.bundle</c>): frames a relay holds for its
    /// parent leave together, each frame is measured as if it went alone, and a radio frame counts once in
    /// <see cref="RunResult.Transmissions"/>.
    /// </summary>
    public class BundleScenarioTests
    {
        private readonly ITestOutputHelper _output;

        public BundleScenarioTests(ITestOutputHelper output)
        {
            _output = output;
        }

        // A line of 8 with the gateway at one end and a reading from every node four times a second: the relays next
        // to the gateway carry ~28 readings a second and often hold more than one for their parent.
        private static Scenario Line(bool bundle) => Runs.Parse($$"""
        {
          "name": "bundle-line-8",
          "seed": 3,
          "durationSeconds": 120,
          "warmupSeconds": 30,
          "topology": { "kind": "line", "nodes": 8, "spacingMeters": 10 },
          "radio": { "model": "unitDisk", "rangeMeters": 10.5 },
          "policy": { "kind": "structured", "cancelThreshold": 2, "bundle": {{(bundle ? "true" : "false")}} },
          "roles": { "sinks": [0] },
          "workload": { "readingIntervalSeconds": 0.25, "broadcastIntervalSeconds": 0, "commandIntervalSeconds": 0, "heartbeatIntervalSeconds": 300 }
        }
        """);

        [Fact]
        public void Bundles_carry_a_relays_backlog_in_fewer_radio_frames_and_each_frame_is_counted()
        {
            var results = new RunResult[2];
            var frames = new long[2];
            for (int i = 0; i < 2; i++)
            {
                var sim = new Simulation(Line(bundle: i == 0));
                int k = i;
                sim.FrameTransmitted = (node, bytes, length, _) =>
                {
                    Assert.False(FrameCodec.IsBundle(bytes, 0, length), "the measuring hooks see one frame at a time");
                    frames[k]++;
                };
                results[i] = sim.Run();
                RunResult r = results[i];
                _output.WriteLine($"bundle {i == 0}: {r.Transmissions} radio frames, {r.Bundles} bundles carrying {r.BundledFrames} more frames; "
                    + $"readings {r.Readings.Delivered}/{r.Readings.Sent}, {r.Readings.TransmissionsPerDelivered:F2} frames per delivered reading");
            }

            RunResult on = results[0], off = results[1];
            Assert.True(on.Bundles > 0);
            Assert.Equal(0, off.Bundles);
            Assert.Equal(0, off.BundledFrames);
            // Every frame a bundle carried is measured one by one; the radio frames count once.
            Assert.Equal(on.Transmissions + on.BundledFrames, frames[0]);
            Assert.Equal(off.Transmissions, frames[1]);
            Assert.True(on.BundledFrames >= on.Bundles);
            Assert.True(on.Transmissions < off.Transmissions, $"{on.Transmissions} radio frames with bundles, {off.Transmissions} without");
            Assert.True(on.Readings.DeliveryRatio >= 0.99, $"{on.Readings.DeliveryRatio:P2} delivered with bundles");
        }
    }
}
