using System;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;

namespace Mesh.Protocol.Tests.WireTests
{
    /// <summary>
    /// Known answers for the structured-routing additions to wire format v2 (PROTOCOL.md "6 · Beacon",
    /// "7 · Hop ack", "Measured at" and decode rules 5 and 8). Pinned three ways as the other known
    /// answers are: literal (kat_v2.py), the in-test reference <see cref="MeshV2Reference"/>, and the core
    /// (codec + sealers; the hop ack also as a core gateway sends it).
    /// </summary>
    public class RoutingWireKnownAnswerTests
    {
        // 6. Beacon from Origin, sequence 261, flags 0 (network MIC only), hop limit 0, to everyone:
        //    not a gateway, role 1, cost 40, 2 hops, parent ReceiverId, gateway GatewayId, utilisation 0x20,
        //    nothing throttled, neighbours (ReceiverId 230) (GatewayId 128). 31 bytes. Sender cost 40 (0x0028): a node
        //    that routes writes the cost it advertises, the same its beacon carries (MeshNode.SenderCost).
        public const string BeaconPayload =
            "00" + "01" + "2800" + "02" + "f2f0f050" + "eeffc000" + "20" + "00000000" + "0000" + "02" + "f2f0f050" + "e6" + "eeffc000" + "80";
        public const string BeaconHeader =
            "20" + "06" + "3412" + "03" + "0d0c0b0a" + "ffffffff" + "05010000" + "00d2496b" + "00" + "00" + "0d0c0b0a" + "00000000" + "2800" + "1f";
        public const string BeaconNetMic = "1ddcbfd8f39d232a";
        public const string BeaconFrame = BeaconHeader + BeaconPayload + BeaconNetMic;

        // 7. Hop ack from GatewayId to Origin, sequence 78, acknowledging (Origin, 258). 9 bytes. Sender cost 0: a
        //    gateway's (unloaded), as the core gateway below writes it.
        public const string HopAckPayload = "01" + "0d0c0b0a" + "02010000";
        public const string HopAckHeader =
            "20" + "07" + "3412" + "03" + "eeffc000" + "0d0c0b0a" + "4e000000" + "00d2496b" + "00" + "00" + "eeffc000" + "00000000" + "0000" + "09";
        public const string HopAckNetMic = "357179b59d64bd50";
        public const string HopAckFrame = HopAckHeader + HopAckPayload + HopAckNetMic;

        // Readings payload with a measured-at item first (time Epoch − 600), then 21.50 °C: count 2.
        public const string MeasuredAtPayload = "02" + "fe" + "a8cf496b" + "0166080000";

        public static RefHeader BeaconRef => new RefHeader(0, (byte)MessageType.Beacon, Network, NetworkKeyIndex, 0,
            Origin, NodeAddress.Broadcast, 261, Time, 0, 0, Origin, 0, SenderCost: 40);

        public static RefHeader HopAckRef => new RefHeader(0, (byte)MessageType.HopAck, Network, NetworkKeyIndex, 0,
            GatewayId, Origin, 78, Time, 0, 0, GatewayId, 0, SenderCost: 0);

        [Fact]
        public void Literal_frames_have_header_payload_and_network_mic_only()
        {
            Assert.Equal(34, Convert.FromHexString(BeaconHeader).Length);
            Assert.Equal(34, Convert.FromHexString(HopAckHeader).Length);
            Assert.Equal(21 + 2 * 5, Convert.FromHexString(BeaconPayload).Length);
            Assert.Equal(34 + 31 + 8, Convert.FromHexString(BeaconFrame).Length);
            Assert.Equal(34 + 9 + 8, Convert.FromHexString(HopAckFrame).Length);
        }

        [Fact]
        public void Beacon_payload_encoder_is_pinned_and_decodes_back()
        {
            Beacon b = new Beacon
            {
                Flags = 0, Role = 1, Cost = 40, Hops = 2, Parent = ReceiverId, Gateway = GatewayId, Utilisation = 0x20,
                NeighbourCount = 2,
            };
            b.NeighbourIds[0] = ReceiverId;
            b.NeighbourQuality[0] = 230;
            b.NeighbourIds[1] = GatewayId;
            b.NeighbourQuality[1] = 128;
            byte[] buffer = new byte[Beacon.MaxSize];
            int n = b.Encode(buffer, 0);
            Assert.Equal(BeaconPayload, Hex(buffer.AsSpan(0, n).ToArray()));

            Beacon d = new Beacon();
            Assert.True(d.TryDecode(buffer, 0, n));
            Assert.Equal(40, d.Cost);
            Assert.Equal(2, d.Hops);
            Assert.Equal(ReceiverId, d.Parent);
            Assert.Equal(GatewayId, d.Gateway);
            Assert.Equal(230, d.QualityOf(ReceiverId));
            Assert.Equal(128, d.QualityOf(GatewayId));
            Assert.Equal(-1, d.QualityOf(Origin));
            Assert.False(d.IsGateway);
        }

