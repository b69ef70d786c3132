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
    /// after; since the stale-gradient custody rules (simulator/README, stop 23) seeds 11 … 15 and 1 … 3 deliver
    /// 1,957/1,960. Seed by seed the run is chaotic: with the backbone's tag limit (2026-12-02; Backbone.ListedTags,
    /// which only moves broadcasts) seeds 11 … 15 went from 1,229/1,230 to 1,222/1,230 (seed 11 260 → 257 of 260) and
    /// seeds 16 … 20 from 1,225/1,235 (seeds 18 and 19 98.3 and 98.1 %) to 1,234/1,235; the lost ones are readings
    /// taken in the seconds before the partition heals, sent towards a parent across the cut and flooded where no
    /// one could carry them (`mesh-sim run … --lost-readings`). So the target is held over five seeds together,
    /// and each seed is held to 98 %.
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
            long sent = 0, delivered = 0;
            for (ulong seed = 11; seed <= 15; seed++)
            {
                Scenario s = ScenarioLoader.Load(Paths.Scenario("farm-200-partition.json"));
                s.Seed = seed;
                RunResult r = new Simulation(s).Run();
                ClassMetrics m = r.Readings;
                _output.WriteLine($"seed {seed}: cut off {m.CutOffDelivered}/{m.CutOffSent}; stored copies delivered {m.StoreForwardedDelivered}, duplicates {m.StoreForwardedDuplicates}; readings {m.Delivered}/{m.Sent}; forged {r.Security.ForgedDelivered}");
                Assert.True(m.CutOffSent >= 150, $"seed {seed}: the partition cut off only {m.CutOffSent} readings");
                Assert.True(m.CutOffDelivered >= 0.98 * m.CutOffSent, $"seed {seed}: {m.CutOffDelivered}/{m.CutOffSent} delivered after healing");
                // Nothing crosses the cut: what arrived came as stored copies, each traced to its reading. A few
                // may arrive as their original frame (seed 13: 1 of 190, seed 11 with 4 upward slots: 3 of 241);
                // presumably sent near the end of the partition and still being retransmitted when it healed
                // (not traced).
                Assert.True(m.StoreForwardedDelivered >= m.CutOffDelivered - 10, $"seed {seed}: {m.StoreForwardedDelivered} stored copies for {m.CutOffDelivered} readings");
                Assert.Equal(0, r.Security.ForgedDelivered);
                Assert.True(m.DeliveryRatio >= 0.995, $"seed {seed}: readings {m.DeliveryRatio:P1}");
                sent += m.CutOffSent;
                delivered += m.CutOffDelivered;
            }

            Assert.True(delivered >= 0.99 * sent, $"{delivered}/{sent} delivered after healing over seeds 11-15");
        }
    }
}
