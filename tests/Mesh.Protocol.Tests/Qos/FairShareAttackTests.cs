using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Qos
{
    /// <summary>
    /// PROTOCOL.md, "Traffic classes and quality of service", per-origin fair share: an insider neighbour
    /// that transmits at line rate (its own node with every limit switched off) cannot push more than
    /// burst + rate × t of its frames through an honest relay, while an honest origin sharing that relay
    /// gets every frame through.
    /// </summary>
    public class FairShareAttackTests
    {
        private const uint Babbler = 1;
        private const uint Relay = 2;
        private const uint Gateway = 3;
        private const uint Honest = 4;

        // The defaults PROTOCOL.md gives: 6 frames a minute, a burst of 8.
        private const int RatePerMinute = 6;
        private const int Burst = 8;

        [Fact]
        public void A_babbling_neighbour_gets_at_most_burst_plus_rate_times_t_through_a_relay_while_an_honest_origin_gets_everything()
        {
            var mesh = new InMemoryMesh();
            NodeConfig babbler = InMemoryMesh.Config(Babbler, NodeRole.Sensor);
            babbler.DutyCyclePermille = 1000; // the attacker ignores the duty-cycle rule
            babbler.TransmitQueueSize = 64;
            mesh.Add(babbler);
            mesh.Add(InMemoryMesh.Config(Relay, NodeRole.Relay));
            mesh.Add(InMemoryMesh.Config(Gateway, NodeRole.Bridge));
            mesh.Add(InMemoryMesh.Config(Honest, NodeRole.Sensor));
            mesh.Link(Babbler, Relay);
            mesh.Link(Honest, Relay);
            mesh.Link(Relay, Gateway);

            const long durationMs = 180_000;
            const long babbleEveryMs = 10;    // 100 frames a second
            const long honestEveryMs = 10_000; // 6 a minute: as fast as the fair share refills
            var set = new ReadingSet();
            int babbled = 0;
            int honestSent = 0;
            for (long t = 0; t < durationMs; t += babbleEveryMs)
            {
                set.Clear();
                set.AddRaw(Quantity.Temperature, (int)(t % 5000));
                if (mesh[Babbler].SendReadings(set, mesh.Now) == SendResult.Queued)
                {
                    babbled++;
                }

                if (t % honestEveryMs == 0)
                {
                    Assert.Equal(SendResult.Queued, mesh[Honest].SendReadings(set, mesh.Now));
                    honestSent++;
                }

                mesh.RunFor(babbleEveryMs);
            }

            mesh.RunFor(1_000);

            int babblerRelayed = mesh.Log.Count(x => x.Node == Relay && x.Origin == Babbler);
            int honestRelayed = mesh.Log.Count(x => x.Node == Relay && x.Origin == Honest);
            int honestDelivered = mesh.Events[Gateway].Count(e => e.Kind == MeshEventKind.Message && e.Origin == Honest && e.Type == MessageType.Readings);
            long bound = Burst + RatePerMinute * durationMs / 60_000;

            Assert.True(babbled > 10_000, $"the babbler sent only {babbled} frames");
            Assert.True(babblerRelayed <= bound, $"relay passed {babblerRelayed} of the babbler's {babbled} frames; fair share allows {bound}");
            Assert.True(babblerRelayed >= bound - 1, $"relay passed only {babblerRelayed}: the fair share is {bound}");
            Assert.Equal(honestSent, honestRelayed);
            Assert.Equal(honestSent, honestDelivered);
            // Every babbler frame the relay did not pass was throttled, or refused before that by its duplicate
            // cache's floor (the babble overflows the cache within a second: PROTOCOL.md, "Freshness").
            Assert.Equal(babbled - babblerRelayed, mesh[Relay].Counters.ThrottledFrames + mesh[Relay].Counters.RejectedFor(RejectReason.TooOld));
        }
    }
}
