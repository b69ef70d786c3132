using System;
using System.Globalization;
using System.IO;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Channel
{
    /// <summary>
    /// Interference adds up: a frame survives one interferer 7 dB weaker (above the 6 dB capture
    /// threshold) but not two of them, whose summed power is only 4 dB weaker.
    /// </summary>
    public class InterferenceTests
    {
        // Log-distance with n = 3 and no shadowing: 7 dB is a distance ratio of 10^(7/30) = 1.711.
        private static readonly double Far = 10 * Math.Pow(10, 7.0 / 30);

        private static int ReceptionsAtCentre(int interferers)
        {
            string dir = Paths.NewTempDirectory("sir");
            try
            {
                string F(double v) => v.ToString(CultureInfo.InvariantCulture);
                File.WriteAllText(Path.Combine(dir, "nodes.csv"), $"x,y\n0,0\n10,0\n{F(-Far)},0\n0,{F(Far)}\n");
                Scenario s = ScenarioLoader.Parse("""
                {
                  "durationSeconds": 10,
                  "topology": { "kind": "file", "file": "nodes.csv" },
                  "radio": { "shadowingSigmaDb": 0, "captureThresholdDb": 6, "sensitivityDbm": -100 },
                  "roles": { "sinks": [0] },
                  "workload": { "readingIntervalSeconds": 0, "heartbeatIntervalSeconds": 0 }
                }
                """);
                var sim = new Simulation(s, dir);
                byte[] frame = new byte[100];
                for (int i = 1; i <= 1 + interferers; i++)
                {
                    sim.Inject(i, frame, frame.Length); // all start in the same microsecond
                }

                sim.RunUntil(1_000_000);
                return (int)sim.Nodes[0].Receptions;
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void A_frame_survives_one_interferer_below_the_capture_threshold()
        {
            Assert.Equal(1, ReceptionsAtCentre(1));
        }

        [Fact]
        public void Two_such_interferers_together_drown_it()
        {
            Assert.Equal(0, ReceptionsAtCentre(2));
        }
    }
}
