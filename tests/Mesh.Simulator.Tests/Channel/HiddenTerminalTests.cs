using System;
using System.Globalization;
using System.IO;
using System.Text;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Channel
{
    /// <summary>
    /// The hidden-terminal star: five leaves around a gateway, each in range of the gateway but of no
    /// other leaf. Carrier sense cannot help, so a leaf's report is lost whenever another leaf's report
    /// overlaps it — pure ALOHA's vulnerable period of two airtimes. The same star with leaves that hear
    /// each other loses almost nothing. Clocks drift (as real crystals do), so the report phases sweep
    /// against each other and the long-run loss is the textbook average rather than one fixed draw.
    /// </summary>
    public class HiddenTerminalTests
    {
        private const int Leaves = 5;
        private const double Radius = 10;
        private const double IntervalSeconds = 0.5;

        private static (RunResult Result, long Airtime) RunStar(double range)
        {
            string dir = Paths.NewTempDirectory("hidden-star");
            try
            {
                var csv = new StringBuilder("x,y\n0,0\n");
                for (int i = 0; i < Leaves; i++)
                {
                    double a = 2 * Math.PI * i / Leaves;
                    csv.Append(CultureInfo.InvariantCulture, $"{Radius * Math.Cos(a)},{Radius * Math.Sin(a)}\n");
                }

                File.WriteAllText(Path.Combine(dir, "star.csv"), csv.ToString());
                Scenario s = ScenarioLoader.Parse($$"""
                {
                  "name": "hidden-star",
                  "seed": 11,
                  "durationSeconds": 3600,
                  "network": { "hopLimit": 0, "clockDriftPpm": 1000 },
                  "topology": { "kind": "file", "file": "star.csv" },
                  "radio": { "model": "unitDisk", "rangeMeters": {{range.ToString(CultureInfo.InvariantCulture)}} },
                  "roles": { "sinks": [0] },
                  "workload": { "readingIntervalSeconds": {{IntervalSeconds.ToString(CultureInfo.InvariantCulture)}}, "heartbeatIntervalSeconds": 0 }
                }
                """);
                Assert.Empty(ScenarioValidator.Validate(s, dir));
                var sim = new Simulation(s, dir);
                long airtime = 0;
                sim.FrameTransmitted = (_, _, length, _) => airtime = sim.Radio.AirtimeMicroseconds(length);
                return (sim.Run(), airtime);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void Hidden_leaves_lose_reports_at_the_pure_aloha_rate()
        {
            // Chord between neighbouring leaves 2·R·sin(36°) = 11.8 m > range 10.5 m > R: hidden from each other.
            var (r, airtime) = RunStar(10.5);
            double vulnerable = 2.0 * airtime / (IntervalSeconds * 1e6);
            double expected = 1 - Math.Pow(1 - vulnerable, Leaves - 1);
            double loss = 1 - r.Readings.DeliveryRatio;
            Assert.True(r.Readings.Sent > 30_000, $"{r.Readings.Sent} reports");
            Assert.True(Math.Abs(loss - expected) < 0.2 * expected, $"lost {loss:P2} of reports; pure ALOHA predicts {expected:P2}");
        }

        [Fact]
        public void Leaves_that_hear_each_other_defer_and_lose_far_fewer()
        {
            var (visible, airtime) = RunStar(25);
            double aloha = 1 - Math.Pow(1 - 2.0 * airtime / (IntervalSeconds * 1e6), Leaves - 1);
            double visibleLoss = 1 - visible.Readings.DeliveryRatio;
            Assert.True(visibleLoss < aloha / 4, $"leaves in range of each other lost {visibleLoss:P2}; hidden ones would lose {aloha:P2}");
        }
    }
}
