using System;
using System.Collections.Generic;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Channel
{
    /// <summary>
    /// Carrier sense has a vulnerable window of one slot: nodes that all hear each other still collide
    /// when they pick the same backoff slot. In a 16-node clique every broadcast is relayed by the 15
    /// others at once, which is slotted CSMA's textbook contention.
    /// </summary>
    public class CsmaCollisionTests
    {
        private const int Nodes = 16;
        private const int Window = 16;

        private static string Clique(int hopLimit) => $$"""
        {
          "name": "clique-16",
          "seed": 5,
          "durationSeconds": 1800,
          "network": { "hopLimit": {{hopLimit}} },
          "topology": { "kind": "grid", "nodes": {{Nodes}}, "spacingMeters": 1 },
          "radio": { "model": "unitDisk", "rangeMeters": 100, "contentionWindowSlots": {{Window}} },
          "policy": { "kind": "flooding", "jitterMs": 0 },
          "workload": { "readingIntervalSeconds": 0, "broadcastIntervalSeconds": 5, "heartbeatIntervalSeconds": 0 }
        }
        """;

        /// <summary>
        /// Expected number of the <paramref name="m"/> waiting nodes whose transmission overlaps another:
        /// each round every waiting node draws a slot uniformly from the window; those on the earliest
        /// slot transmit (and collide if two or more); the rest sense them, defer and draw again.
        /// </summary>
        private static double ExpectedColliding(int m, Dictionary<int, double> memo)
        {
            if (m == 0)
            {
                return 0;
            }

            if (memo.TryGetValue(m, out double known))
            {
                return known;
            }

            double total = 0;
            for (int s = 0; s < Window; s++)
            {
                for (int j = 1; j <= m; j++)
                {
                    double p = Choose(m, j) * Math.Pow(1.0 / Window, j) * Math.Pow((Window - 1.0 - s) / Window, m - j);
                    total += p * ((j >= 2 ? j : 0) + ExpectedColliding(m - j, memo));
                }
            }

            memo[m] = total;
            return total;
        }

        private static double Choose(int n, int k)
        {
            double c = 1;
            for (int i = 1; i <= k; i++)
            {
                c = c * (n - k + i) / i;
            }

            return c;
        }

        [Fact]
        public void Relays_in_a_clique_collide_at_the_slotted_csma_rate()
        {
            var sim = new Simulation(Runs.Parse(Clique(1)));
            var starts = new List<(long Start, long End, int Node, uint Origin)>();
            sim.FrameTransmitted = (node, bytes, length, now) =>
            {
                FrameHeader h = Frames.Header(bytes, length);
                Assert.Equal(MessageType.Text, h.Type); // nothing else on the air: readings and heartbeats are off
                starts.Add((now, now + sim.Radio.AirtimeMicroseconds(length), node.Index, h.Origin));
            };
            sim.Run();

            int relays = 0, overlapping = 0;
            for (int i = 0; i < starts.Count; i++)
            {
                if (starts[i].Node == (int)starts[i].Origin - 1)
                {
                    continue; // the broadcast itself: it has the air to itself
                }

                relays++;
                for (int j = 0; j < starts.Count; j++)
                {
                    if (i != j && starts[j].Start < starts[i].End && starts[i].Start < starts[j].End)
                    {
                        overlapping++;
                        break;
                    }
                }
            }

            double expected = ExpectedColliding(Nodes - 1, new Dictionary<int, double>()) / (Nodes - 1); // 0.377 for 15 in 16 slots
            double measured = (double)overlapping / relays;
            Assert.True(relays > 4000, $"{relays} relays");
            Assert.True(Math.Abs(measured - expected) < 0.03, $"{measured:P1} of relays collided; slotted CSMA predicts {expected:P1}");
        }

        [Fact]
        public void Without_collisions_the_ideal_mac_loses_nothing()
        {
            var s = Runs.Parse(Clique(1));
            s.Radio.Collisions = false;
            var r = new Simulation(s).Run();
            Assert.Equal(0, r.CollidedArrivals);
            Assert.Equal(1.0, r.Broadcasts.DeliveryRatio);
        }
    }
}
