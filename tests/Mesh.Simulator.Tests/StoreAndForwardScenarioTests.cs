using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;
using Xunit.Abstractions;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// Store and forward across a partition, end to end (issue 13's target: ≥ 99 % of the readings generated
    /// during a 10-minute partition delivered after it heals): farm-200-partition cuts the 52 western nodes
    /// off from every gateway for 10 minutes. Bounds, not exact counts: seeds 11 … 15 measured 96.4–99.5 %
    /// (1,208/1,230) before gateways bundled their hop acks and beacons became rarer, 96.2–99.2 % (1,208/1,230)
    /// after, seed 11 (this test's) 96.2 %; seeds 16 … 23 97.0 % both. Since the stale-gradient custody rules
    /// (simulator/README, stop 23) seeds 11 … 15 and 1 … 3 deliver 1,957/1,960 and 4 … 10, 16 1,962/1,965,
    /// every seed ≥ 99.5 % (seed 11: 260/260): the 99 % target is the bound.
    /// </summary>
    public class StoreAndForwardScenarioTests
    {
        private readonly ITestOutputHelper _output;

        public StoreAndForwardScenarioTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void Readings_taken_while_cut_off_reach_a_gateway_after_the_partition_heals_as_stored_copies()
        {
            Scenario s = ScenarioLoader.Load(Paths.Scenario("farm-200-partition.json"));
            RunResult r = new Simulation(s).Run();
            ClassMetrics m = r.Readings;
            _output.WriteLine($"cut off {m.CutOffDelivered}/{m.CutOffSent}; stored copies delivered {m.StoreForwardedDelivered}, duplicates {m.StoreForwardedDuplicates}; readings {m.Delivered}/{m.Sent}; forged {r.Security.ForgedDelivered}");
            Assert.True(m.CutOffSent >= 200, $"the partition cut off only {m.CutOffSent} readings");
            Assert.True(m.CutOffDelivered >= 0.99 * m.CutOffSent, $"{m.CutOffDelivered}/{m.CutOffSent} delivered after healing");
            // Nothing crosses the cut: what arrived came as stored copies, each traced to its reading. A few
            // may arrive as their original frame (seed 13: 1 of 190, seed 11 with 4 upward slots: 3 of 241);
            // presumably sent near the end of the partition and still being retransmitted when it healed
            // (not traced).
            Assert.True(m.StoreForwardedDelivered >= m.CutOffDelivered - 10, $"{m.StoreForwardedDelivered} stored copies for {m.CutOffDelivered} readings");
            Assert.Equal(0, r.Security.ForgedDelivered);
            Assert.True(m.DeliveryRatio >= 0.995, $"readings {m.DeliveryRatio:P1}");
        }
    }
}
