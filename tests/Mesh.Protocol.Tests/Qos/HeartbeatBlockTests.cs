using System;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Qos
{
    /// <summary>PROTOCOL.md, "2 · Heartbeat", extension blocks: known-answer bytes of block 1 and the block rules.</summary>
    public class HeartbeatBlockTests
    {
        private const string KnownAnswer =
            "0201" + "0201" + "04030201" + "01"      // relay, flooding, counter 0x0102, uptime 0x01020304, 1 neighbour
            + "0D0C0B0A" + "C4" + "C8"                // id 0x0A0B0C0D, -60 dBm, quality 200
            + "010C" + "40" + "80" + "3412" + "EFBEADDE" + "010203FF"; // block 1: 25 %, 50 %, 0x1234, 0xDEADBEEF, lost 1 2 3 255

        private static Heartbeat Sample()
        {
            var hb = new Heartbeat
            {
                Role = NodeRole.Relay,
                Policy = PolicyKind.Flooding,
                Counter = 0x0102,
                UptimeSeconds = 0x01020304,
                NeighbourCount = 1,
                HasQos = true,
            };
            hb.NeighbourIds[0] = 0x0A0B0C0D;
            hb.NeighbourRssi[0] = -60;
            hb.NeighbourQuality[0] = 200;
            hb.Qos.Utilisation = 0x40;
            hb.Qos.DutyUsed = 0x80;
            hb.Qos.Throttled = 0x1234;
            hb.Qos.MostThrottled = 0xDEADBEEF;
            hb.Qos.Lost[0] = 1;
            hb.Qos.Lost[1] = 2;
            hb.Qos.Lost[2] = 3;
            hb.Qos.Lost[3] = 255;
            return hb;
        }

        private static byte[] Hex(string s) => Convert.FromHexString(s);

        [Fact]
        public void Block_1_encodes_to_the_known_bytes_and_decodes_back()
        {
            byte[] buffer = new byte[FrameLayout.MaxPayloadSize];
            Heartbeat hb = Sample();
            int n = hb.Encode(buffer, 0);
            Assert.Equal(29, n);
            Assert.Equal(n, hb.EncodedLength);
            Assert.Equal(KnownAnswer, Convert.ToHexString(buffer, 0, n));

            var back = new Heartbeat();
            Assert.True(back.TryDecode(Hex(KnownAnswer), 0, n));
            Assert.True(back.HasQos);
            Assert.Equal(1, back.NeighbourCount);
            Assert.Equal(0x0A0B0C0Du, back.NeighbourIds[0]);
            Assert.Equal(0x40, back.Qos.Utilisation);
            Assert.Equal(0x80, back.Qos.DutyUsed);
            Assert.Equal(0x1234, back.Qos.Throttled);
            Assert.Equal(0xDEADBEEFu, back.Qos.MostThrottled);
            Assert.Equal(new byte[] { 1, 2, 3, 255 }, back.Qos.Lost);
        }

        [Fact]
        public void A_heartbeat_without_blocks_still_decodes()
        {
            byte[] plain = Hex(KnownAnswer[..(15 * 2)]);
            var hb = new Heartbeat();
            Assert.True(hb.TryDecode(plain, 0, plain.Length));
            Assert.False(hb.HasQos);
            Assert.Equal(1, hb.NeighbourCount);
        }

        [Fact]
        public void Unknown_tags_are_skipped_and_a_longer_known_block_is_read_for_its_fields()
        {
            // An unknown block (tag 9, 3 bytes), the route block (tag 2, skipped until routing reads it),
            // then block 1 with two extra bytes a later version might add.
            string blocks = "0903AABBCC" + "0207" + "01000000100003" + "010E" + "40803412EFBEADDE010203FF" + "7777";
            byte[] payload = Hex(KnownAnswer[..(15 * 2)] + blocks);
            var hb = new Heartbeat();
            Assert.True(hb.TryDecode(payload, 0, payload.Length));
            Assert.True(hb.HasQos);
            Assert.Equal(0xDEADBEEFu, hb.Qos.MostThrottled);
        }

        [Theory]
        [InlineData("01")]                                      // a lone tag byte
        [InlineData("0905AABB")]                                // a block running past the end
        [InlineData("010B40803412EFBEADDE010203")]              // block 1 one byte short
        [InlineData("010C40803412EFBEADDE010203FF010C40803412EFBEADDE010203FF")] // block 1 twice
        public void Malformed_blocks_make_the_heartbeat_malformed(string blocks)
        {
            byte[] payload = Hex(KnownAnswer[..(15 * 2)] + blocks);
            Assert.False(new Heartbeat().TryDecode(payload, 0, payload.Length));
        }

        [Theory]
        [InlineData("0300")]       // block 3 with no value
        [InlineData("0301050301FF")] // block 3 twice
        public void Malformed_block_3_makes_the_heartbeat_malformed(string blocks)
        {
            byte[] payload = Hex(KnownAnswer[..(15 * 2)] + blocks);
            Assert.False(new Heartbeat().TryDecode(payload, 0, payload.Length));
        }

        [Fact]
        public void Block_3_encodes_to_the_known_bytes_and_says_how_many_neighbours_the_node_knows()
        {
            Heartbeat hb = Sample();
            hb.HasNeighboursKnown = true;
            hb.NeighboursKnown = 23;
            byte[] buffer = new byte[FrameLayout.MaxPayloadSize];
            int n = hb.Encode(buffer, 0);
            Assert.Equal(32, n);
            Assert.Equal(KnownAnswer + "0301" + "17", Convert.ToHexString(buffer, 0, n));

            var back = new Heartbeat();
            Assert.True(back.TryDecode(buffer, 0, n));
            Assert.True(back.HasNeighboursKnown);
            Assert.Equal(23, back.NeighboursKnown);
            Assert.Equal(1, back.NeighbourCount);

            // A count past 255 saturates; an older sender's heartbeat has no block 3.
            Assert.Equal(3, Heartbeat.WriteNeighboursKnownBlock(buffer, 0, 300));
            Assert.Equal(255, buffer[2]);
            Assert.True(back.TryDecode(Hex(KnownAnswer), 0, KnownAnswer.Length / 2));
            Assert.False(back.HasNeighboursKnown);
        }

        [Fact]
        public void With_blocks_1_and_3_at_most_29_neighbours_fit_in_the_200_byte_payload_27_with_block_2_and_31_with_none()
        {
            var hb = new Heartbeat { HasQos = true, HasNeighboursKnown = true };
            Assert.Equal(29, hb.NeighbourRoom);
            hb.NeighbourCount = hb.NeighbourRoom;
            Assert.True(hb.EncodedLength <= FrameLayout.MaxPayloadSize);
            hb.HasRoute = true;
            Assert.Equal(27, hb.NeighbourRoom);

            // No block: 9 + 31 × 6 = 195 bytes fit; all 32 neighbours (201 bytes) do not.
            var bare = new Heartbeat();
            Assert.Equal(31, bare.NeighbourRoom);
            bare.NeighbourCount = bare.NeighbourRoom;
            Assert.Equal(195, bare.EncodedLength);
            Assert.True(Heartbeat.FixedSize + Heartbeat.MaxNeighbours * Heartbeat.EntrySize > FrameLayout.MaxPayloadSize);
        }

        [Theory]
        [InlineData(-1)]
        [InlineData(33)]
        public void A_heartbeat_neighbour_limit_outside_0_to_32_is_refused_with_its_name(int limit)
        {
            var config = new NodeConfig { NodeId = 1, HeartbeatNeighbours = limit };
            Assert.Equal("HeartbeatNeighbours: must be 0..32", config.Validate());
        }
    }
}
