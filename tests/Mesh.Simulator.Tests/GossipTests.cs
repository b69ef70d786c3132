using System.Globalization;
using System.Linq;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>GOSSIP1(p, k): the forwarding probability trades coverage for transmissions.</summary>
    public class GossipTests
    {
        // One fixed random topology (the seed fixes the positions), an ideal channel so that only the
        // policy decides what is lost.
        private static string Scenario(double p) => $$"""
        {
          "name": "gossip-60",
          "seed": 2,
          "durationSeconds": 600,
          "topology": { "kind": "random", "nodes": 60, "widthMeters": 120, "heightMeters": 120 },
          "radio": { "model": "unitDisk", "rangeMeters": 30, "collisions": false },
          "policy": { "kind": "gossip", "p": {{p.ToString(CultureInfo.InvariantCulture)}}, "k": 1 },
          "workload": { "readingIntervalSeconds": 0, "broadcastIntervalSeconds": 10, "commandIntervalSeconds": 0, "heartbeatIntervalSeconds": 100000000 }
        }
        """;

        [Fact]
        public void Broadcast_delivery_rises_with_the_forwarding_probability_and_reaches_everyone_at_p_1()
        {
            double[] ps = { 0.2, 0.5, 1.0 };
            RunResult[] results = new RunResult[ps.Length];
            for (int i = 0; i < ps.Length; i++)
            {
                var sim = new Simulation(Runs.Parse(Scenario(ps[i])));
                if (i == 0)
                {
                    Assert.True(Graphs.IsConnected(Graphs.FromLinks(sim.Links)), "the test topology must be connected");
                }

                results[i] = sim.Run();
                Assert.True(results[i].Broadcasts.Sent >= 40, $"p={ps[i]}: {results[i].Broadcasts.Sent} broadcasts");
            }

            double[] delivery = results.Select(r => r.Broadcasts.DeliveryRatio).ToArray();
            double[] cost = results.Select(r => (double)r.Broadcasts.Transmissions / r.Broadcasts.Sent).ToArray();
            string table = string.Join(", ", ps.Select((p, i) => $"p={p}: delivery {delivery[i]:0.000}, {cost[i]:0.0} tx/broadcast"));

            Assert.True(delivery[0] < delivery[1] && delivery[1] < delivery[2], "delivery must rise with p: " + table);
            Assert.True(cost[0] < cost[1] && cost[1] < cost[2], "transmissions must rise with p: " + table);
            Assert.True(delivery[2] >= 0.99, "p = 1 is flooding: " + table);
            Assert.True(delivery[0] < 0.9, "p = 0.2 must lose a noticeable share on this topology: " + table);
        }
    }
}
