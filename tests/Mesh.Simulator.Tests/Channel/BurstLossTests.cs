using System.Collections.Generic;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Channel
{
    /// <summary>Gilbert–Elliott loss: losses come in bursts of mean length 1 / badToGood.</summary>
    public class BurstLossTests
    {
        private const double GoodToBad = 0.02;
        private const double BadToGood = 0.25;

        [Fact]
        public void Loss_runs_have_the_chains_mean_burst_length_and_stationary_rate()
        {
            var sim = new Simulation(Runs.Parse($$"""
            {
              "seed": 8,
              "durationSeconds": 1800,
              "network": { "hopLimit": 0 },
              "topology": { "kind": "line", "nodes": 2, "spacingMeters": 10 },
              "radio": { "model": "unitDisk", "rangeMeters": 15,
                         "burstLoss": { "goodToBad": {{GoodToBad}}, "badToGood": {{BadToGood}}, "lossInGood": 0, "lossInBad": 1 } },
              "roles": { "sinks": [0] },
              "workload": { "readingIntervalSeconds": 0.05, "heartbeatIntervalSeconds": 0 }
            }
            """));
            var sent = new List<uint>();
            var delivered = new HashSet<uint>();
            sim.FrameTransmitted = (node, bytes, length, _) => sent.Add(Frames.Header(bytes, length).Sequence);
            sim.MessageDelivered = (node, e, _) => delivered.Add(e.Sequence);
            sim.Run();

            int lost = 0, bursts = 0;
            bool inBurst = false;
            foreach (uint s in sent)
            {
                bool isLost = !delivered.Contains(s);
                lost += isLost ? 1 : 0;
                bursts += isLost && !inBurst ? 1 : 0;
                inBurst = isLost;
            }

            double meanBurst = (double)lost / bursts;
            double lossRate = (double)lost / sent.Count;
            Assert.True(sent.Count > 30_000, $"{sent.Count} frames");
            Assert.InRange(meanBurst, 0.9 / BadToGood, 1.1 / BadToGood);
            double stationary = GoodToBad / (GoodToBad + BadToGood);
            Assert.InRange(lossRate, 0.85 * stationary, 1.15 * stationary);
        }
    }
}
