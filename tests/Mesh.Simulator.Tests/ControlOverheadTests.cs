using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;
using Xunit.Abstractions;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// Issue 13's reading cost with control included, on the shipped farm-200 run structured (one hour, seed
    /// 11). Bounds, not exact counts: before gateways bundled their hop acks and beacons became rarer it was
    /// 2.45 × the shortest path with 4,826 beacons and 7,614 hop acks in the window; after, 1.74 ×, 2,101 and
    /// 2,786 (seeds 1 … 4: 1.68–1.96 ×); since stop 27 (no Trickle reset for a neighbour never heard beaconing) 1.71 ×, 2,022 beacons;
    /// since stop 31 (no reset for a gateway's heartbeat, minor news prompting one beacon) 1.48 × (seeds 1–17:
    /// 1.45–1.55 ×), under half a control frame per delivered reading. The 1.5 × holds on 12 of 17 seeds
    /// (simulator/README, "Minor news prompts one beacon"); the bounds keep room for the model to move.
    /// </summary>
    public class ControlOverheadTests
    {
        private readonly ITestOutputHelper _output;

        public ControlOverheadTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void Farm_200_structured_spends_less_than_a_reading_on_control_per_delivered_reading()
        {
            Scenario s = ScenarioLoader.Load(Paths.Scenario("farm-200.json"));
            Assert.Equal("structured", s.Policy.Kind); // shipped so since stop 33
            RunResult r = new Simulation(s).Run();
            CostMetrics c = r.Cost;
            RoutingCounters rc = r.Routing;
            _output.WriteLine($"delivered {r.Readings.Delivered}/{r.Readings.Sent}; with control {c.ReadingTransmissionsWithControl} tx, {c.ReadingPathStretchWithControl}× the shortest path; {c.Beacons} beacons, {c.HopAcks} hop acks in the window; hop-ack entries {rc.HopAckEntries} in {rc.HopAcks} frames; retransmissions {rc.Retransmissions}");

            Assert.True(r.Readings.DeliveryRatio >= 0.995, $"readings {r.Readings.DeliveryRatio:P1}");
            Assert.True(c.ReadingPathStretchWithControl <= 1.7, $"{c.ReadingPathStretchWithControl}× the shortest path with control");

            // Control per delivered reading: beacons and hop acks together well under one frame (2.3 before bundles, 0.49 at stop 31).
            double control = (double)(c.Beacons + c.HopAcks) / r.Readings.Delivered;
            Assert.True(control < 0.7, $"{control:F2} control frames per delivered reading");

            // The gateway's hop acks travel in bundles: more entries than frames.
            Assert.True(rc.HopAckEntries >= 2 * rc.HopAcks, $"{rc.HopAckEntries} hop-ack entries in {rc.HopAcks} frames");
            Assert.Equal(0, rc.UpwardEvicted);
        }

        /// <summary>
        /// At 30 % extra loss an attempt is answered about half the time, so with 3 retries a link "failed" for
        /// one frame in 16: backbone-200-loss30 (seed 3) had 803 link failures, 4,437 parent changes and 196
        /// flood fallbacks a run, and a reading cost 9.6 × the shortest path with control (seeds 1–3: 9.1–9.6 ×).
        /// With 6 retries: 164, 2,344, 25 and 5.0 × (seeds 1–3: 4.5–5.0 ×), every reading delivered. Since stop 31
        /// (minor news prompting one beacon instead of a Trickle reset) 3.88 × (seeds 1–3: 3.64–3.88 ×).
        /// </summary>
        [Fact]
        public void At_30_percent_loss_readings_climb_the_gradient_instead_of_falling_back_to_floods()
        {
            Scenario s = ScenarioLoader.Load(Paths.Scenario("backbone-200-loss30.json"));
            RunResult r = new Simulation(s).Run();
            CostMetrics c = r.Cost;
            RoutingCounters rc = r.Routing;
            _output.WriteLine($"delivered {r.Readings.Delivered}/{r.Readings.Sent}; {c.ReadingPathStretchWithControl}× the shortest path with control; {rc.LinkFailures} link failures, {rc.ParentChanges} parent changes, {rc.FloodFallbacks} flood fallbacks, {rc.Retransmissions} retransmissions");

            Assert.True(r.Readings.DeliveryRatio >= 0.995, $"readings {r.Readings.DeliveryRatio:P1}");
            Assert.True(c.ReadingPathStretchWithControl <= 4.8, $"{c.ReadingPathStretchWithControl}× the shortest path with control");
            Assert.True(rc.FloodFallbacks <= 80, $"{rc.FloodFallbacks} flood fallbacks");
        }
    }
}
