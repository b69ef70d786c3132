using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.MessagesTests
{
    /// <summary>
    /// What a node keeps to build and check messages, without 32-entry arrays it never fills (an ESP32-C3's heap):
    /// a reading set sized to its sensors refuses what does not fit instead of overrunning, and a relay checks a
    /// heartbeat without decoding it into an object (the node writes its own straight into its payload buffer).
    /// </summary>
    public class SizedBuilderTests
    {
        [Fact]
        public void A_reading_set_built_for_three_values_takes_three_and_refuses_a_fourth_and_a_frame_with_more()
        {
            var small = new ReadingSet(3);
            Assert.Equal(3, small.Capacity);
            Assert.True(small.Add(Quantity.Temperature, 21.5));
            Assert.True(small.Add(Quantity.Humidity, 40));
            Assert.True(small.AddRaw(Quantity.Pressure, 101_325));
            Assert.False(small.Add(Quantity.BatteryVoltage, 3.7));
            Assert.False(small.AddGeneric(7, 1, 0));
            Assert.Equal(3, small.Count);

            var full = new ReadingSet();
            Assert.Equal(ReadingSet.MaxItems, full.Capacity);
            for (int i = 0; i < 4; i++)
            {
                Assert.True(full.AddRaw(Quantity.Temperature, i));
            }

            var b = new byte[FrameLayout.MaxPayloadSize];
            int n = full.Encode(b, 0, b.Length);
            Assert.True(ReadingSet.IsWellFormed(b, 0, n));
            Assert.False(small.TryDecode(b, 0, n));
            Assert.Equal(0, small.Count);
            Assert.True(new ReadingSet(4).TryDecode(b, 0, n));
        }

        [Fact]
        public void The_relays_heartbeat_check_accepts_what_the_decoder_accepts_and_refuses_a_cut_one()
        {
            var hb = new Heartbeat { Role = NodeRole.Relay, Policy = PolicyKind.Flooding, Counter = 1, UptimeSeconds = 2, NeighbourCount = 8 };
            for (int i = 0; i < 8; i++)
            {
                hb.NeighbourIds[i] = (uint)(100 + i);
                hb.NeighbourQuality[i] = (byte)(200 - i);
            }

            var b = new byte[FrameLayout.MaxPayloadSize];
            int n = hb.Encode(b, 0);
            Assert.Equal(Heartbeat.FixedSize + 8 * Heartbeat.EntrySize, n);
            Assert.True(Heartbeat.IsWellFormed(b, 0, n));
            var decoded = new Heartbeat();
            Assert.True(decoded.TryDecode(b, 0, n));
            Assert.Equal(107u, decoded.NeighbourIds[7]);

            var big = new Heartbeat { Role = NodeRole.Relay, Policy = PolicyKind.Flooding, NeighbourCount = 20 };
            n = big.Encode(b, 0);
            Assert.True(Heartbeat.IsWellFormed(b, 0, n));
            Assert.True(new Heartbeat().TryDecode(b, 0, n));
            Assert.False(Heartbeat.IsWellFormed(b, 0, n - 1));
            Assert.False(new Heartbeat().TryDecode(b, 0, n - 1));
        }
    }
}
