using System;
using System.Linq;
using Mesh.Protocol.Node;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Measuring
{
    /// <summary>
    /// Readings the report schedule asked for but report spacing took away (Simulation.ReportSchedule): a
    /// reading never sent is in neither side of the delivery ratio, so a spaced mesh could report 100 %
    /// while its sensors sent a fifth fewer readings than configured.
    /// </summary>
    public class ReportScheduleTests
    {
        /// <summary>
        /// Runs a shipped scenario; also the readings its schedule asks for in the measured window (every honest
        /// sensor alive throughout, window / interval) and how many sensors there are.
        /// </summary>
        private static (RunResult Result, double Scheduled, int Sensors) Run(string file)
        {
            Scenario s = ScenarioLoader.Load(Paths.Scenario(file));
            var sim = new Simulation(s, Paths.ScenarioDirectory);
            RunResult r = sim.Run();
            int sensors = sim.Nodes.Count(n => n.Role == NodeRole.Sensor && !n.IsSink && n.Behaviour == NodeBehaviour.Honest);
            return (r, sensors * (r.Measured.ToSeconds - r.Measured.FromSeconds) / s.Workload.ReadingIntervalSeconds, sensors);
        }

        [Fact]
        public void Readings_spaced_away_on_a_duty_cycled_LoRa_mesh_are_counted_against_the_schedule()
        {
            var (r, scheduled, sensors) = Run("meshtastic-lora-40.json");
            long asked = r.Readings.Sent + r.Readings.SpacedAway + r.Readings.RefusedAtSend;
            Assert.Equal(asked, r.Readings.Scheduled);
            Assert.True(r.Readings.SpacedAway > 0, "this mesh spaces its reports: none counted");
            // Each sensor's first and last report fall anywhere in an interval: at most one reading each either way.
            Assert.InRange(asked, scheduled - sensors, scheduled + sensors);
            Assert.True(r.Readings.DeliveredOfSchedule < r.Readings.DeliveryRatio,
                $"{r.Readings.Delivered}/{r.Readings.Sent} delivered, {r.Readings.DeliveredOfSchedule:P1} of the schedule");
        }

        [Fact]
        public void A_mesh_that_never_spaces_its_reports_sends_what_the_schedule_asks_for()
        {
            var (r, scheduled, sensors) = Run("office-25.json");
            Assert.Equal(0, r.Readings.SpacedAway);
            Assert.Equal(0, r.Readings.RefusedAtSend);
            Assert.InRange(r.Readings.Sent, scheduled - sensors, scheduled + sensors);
            Assert.Equal(Math.Round((double)r.Readings.Delivered / r.Readings.Sent, 4), r.Readings.DeliveredOfSchedule);
        }
    }
}
