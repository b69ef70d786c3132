using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.NodeBehaviour
{
    /// <summary>The commander's retransmission timer (RFC 6298 with Karn's rule), by known answers and through real nodes.</summary>
    public class CommandTimerTests
    {
        [Fact]
        public void Before_any_sample_the_timeout_is_the_configured_maximum()
        {
            Assert.Equal(4000, new CommandTimer(500, 4000).TimeoutMs);
        }

        [Fact]
        public void Samples_follow_rfc_6298_in_integer_milliseconds()
        {
            var t = new CommandTimer(100, 4000);
            t.Sample(200); // SRTT 200, RTTVAR 100 -> 600
            Assert.Equal(600, t.TimeoutMs);
            t.Sample(100); // RTTVAR (300 + 100) / 4 = 100, SRTT (1400 + 100) / 8 = 187 -> 587
            Assert.Equal(187, t.SmoothedRoundTripMs);
            Assert.Equal(587, t.TimeoutMs);
        }

        [Fact]
        public void The_timeout_stays_between_the_minimum_and_the_maximum()
        {
            var t = new CommandTimer(500, 4000);
            for (int i = 0; i < 50; i++)
            {
                t.Sample(20);
            }

            Assert.Equal(500, t.TimeoutMs);
            for (int i = 0; i < 50; i++)
            {
                t.Sample(60_000);
            }

            Assert.Equal(4000, t.TimeoutMs);
            Assert.Equal(500, new CommandTimer(9000, 500).TimeoutMs); // a minimum above the maximum acts as the maximum
        }

        [Fact]
        public void Once_round_trips_are_known_a_lost_directed_attempt_is_retried_after_the_estimate_not_after_four_seconds()
        {
            // Line 1-2-3; commander 1 learns the round trip to 3 from acknowledged pings, then the relay drops one.
            var mesh = InMemoryMesh.Line(3, id =>
            {
                NodeConfig c = InMemoryMesh.Config(id, id == 1 ? NodeRole.Bridge : id == 3 ? NodeRole.Sensor : NodeRole.Relay);
                return c;
            });
            var set = new ReadingSet();
            set.Add(Quantity.Temperature, 20);
            mesh[3].SendReadings(set, mesh.Now);
            mesh.RunFor(500);
            for (int i = 0; i < 5; i++)
            {
                Assert.Equal(SendResult.Queued, mesh[1].SendCommand(3, CommandKind.Ping, new byte[0], 0, 0, mesh.Now, out _));
                mesh.RunFor(1000);
            }

            Assert.Equal(5, mesh[1].Counters.CommandsAcknowledged);
            Assert.Equal(0, mesh[1].Counters.CommandRetries);

            mesh.Kill(2);
            Assert.Equal(SendResult.Queued, mesh[1].SendCommand(3, CommandKind.Ping, new byte[0], 0, 0, mesh.Now, out _));
            mesh.RunFor(499);
            Assert.Equal(0, mesh[1].Counters.CommandRetries); // not before the 500 ms floor
            mesh.RunFor(101);
            Assert.Equal(1, mesh[1].Counters.CommandRetries); // the flooded retry went out after ~0.5 s, not 4 s
        }
    }
}