        [Fact]
        public void Beacon_decoder_refuses_reserved_flags_long_lists_and_wrong_lengths()
        {
            byte[] p = Convert.FromHexString(BeaconPayload);
            var b = new Beacon();
            Assert.False(b.TryDecode(p, 0, p.Length - 1));
            Assert.False(b.TryDecode(p, 0, 20));
            byte[] flags = (byte[])p.Clone();
            flags[0] = 0x10;
            Assert.False(b.TryDecode(flags, 0, flags.Length));
            byte[] many = new byte[21];
            many[20] = 33;
            Assert.False(b.TryDecode(many, 0, many.Length));
            byte[] none = new byte[21];
            Assert.True(b.TryDecode(none, 0, none.Length));
            Assert.Equal(0, b.NeighbourCount);
        }

        [Fact]
        public void Hop_ack_payload_encoder_is_pinned_and_the_decoder_is_total()
        {
            var a = new HopAck { Count = 1 };
            a.Origins[0] = Origin;
            a.Sequences[0] = 258;
            byte[] buffer = new byte[HopAck.MaxSize];
            int n = a.Encode(buffer, 0);
            Assert.Equal(HopAckPayload, Hex(buffer.AsSpan(0, n).ToArray()));

            var d = new HopAck();
            Assert.True(d.TryDecode(buffer, 0, n));
            Assert.Equal(1, d.Count);
            Assert.Equal(Origin, d.Origins[0]);
            Assert.Equal(258u, d.Sequences[0]);
            Assert.False(d.TryDecode(new byte[] { 0 }, 0, 1));          // n = 0
            byte[] nine = new byte[1 + 9 * 8];
            nine[0] = 9;
            Assert.False(d.TryDecode(nine, 0, nine.Length));           // n = 9
            Assert.False(d.TryDecode(buffer, 0, n - 1));
            a.Count = 0;
            Assert.Equal(-1, a.Encode(buffer, 0));
        }

        [Fact]
        public void Measured_at_item_is_pinned_first_and_counts_towards_count()
        {
            var set = new ReadingSet();
            set.SetMeasuredAt(Time - 600);
            Assert.True(set.AddRaw(Quantity.Temperature, 2150));
            byte[] buffer = new byte[FrameLayout.MaxPayloadSize];
            int n = set.Encode(buffer, 0, buffer.Length);
            Assert.Equal(MeasuredAtPayload, Hex(buffer.AsSpan(0, n).ToArray()));

            var d = new ReadingSet();
            Assert.True(d.TryDecode(buffer, 0, n));
            Assert.True(d.HasMeasuredAt);
            Assert.Equal(Time - 600, d.MeasuredAt);
            Assert.Equal(1, d.Count);
            Assert.Equal(2150, d.RawValueAt(0));

            // Only first: a measured-at item after a value is malformed; and at most 32 items in all.
            byte[] second = Convert.FromHexString("02" + "0166080000" + "fe" + "a8cf496b");
            Assert.False(ReadingSet.IsWellFormed(second, 0, second.Length));
            var full = new ReadingSet();
            full.SetMeasuredAt(1);
            for (int i = 0; i < ReadingSet.MaxItems; i++)
            {
                full.AddRaw(Quantity.Temperature, i);
            }

            Assert.Equal(-1, full.Encode(new byte[400], 0, 400));
        }

        [Fact]
        public void Reference_implementation_produces_the_pinned_frames()
        {
            Assert.Equal(BeaconFrame, Hex(RefSeal(BeaconRef, Convert.FromHexString(BeaconPayload))));
            Assert.Equal(HopAckFrame, Hex(RefSeal(HopAckRef, Convert.FromHexString(HopAckPayload))));
        }

        [Fact]
        public void Core_codec_and_sealer_produce_the_pinned_frames()
        {
            NetworkKey key = Key(Secret);
            Assert.Equal(BeaconFrame, Hex(CoreSeal(key, BeaconRef, Convert.FromHexString(BeaconPayload))));
            Assert.Equal(HopAckFrame, Hex(CoreSeal(key, HopAckRef, Convert.FromHexString(HopAckPayload))));
        }

