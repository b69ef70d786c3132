using System.Collections.Generic;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Channel
{
    /// <summary>A jammer with a duty cycle occupies the channel: carrier sense inside its disc hears it.</summary>
    public class JammerTests
    {
        private const long PeriodUs = 10_000;
        private const long OnUs = 6_000;

        private const string Scenario = """
        {
          "name": "jammed-grid",
          "seed": 4,
          "durationSeconds": 60,
          "topology": { "kind": "grid", "nodes": 36, "spacingMeters": 10 },
          "radio": { "model": "unitDisk", "rangeMeters": 15 },
          "workload": { "readingIntervalSeconds": 2, "heartbeatIntervalSeconds": 0 },
          "adversaries": [ { "kind": "jammer", "x": 0, "y": 0, "radiusMeters": 25, "lossRate": 0,
                             "dutyCycle": 0.6, "periodMilliseconds": 10, "fromSeconds": 20, "toSeconds": 40 } ]
        }
        """;

        private static bool InsideDisc(SimNode n) => n.X * n.X + n.Y * n.Y <= 25 * 25;

        private static bool JammerOn(long t) => t >= 20_000_000 && t < 40_000_000 && (t - 20_000_000) % PeriodUs < OnUs;

        [Fact]
        public void Nodes_inside_the_disc_never_start_while_it_is_on_and_others_do()
        {
            var sim = new Simulation(Runs.Parse(Scenario));
            var startsInside = new List<long>();
            int outsideWhileOn = 0;
            sim.FrameTransmitted = (node, _, _, now) =>
            {
                if (InsideDisc(node))
                {
                    startsInside.Add(now);
                }
                else if (JammerOn(now))
                {
                    outsideWhileOn++;
                }
            };
            RunResult r = sim.Run();

            Assert.All(startsInside, t => Assert.False(JammerOn(t), $"a node inside the disc started at {t} µs while the jammer was on"));
            Assert.Contains(startsInside, t => t >= 20_000_000 && t < 40_000_000); // it still gets the gaps
            Assert.True(outsideWhileOn > 100, $"{outsideWhileOn} transmissions outside the disc while it was on");
            Assert.True(r.LostToJamming > 0, "frames overlapped by the jammer at receivers inside the disc are lost");
        }

        [Fact]
        public void A_jammer_without_duty_cycle_is_loss_only()
        {
            var s = Runs.Parse(Scenario);
            s.Adversaries[0].DutyCycle = 0;
            var sim = new Simulation(s);
            int insideWhileOn = 0;
            sim.FrameTransmitted = (node, _, _, now) => insideWhileOn += InsideDisc(node) && JammerOn(now) ? 1 : 0;
            RunResult r = sim.Run();
            Assert.True(insideWhileOn > 0);
            Assert.Equal(0, r.LostToJamming);
        }
    }
}
