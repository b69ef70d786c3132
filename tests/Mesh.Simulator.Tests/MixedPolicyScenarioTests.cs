using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;
using Xunit.Abstractions;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// Structured and managed nodes on one channel (farm-200-mixed: every fourth node managed). A managed node
    /// floods every reading and never beacons; its structured neighbours once reset Trickle for each of those
    /// floods (taking it for a neighbour without a route): 46,595 beacons in the measured window against 2,022
    /// with every node structured, 211,736 transmissions against 161,364 after the fix (seed 11, one hour;
    /// simulator/README, "Mixed policies"). Bounds, not exact counts: the mixed run beacons no more than half
    /// again as much as the all-structured run of the same topology and seed, and delivers as well. (A quarter
    /// until minor news stopped resetting Trickle, stop 31: that took the all-structured run's beacons from 1,290
    /// to 755, and the mixed run's only from 870 to 859; seed 11 either way.)
    /// </summary>
    public class MixedPolicyScenarioTests
    {
        private readonly ITestOutputHelper _output;

        public MixedPolicyScenarioTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void Managed_nodes_flooding_their_readings_do_not_keep_structured_neighbours_beaconing()
        {
            Scenario mixed = ScenarioLoader.Load(Paths.Scenario("farm-200-mixed.json"));
            Assert.NotEmpty(mixed.Roles.PerNode);
            RunResult m = new Simulation(mixed).Run();

            Scenario all = ScenarioLoader.Load(Paths.Scenario("farm-200-mixed.json"));
            all.Roles.PerNode.Clear();
            RunResult a = new Simulation(all).Run();

            _output.WriteLine($"mixed: {m.Readings.Delivered}/{m.Readings.Sent} readings, {m.Cost.Beacons} beacons in the window; all structured: {a.Readings.Delivered}/{a.Readings.Sent}, {a.Cost.Beacons} beacons");
            Assert.True(a.Cost.Beacons > 0, "the all-structured run sent no beacons");
            Assert.True(m.Cost.Beacons <= 1.5 * a.Cost.Beacons, $"{m.Cost.Beacons} beacons mixed against {a.Cost.Beacons} all structured");
            Assert.True(m.Readings.DeliveryRatio >= 0.995, $"mixed delivered {m.Readings.DeliveryRatio:P2}");
        }
    }
}