        [Fact]
        public void A_core_gateway_hop_acks_an_upward_reading_with_the_pinned_frame()
        {
            NetworkKey key = Key(Secret);
            MeshNode gateway = new MeshNode(new NodeConfig
            {
                NodeId = GatewayId,
                NetworkId = Network,
                Role = NodeRole.Bridge,
                IsGateway = true,
                HopAckBundleMs = 0, // the frame pinned is a hop ack sent at once (a bundle of one has the same bytes, sent later)
                Policy = PolicySettings.Structured(2),
                DeviceKeys = new FixtureDeviceKeys(DesktopCrypto.Instance),
                RequireCheckpointConfirmation = false,
                InitialNetworkTime = Time,
                InitialSequence = 78,
                HeartbeatIntervalMs = 10_000_000,
            }, key, new Mesh.Protocol.XorShiftRandom(GatewayId), 0);

            // The known readings frame, sent upward with next hop = the gateway.
            RefHeader up = WireFormatKnownAnswerTests.ReadingsRef with { NextHop = GatewayId };
            byte[] frame = CoreSeal(key, up, ReadingsPayload);
            Assert.Equal(RejectReason.None, gateway.Receive(frame, 0, frame.Length, -50, 0));

            byte[] buffer = new byte[FrameLayout.MaxFrameSize];
            bool found = false;
            // Taken when due: a one-hop frame is stamped with the second it leaves (PROTOCOL.md, "Freshness").
            for (long at = gateway.NextTransmitMs; at != long.MaxValue && gateway.TryTakeTransmit(at, buffer, 0, out int length); at = gateway.NextTransmitMs)
            {
                if (buffer[FrameLayout.OffsetType] == (byte)MessageType.HopAck)
                {
                    Assert.Equal(HopAckFrame, Hex(buffer.AsSpan(0, length).ToArray()));
                    found = true;
                }
            }

            Assert.True(found, "the gateway sent no hop ack");
        }

        [Theory]
        [InlineData(BeaconFrame)]
        [InlineData(HopAckFrame)]
        public void Beacons_and_hop_acks_decode_and_are_not_refused_as_unsealed(string hex)
        {
            byte[] frame = Convert.FromHexString(hex);
            var h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, h));
            Assert.Equal(0, h.HopLimit);
            Assert.Equal(hex == BeaconFrame ? 40 : 0, h.SenderCost);
            Assert.False(h.IsEncrypted);

            // A node that requires encryption (the default) and does not route structured accepts them silently.
            MeshNode node = Receiver(Key(Secret), id: 0x01020304, requireEncryption: true);
            Assert.Equal(RejectReason.None, node.Receive(frame, 0, frame.Length, -50, 0));
            Assert.Equal(0, node.PendingEvents);
            Assert.Equal(0, node.PendingTransmits);
        }

        [Fact]
        public void Decode_rules_for_beacons_and_hop_acks_give_bad_address_or_reserved_flags()
        {
            NetworkKey key = Key(Secret);
            byte[] beacon = Convert.FromHexString(BeaconPayload);
            byte[] ack = Convert.FromHexString(HopAckPayload);
            Assert.Equal(RejectReason.BadAddress, Decode(CoreSeal(key, BeaconRef with { HopLimit = 1 }, beacon)));
            Assert.Equal(RejectReason.BadAddress, Decode(CoreSeal(key, BeaconRef with { Destination = NodeAddress.Gateways }, beacon)));
            Assert.Equal(RejectReason.BadAddress, Decode(CoreSeal(key, BeaconRef with { Destination = ReceiverId }, beacon)));
            Assert.Equal(RejectReason.BadAddress, Decode(CoreSeal(key, HopAckRef with { HopLimit = 2, HopsTaken = 1 }, ack)));
            Assert.Equal(RejectReason.None, Decode(CoreSeal(key, HopAckRef with { Destination = NodeAddress.Broadcast }, ack))); // a gateway's bundle
            Assert.Equal(RejectReason.BadAddress, Decode(CoreSeal(key, HopAckRef with { Destination = NodeAddress.Gateways }, ack)));

            // Payload sealing on a one-hop frame: refused at rule 5 (flags the type does not allow).
            byte[] sealedBeacon = CoreSeal(key, BeaconRef with { Flags = FrameFlags.NetworkSealed }, beacon);
            Assert.Equal(RejectReason.ReservedFlags, Decode(sealedBeacon));
            byte[] deviceAck = CoreSeal(key, HopAckRef with { Flags = FrameFlags.DeviceSealed }, ack, DesktopCrypto.Instance);
            Assert.Equal(RejectReason.ReservedFlags, Decode(deviceAck));

            // Type 8 is still unknown.
            byte[] eight = Convert.FromHexString(HopAckFrame);
            eight[1] = 8;
            Assert.Equal(RejectReason.UnknownMessageType, Decode(eight));
        }

        private static RejectReason Decode(byte[] frame) => FrameCodec.TryDecode(frame, 0, frame.Length, new FrameHeader());
    }
}
