using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// Exact outcomes of the shipped office-25 scenario at seed 7 (an hour of a 25-node office with
    /// managed flooding, readings, broadcasts and commands), as `mesh-sim run office-25.json --seed 7`
    /// reports them. These pin the whole stack — protocol core, radio, MAC, workload and metrics — so a
    /// change anywhere that alters behaviour shows up here. If one of these numbers moves, the change
    /// must be deliberate: explain why in the commit and update the constants.
    /// </summary>
    public class GoldenValueTests
    {
        private const long ReadingsSent = 1_320;
        private const long ReadingsDelivered = 1_320;
        private const long Transmissions = 16_874;
        private const long Collisions = 78_694;
        private const long CommandsSent = 28;
        private const long CommandsAcknowledged = 28;
        private const long BroadcastsSent = 11;
        private const long FrameArrivals = 371_392;
        private const long Receptions = 182_820;
        private const long Events = 129_443;

        [Fact]
        public void Office_25_with_seed_7_gives_the_recorded_counts()
        {
            Scenario scenario = ScenarioLoader.Load(Paths.Scenario("office-25.json"));
            scenario.Seed = 7;
            RunResult r = new Simulation(scenario, Paths.ScenarioDirectory).Run();

            Assert.Equal(ReadingsSent, r.Readings.Sent);
            Assert.Equal(ReadingsDelivered, r.Readings.Delivered);
            Assert.Equal(Transmissions, r.Transmissions);
            Assert.Equal(Collisions, r.Collisions);
            Assert.Equal(CommandsSent, r.Commands.Sent);
            Assert.Equal(CommandsAcknowledged, r.Commands.Acknowledged);
            Assert.Equal(BroadcastsSent, r.Broadcasts.Sent);
            Assert.Equal(FrameArrivals, r.FrameArrivals);
            Assert.Equal(Receptions, r.Receptions);
            Assert.Equal(Events, r.Events);
        }
    }
}
