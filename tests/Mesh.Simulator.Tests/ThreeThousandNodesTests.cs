using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;
using Xunit.Abstractions;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// Issue 13's target for one gateway and 3,000 nodes (≥ 99 % of readings delivered), on the committed
    /// scenario's worst seed before the upward load was advertised: seed 34 delivered 96.1 % with 3 hop retries,
    /// 99.6 % with 6, 98.4 % with 10 upward slots (178 readings lost at one full child of the gateway), 99.5 %
    /// with the load penalty (seeds 31–35: 99.79 % in all; simulator/README, "How long a link is tried"). Since the
    /// core's 48 upward slots in 4,000 bytes (stop 39) the gateway's children have room for what they carry here —
    /// 14,605/14,606 at 2.2 × the shortest path with control, no frame evicted and no node loaded, where 20 slots in
    /// 2,500 bytes evicted 74 frames and loaded 10 times (14,598/14,606 at 2.39 ×) — so the test pins that room instead of the load penalty
    /// (UpwardLoadTests pins that; the grid's 3,000-node cell at a reading a minute still uses it).
    /// </summary>
    public class ThreeThousandNodesTests
    {
        private readonly ITestOutputHelper _output;

        public ThreeThousandNodesTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void One_gateway_receives_99_percent_of_3000_nodes_readings()
        {
            Scenario s = ScenarioLoader.Load(Paths.Scenario("random-3000-one-gateway.json"));
            s.Seed = 34;
            RunResult r = new Simulation(s).Run();
            RoutingCounters rc = r.Routing;
            _output.WriteLine($"delivered {r.Readings.Delivered}/{r.Readings.Sent}; {r.Cost.ReadingPathStretchWithControl}× the shortest path with control; {rc.UpwardEvicted} evicted, {rc.LoadSpells} load spells, {rc.FloodFallbacks} flood fallbacks");

            Assert.True(r.Readings.DeliveryRatio >= 0.99, $"readings {r.Readings.Delivered}/{r.Readings.Sent}");
            // The gateway's busiest children keep custody of what they forward: evictions (each a frame's last copy) stay
            // under 0.1 % of the readings (20 slots in 2,500 bytes: 74, 0.5 %).
            Assert.True(rc.UpwardEvicted * 1000 < r.Readings.Sent, $"{rc.UpwardEvicted} upward frames evicted for {r.Readings.Sent} readings");
            // A quarter of what 3 hop retries cost (11.1x on this seed): floods and parent churn stay rare.
            Assert.True(r.Cost.ReadingPathStretchWithControl <= 5.0, $"{r.Cost.ReadingPathStretchWithControl}× the shortest path with control");
        }
    }
}
