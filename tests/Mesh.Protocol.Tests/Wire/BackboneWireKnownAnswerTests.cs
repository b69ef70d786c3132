using System;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;

namespace Mesh.Protocol.Tests.WireTests
{
    /// <summary>
    /// Known answers for what the broadcast backbone puts on the wire (PROTOCOL.md "6 · Beacon", flag bit 1,
    /// and "Structured routing", backbone): the beacon of a backbone relay, the strong degree its receivers
    /// read from it, and the 16-bit tags a receiver keeps listed ids as. No new field: the layout is v2's.
    /// </summary>
    public class BackboneWireKnownAnswerTests
    {
        // A backbone relay's beacon: flags 0x02 (bit 1), role 1, cost 40, 2 hops, parent ReceiverId, gateway
        // GatewayId, utilisation 0x20, nothing throttled, neighbours (ReceiverId 230) (GatewayId 128) (Origin 127).
        public const string RelayBeaconPayload =
            "02" + "01" + "2800" + "02" + "f2f0f050" + "eeffc000" + "20" + "00000000" + "0000" + "03"
            + "f2f0f050" + "e6" + "eeffc000" + "80" + "0d0c0b0a" + "7f";

        private static Beacon RelayBeacon()
        {
            var b = new Beacon
            {
                Flags = Beacon.FlagBackbone, Role = 1, Cost = 40, Hops = 2, Parent = ReceiverId, Gateway = GatewayId, Utilisation = 0x20,
                NeighbourCount = 3,
            };
            b.NeighbourIds[0] = ReceiverId;
            b.NeighbourQuality[0] = 230;
            b.NeighbourIds[1] = GatewayId;
            b.NeighbourQuality[1] = 128;
            b.NeighbourIds[2] = Origin;
            b.NeighbourQuality[2] = 127;
            return b;
        }

        [Fact]
        public void A_relays_beacon_is_pinned_and_decodes_back_with_the_backbone_flag()
        {
            byte[] buffer = new byte[Beacon.MaxSize];
            int n = RelayBeacon().Encode(buffer, 0);
            Assert.Equal(21 + 3 * 5, n);
            Assert.Equal(RelayBeaconPayload, Hex(buffer.AsSpan(0, n).ToArray()));

            var d = new Beacon();
            Assert.True(d.TryDecode(Convert.FromHexString(RelayBeaconPayload), 0, n));
            Assert.Equal(Beacon.FlagBackbone, d.Flags & Beacon.FlagBackbone);
            Assert.False(d.IsGateway);
            Assert.Equal(3, d.NeighbourCount);
        }

        [Fact]
        public void The_strong_degree_counts_listed_neighbours_at_128_or_more()
        {
            // 230 and 128 count, 127 does not: priority (2, id).
            Assert.Equal(2, Backbone.DegreeOf(RelayBeacon()));
        }

        [Fact]
        public void The_largest_beacon_still_fits_a_frame()
        {
            // 32 neighbours: 21 + 160 = 181 bytes of payload, 223 on air (header 34, network MIC 8) ≤ 250.
            Assert.Equal(181, Beacon.MaxSize);
            Assert.True(FrameLayout.HeaderSize + Beacon.MaxSize + 8 <= FrameLayout.MaxFrameSize);
        }

        [Fact]
        public void Listed_ids_are_kept_as_fibonacci_tags()
        {
            // tag = (id × 2654435761 mod 2^32) >> 16
            Assert.Equal(50976, Backbone.Tag(0x0A0B0C0D));
            Assert.Equal(40503, Backbone.Tag(1));
            Assert.Equal(15470, Backbone.Tag(2));
        }

        [Fact]
        public void Reserved_flag_bits_above_bit_3_are_still_refused()
        {
            byte[] p = Convert.FromHexString(RelayBeaconPayload);
            p[0] = 0x12;
            Assert.False(new Beacon().TryDecode(p, 0, p.Length));
        }
    }
}
