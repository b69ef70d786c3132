using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;
using Xunit.Abstractions;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// The shipped city-1000 (1,000 nodes in 30 clusters over 1.5 km², 9 gateways, structured routing, 30 minutes).
    /// With a hop limit of 10 its broadcasts missed whole clusters on seeds 11–13 under either policy (structured
    /// 99.1–99.3 % of the reachable, managed flooding 98.5–99.1 %): over links heard at ≥ 50 % a node is up to 9–11
    /// hops from the farthest, so the limit left a broadcast no room for a detour (seed 12: 2.7 % of the copies taken
    /// at the limit). With 16, 99.9–100 % on those seeds (simulator/README, "city-1000's hop limit"). Not on every
    /// seed: over seeds 11–31 coverage is below 99.5 % on 7 of 21 (6 of 21 before plea answering, stop 34), where a
    /// group of clusters hangs on two or three strong links whose near ends do not keep the far ends among their 32
    /// backbone neighbours (seed 15: four clusters, ~130 nodes, reached by 3 of 6 broadcasts) — simulator/README,
    /// "Trickle answers a plea". These two seeds pin the hop limit's room and the cost. Bounds, not exact counts.
    /// </summary>
    public class CityScenarioTests
    {
        private readonly ITestOutputHelper _output;

        public CityScenarioTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Theory]
        [InlineData(23UL)] // the file's seed
        [InlineData(13UL)] // a seed whose broadcasts missed clusters with a limit of 10
        public void City_1000_as_shipped_reaches_the_reachable_with_its_hop_limit_to_spare(ulong seed)
        {
            Scenario s = ScenarioLoader.Load(Paths.Scenario("city-1000.json"));
            Assert.Equal("structured", s.Policy.Kind);
            s.Seed = seed;
            RunResult r = new Simulation(s).Run();
            _output.WriteLine($"seed {seed}: readings {r.Readings.Delivered}/{r.Readings.Sent}; broadcasts {r.Broadcasts.Sent}, {r.Coverage.Reachable:P2} of the reachable, " +
                $"{r.BroadcastTransmissionsPerCds}x the greedy CDS, {r.Broadcasts.AtHopLimitShare:P2} of copies at the hop limit; {r.Transmissions} transmissions");

            Assert.True(r.Broadcasts.Sent >= 4, $"{r.Broadcasts.Sent} broadcasts");
            Assert.True(r.Coverage.Reachable >= 0.995, $"broadcast coverage of the reachable {r.Coverage.Reachable:P2}");
            Assert.True(r.Broadcasts.AtHopLimitShare < 0.005, $"{r.Broadcasts.AtHopLimitShare:P2} of broadcast copies taken at the hop limit");
            Assert.True(r.Readings.DeliveryRatio >= 0.995, $"readings {r.Readings.DeliveryRatio:P2}");
            // Structured routing's cost: ~80,000 transmissions here against ~6.5 million under managed flooding.
            Assert.True(r.Transmissions < 200_000, $"{r.Transmissions} transmissions");
        }

        /// <summary>
        /// Issue 13's reading target — ≥ 99.5 % delivered at ≤ 1.5 × the shortest path with control traffic — with the
        /// issue's own workload (a reading a minute, heartbeats every 5 minutes) on the shipped city-1000 and farm-200.
        /// Measured at stop 34 (simulator/README, "Trickle answers a plea"): city-1000 seeds 23 / 11 / 12 1.441 /
        /// 1.392 / 1.369 × (1.498 / 1.508 / 1.463 × before plea answering); farm-200 seeds 11 / 1 / 2 1.435 / 1.475 /
        /// 1.458 ×; every reading delivered. Not met on backbone-200 (1.64–1.73 ×) nor at 30 % loss.
        /// </summary>
        [Theory]
        [InlineData("city-1000.json", 23UL)]
        [InlineData("farm-200.json", 11UL)]
        public void With_the_issues_workload_a_reading_costs_at_most_one_and_a_half_times_its_shortest_path(string file, ulong seed)
        {
            Scenario s = ScenarioLoader.Load(Paths.Scenario(file));
            Assert.Equal("structured", s.Policy.Kind);
            s.Seed = seed;
            s.Workload.ReadingIntervalSeconds = 60;
            s.Workload.HeartbeatIntervalSeconds = 300;
            RunResult r = new Simulation(s).Run();
            _output.WriteLine($"{file} seed {seed}: readings {r.Readings.Delivered}/{r.Readings.Sent}, {r.Cost.ReadingPathStretchWithControl}x the shortest path with control " +
                $"({r.Cost.ReadingTransmissionsWithControl} tx per delivered reading, {r.Cost.Beacons} beacons, {r.Cost.HopAcks} hop acks)");

            Assert.True(r.Readings.DeliveryRatio >= 0.995, $"readings {r.Readings.DeliveryRatio:P2}");
            Assert.True(r.Cost.ReadingPathStretchWithControl <= 1.5, $"{r.Cost.ReadingPathStretchWithControl}x the shortest path with control");
        }
    }
}
