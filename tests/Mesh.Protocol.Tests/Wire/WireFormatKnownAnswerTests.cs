using System;
using System.Security.Cryptography;
using System.Text;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;

namespace Mesh.Protocol.Tests.WireTests
{
    /// <summary>
    /// Byte-exact known answers for wire format v2 (PROTOCOL.md, "Frame", "Network MIC", "Payload
    /// sealing (SIV)"). Each expected frame is pinned three ways: as a literal (computed once with a
    /// third, non-.NET implementation, <c>kat_v2.py</c> next to this file: Python hmac + cryptography),
    /// by the in-test reference <see cref="MeshV2Reference"/> (System.Security.Cryptography, written from
    /// the spec), and by the core itself — through MeshNode and through FrameCodec + PayloadSealer +
    /// NetworkSealer. A change in any of the three shows up here.
    /// </summary>
    public class WireFormatKnownAnswerTests
    {
        // Network key 00..0f at index 3; device key of Origin 40..4f at index 5; network 0x1234;
        // time 1,800,000,000 (00d2496b); hop limit 8; hops taken 0; previous hop = origin; next hop none;
        // sender cost ffff: every sender here (the fixture sensor, the fixture "gateway" bridge, the relay) does not
        // route structured, so it advertises no cost (MeshNode.SenderCost).
        public const string KnownHopKey = "82d1e8f718da5107469168287d89bcbeb43b9857da90b20fe6f3fa313def1173";
        public const string KnownNetEncKey = "190f2957069a2a3166080791f41b3f03";
        public const string KnownNetMacKey = "b6d428222efa31530b22f076d7f26fda0c36db9b936a5d18b44a9a1478e25ae0";
        public const string KnownDevEncKey = "6998f0d8eb105f50717ca31e75adac28";
        public const string KnownDevMacKey = "1106c52e2dd4739b74c860bcc3fb71cc3879e0fd3d98db1f2aa8a39efab71322";

        // 1. Readings, device-sealed uplink: Origin 0x0A0B0C0D -> every gateway (0xFFFFFFFE), sequence 258;
        //    payload {temperature 21.50 °C, humidity 40.25 %} = 02 | 01 66080000 | 02 b90f0000 (11 bytes).
        public const string ReadingsHeader =
            "21" + "01" + "3412" + "53" + "0d0c0b0a" + "feffffff" + "02010000" + "00d2496b" + "08" + "00" + "0d0c0b0a" + "00000000" + "ffff" + "0b";
        public const string ReadingsCiphertext = "14703689f7ef917811c883";
        public const string ReadingsPayloadMic = "0b92520d313f9493";
        public const string ReadingsNetMic = "4859e632651d46e4";
        public const string ReadingsFrame = ReadingsHeader + ReadingsCiphertext + ReadingsPayloadMic + ReadingsNetMic;

        // 1b. The readings frame relayed once by ReceiverId (0x50F0F0F2): hops taken 1, previous hop = relay,
        //     next hop 0, sender cost ffff (the relay does not route structured). Same ciphertext and payload MIC
        //     (hop fields are zeroed under it), new network MIC.
        public const string RelayedReadingsHeader =
            "21" + "01" + "3412" + "53" + "0d0c0b0a" + "feffffff" + "02010000" + "00d2496b" + "08" + "01" + "f2f0f050" + "00000000" + "ffff" + "0b";
        public const string RelayedReadingsNetMic = "7dbe562087be240b";
        public const string RelayedReadingsFrame = RelayedReadingsHeader + ReadingsCiphertext + ReadingsPayloadMic + RelayedReadingsNetMic;

        // 2. Command, device-sealed downlink (sealed with the *target's* device key): gateway 0x00C0FFEE ->
        //    Origin, sequence 77; payload = command id 0x1171 | kind 1 (set report interval) | 4 arg bytes |
        //    counter 77 | 300 s (12 bytes).
        public const ushort CommandId = 0x1171;
        public const uint CommandSequence = 77;
        public const string CommandPlaintext = "7111" + "01" + "04" + "4d000000" + "2c010000";
        public const string CommandHeader =
            "23" + "03" + "3412" + "53" + "eeffc000" + "0d0c0b0a" + "4d000000" + "00d2496b" + "08" + "00" + "eeffc000" + "00000000" + "ffff" + "0c";
        public const string CommandCiphertext = "c51396bf5305b81e9367533d";
        public const string CommandPayloadMic = "234b7b4550fd2508";
        public const string CommandNetMic = "ba39fd45017947ef";
        public const string CommandFrame = CommandHeader + CommandCiphertext + CommandPayloadMic + CommandNetMic;

        // 3. Text, network-sealed: Origin -> everyone (0xFFFFFFFF), sequence 259, "hello mesh" (10 bytes);
        //    device key index 0 (no device key involved).
        public const string TextPlaintext = "68656c6c6f206d657368";
        public const string NetTextHeader =
            "24" + "05" + "3412" + "03" + "0d0c0b0a" + "ffffffff" + "03010000" + "00d2496b" + "08" + "00" + "0d0c0b0a" + "00000000" + "ffff" + "0a";
        public const string NetTextCiphertext = "89221df388be04e64e87";
        public const string NetTextPayloadMic = "61ce988d7864f492";
        public const string NetTextNetMic = "ce63e17d476ef198";
        public const string NetTextFrame = NetTextHeader + NetTextCiphertext + NetTextPayloadMic + NetTextNetMic;

        // 4. Text, plain (no payload MIC, only the network MIC): as 3 with flags 0 and sequence 260.
        public const string PlainTextHeader =
            "20" + "05" + "3412" + "03" + "0d0c0b0a" + "ffffffff" + "04010000" + "00d2496b" + "08" + "00" + "0d0c0b0a" + "00000000" + "ffff" + "0a";
        public const string PlainTextNetMic = "8bb72440cddf19e5";
        public const string PlainTextFrame = PlainTextHeader + TextPlaintext + PlainTextNetMic;

        public static byte[] Text => Encoding.ASCII.GetBytes("hello mesh");

        public static RefHeader ReadingsRef => KnownHeader();

        public static RefHeader CommandRef => new RefHeader(
            FrameFlags.DeviceSealed | FrameFlags.Downlink, (byte)MessageType.Command, Network, NetworkKeyIndex, DeviceKeyIndex,
            GatewayId, Origin, CommandSequence, Time, HopLimit, 0, GatewayId, 0);

        public static RefHeader NetTextRef => new RefHeader(
            FrameFlags.NetworkSealed, (byte)MessageType.Text, Network, NetworkKeyIndex, 0,
            Origin, NodeAddress.Broadcast, Sequence + 1, Time, HopLimit, 0, Origin, 0);

        public static RefHeader PlainTextRef => NetTextRef with { Flags = 0, Sequence = Sequence + 2 };

        public enum Kat
        {
            Readings,
            Command,
            NetText,
            PlainText,
        }

        public static TheoryData<Kat> AllKats => new TheoryData<Kat> { Kat.Readings, Kat.Command, Kat.NetText, Kat.PlainText };

        public static string LiteralOf(Kat k) => k switch
        {
            Kat.Readings => ReadingsFrame,
            Kat.Command => CommandFrame,
            Kat.NetText => NetTextFrame,
            _ => PlainTextFrame,
        };

        public static RefHeader HeaderOf(Kat k) => k switch
        {
            Kat.Readings => ReadingsRef,
            Kat.Command => CommandRef,
            Kat.NetText => NetTextRef,
            _ => PlainTextRef,
        };

        public static byte[] PlaintextOf(Kat k) => k switch
        {
            Kat.Readings => ReadingsPayload,
            Kat.Command => Convert.FromHexString(CommandPlaintext),
            _ => Text,
        };

        /// <summary>The known frame as the core's MeshNode originates it.</summary>
        public static byte[] CoreNodeFrame(Kat k, ICryptoProvider? crypto = null)
        {
            NetworkKey key = Key(Secret, crypto);
            switch (k)
            {
                case Kat.Readings:
                    return CoreReadingsFrame(key, crypto);

                case Kat.Command:
                {
                    MeshNode gateway = Receiver(key, id: GatewayId, initialSequence: CommandSequence, crypto: crypto);
                    byte[] args = Convert.FromHexString("2c010000");
                    Assert.Equal(SendResult.Queued, gateway.SendCommand(Origin, CommandKind.SetReportInterval, args, 0, args.Length, 0, out ushort id));
                    Assert.Equal(CommandId, id);
                    return TakeFrame(gateway);
                }

                default:
                {
                    bool sealed_ = k == Kat.NetText;
                    MeshNode sender = Sender(key, sealed_, initialSequence: sealed_ ? Sequence + 1 : Sequence + 2, crypto: crypto);
                    Assert.Equal(SendResult.Queued, sender.SendText(Text, 0, Text.Length, NodeAddress.Broadcast, 0));
                    return TakeFrame(sender);
                }
            }
        }

        [Fact]
        public void Literal_frames_are_header_34_payload_payload_mic_8_and_network_mic_8()
        {
            Assert.Equal(34, Convert.FromHexString(ReadingsHeader).Length);
            Assert.Equal(34, Convert.FromHexString(CommandHeader).Length);
            Assert.Equal(34, Convert.FromHexString(NetTextHeader).Length);
            Assert.Equal(34, Convert.FromHexString(PlainTextHeader).Length);
            Assert.Equal(34 + 11 + 8 + 8, Convert.FromHexString(ReadingsFrame).Length);
            Assert.Equal(34 + 12 + 8 + 8, Convert.FromHexString(CommandFrame).Length);
            Assert.Equal(34 + 10 + 8 + 8, Convert.FromHexString(NetTextFrame).Length);
            Assert.Equal(34 + 10 + 8, Convert.FromHexString(PlainTextFrame).Length);
            Assert.Equal(34, FrameLayout.HeaderSize);
            Assert.Equal(50, FrameLayout.HeaderSize + FrameLayout.PayloadMicSize + FrameLayout.NetMicSize);
            Assert.Equal(200, FrameLayout.MaxPayloadSize);
        }

        [Fact]
        public void Derived_keys_are_hmac_of_the_v2_labels()
        {
            Assert.Equal(KnownHopKey, Hex(MeshV2Reference.HopKey(Secret)));
            Assert.Equal(KnownNetEncKey, Hex(MeshV2Reference.NetEncKey(Secret)));
            Assert.Equal(KnownNetMacKey, Hex(MeshV2Reference.NetMacKey(Secret)));
            Assert.Equal(KnownDevEncKey, Hex(MeshV2Reference.DevEncKey(DeviceSecret)));
            Assert.Equal(KnownDevMacKey, Hex(MeshV2Reference.DevMacKey(DeviceSecret)));
        }

        [Fact]
        public void Simulator_device_keys_are_hmac_of_the_node_id_under_the_network_secret_and_match_the_desktop_directory()
        {
            // PROTOCOL.md, "Keys": DK(n) = HMAC-SHA256(NK, "Mesh v2 device" | n (u32 LE))[0..16).
            var derived = new Mesh.Protocol.Desktop.Keys.DerivedDeviceKeys(Secret, Mesh.Protocol.Desktop.DesktopCrypto.Instance);
            foreach (uint node in new uint[] { 1, ReceiverId, 0xFFFFFFFD })
            {
                Assert.Equal(Hex(MeshV2Reference.DerivedDeviceSecret(Secret, node)), Hex(derived.SecretOf(node)));
            }
        }

        [Fact]
        public void Readings_payload_for_21_5_degrees_and_40_25_percent_is_pinned()
        {
            byte[] buffer = new byte[FrameLayout.MaxPayloadSize];
            int n = KnownReadings().Encode(buffer, 0, buffer.Length);
            Assert.Equal("02016608000002b90f0000", Hex(buffer.AsSpan(0, n).ToArray()));
        }

        [Fact]
        public void Command_payload_is_pinned()
        {
            byte[] buffer = new byte[CommandCodec.HeaderSize + 4];
            int n = CommandCodec.Encode(buffer, 0, CommandId, CommandKind.SetReportInterval, CommandSequence, Convert.FromHexString("2c010000"), 0, 4);
            Assert.Equal(CommandPlaintext, Hex(buffer.AsSpan(0, n).ToArray()));
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Reference_implementation_produces_the_pinned_frame(Kat k)
        {
            Assert.Equal(LiteralOf(k), Hex(RefSeal(HeaderOf(k), PlaintextOf(k))));
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Core_node_produces_the_pinned_frame_byte_for_byte(Kat k)
        {
            Assert.Equal(LiteralOf(k), Hex(CoreNodeFrame(k)));
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Core_codec_and_sealers_produce_the_pinned_frame(Kat k)
        {
            Assert.Equal(LiteralOf(k), Hex(CoreSeal(Key(Secret), HeaderOf(k), PlaintextOf(k))));
        }

        [Fact]
        public void Readings_frame_decodes_field_by_field()
        {
            byte[] frame = Convert.FromHexString(ReadingsFrame);
            FrameHeader h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, h));
            Assert.Equal(FrameFlags.DeviceSealed, h.Flags);
            Assert.True(h.IsDeviceSealed);
            Assert.False(h.IsDownlink);
            Assert.False(h.IsNetworkSealed);
            Assert.True(h.IsEncrypted);
            Assert.Equal(MessageType.Readings, h.Type);
            Assert.Equal(Network, h.Network);
            Assert.Equal(NetworkKeyIndex, h.NetworkKeyIndex);
            Assert.Equal(DeviceKeyIndex, h.DeviceKeyIndex);
            Assert.Equal(Origin, h.Origin);
            Assert.Equal(NodeAddress.Gateways, h.Destination);
            Assert.Equal(Sequence, h.Sequence);
            Assert.Equal(Time, h.Time);
            Assert.Equal(1_800_000_000u, h.Time);
            Assert.Equal(8, h.HopLimit);
            Assert.Equal(0, h.HopsTaken);
            Assert.Equal(Origin, h.PreviousHop);
            Assert.Equal(NodeAddress.None, h.NextHop);
            Assert.Equal(0xFFFF, h.SenderCost);
            Assert.Equal(11, h.PayloadLength);
            Assert.Equal(Origin, h.DeviceKeyOwner);
            Assert.Equal(frame.Length, h.FrameLength);
            Assert.Equal(frame.Length - 8, h.NetMicOffset);
        }

        [Fact]
        public void Command_frame_decodes_field_by_field()
        {
            byte[] frame = Convert.FromHexString(CommandFrame);
            FrameHeader h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, h));
            Assert.Equal(FrameFlags.DeviceSealed | FrameFlags.Downlink, h.Flags);
            Assert.True(h.IsDeviceSealed);
            Assert.True(h.IsDownlink);
            Assert.False(h.IsNetworkSealed);
            Assert.Equal(MessageType.Command, h.Type);
            Assert.Equal(Network, h.Network);
            Assert.Equal(NetworkKeyIndex, h.NetworkKeyIndex);
            Assert.Equal(DeviceKeyIndex, h.DeviceKeyIndex);
            Assert.Equal(GatewayId, h.Origin);
            Assert.Equal(Origin, h.Destination);
            Assert.Equal(Origin, h.DeviceKeyOwner); // downlink: the destination's key
            Assert.Equal(CommandSequence, h.Sequence);
            Assert.Equal(Time, h.Time);
            Assert.Equal(8, h.HopLimit);
            Assert.Equal(0, h.HopsTaken);
            Assert.Equal(GatewayId, h.PreviousHop);
            Assert.Equal(NodeAddress.None, h.NextHop);
            Assert.Equal(0xFFFF, h.SenderCost);
            Assert.Equal(12, h.PayloadLength);
            Assert.Equal(frame.Length, h.FrameLength);
        }

        [Theory]
        [InlineData(true, NetTextFrame)]
        [InlineData(false, PlainTextFrame)]
        public void Text_frames_decode_field_by_field(bool sealed_, string hex)
        {
            byte[] frame = Convert.FromHexString(hex);
            FrameHeader h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, h));
            Assert.Equal(sealed_ ? FrameFlags.NetworkSealed : 0, h.Flags);
            Assert.Equal(sealed_, h.IsNetworkSealed);
            Assert.Equal(sealed_, h.IsEncrypted);
            Assert.False(h.IsDeviceSealed);
            Assert.Equal(MessageType.Text, h.Type);
            Assert.Equal(Network, h.Network);
            Assert.Equal(NetworkKeyIndex, h.NetworkKeyIndex);
            Assert.Equal(0, h.DeviceKeyIndex);
            Assert.Equal(Origin, h.Origin);
            Assert.Equal(NodeAddress.Broadcast, h.Destination);
            Assert.Equal(sealed_ ? Sequence + 1 : Sequence + 2, h.Sequence);
            Assert.Equal(Time, h.Time);
            Assert.Equal(8, h.HopLimit);
            Assert.Equal(0, h.HopsTaken);
            Assert.Equal(Origin, h.PreviousHop);
            Assert.Equal(NodeAddress.None, h.NextHop);
            Assert.Equal(0xFFFF, h.SenderCost);
            Assert.Equal(10, h.PayloadLength);
            Assert.Equal(frame.Length, h.FrameLength);
            if (!sealed_)
            {
                Assert.Equal(TextPlaintext, Hex(frame.AsSpan(FrameLayout.HeaderSize, 10).ToArray()));
            }
        }

        /// <summary>The SIV construction spelled out on the readings frame with plain .NET primitives.</summary>
        [Fact]
        public void Readings_payload_mic_is_hmac_of_the_header_with_zeroed_hop_fields_and_the_plaintext_and_seeds_the_ctr_counter()
        {
            byte[] a = Convert.FromHexString(ReadingsHeader);
            a.AsSpan(22, 11).Clear();
            Assert.Equal("21013412530d0c0b0afeffffff0201000000d2496b08" + "00" + "00000000" + "00000000" + "0000" + "0b", Hex(a));
            byte[] input = new byte[34 + 11];
            a.CopyTo(input, 0);
            ReadingsPayload.CopyTo(input, 34);
            byte[] tag = HMACSHA256.HashData(Convert.FromHexString(KnownDevMacKey), input).AsSpan(0, 8).ToArray();
            Assert.Equal(ReadingsPayloadMic, Hex(tag));

            // CB = tag | sequence 258 LE | 00000000; 11 bytes: one keystream block.
            byte[] counter = Convert.FromHexString(ReadingsPayloadMic + "02010000" + "00000000");
            using Aes aes = Aes.Create();
            aes.Key = Convert.FromHexString(KnownDevEncKey);
            byte[] block = aes.EncryptEcb(counter, PaddingMode.None);
            Assert.Equal(ReadingsCiphertext, Hex(MeshV2Reference.Xor(ReadingsPayload, block.AsSpan(0, 11).ToArray())));
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Network_mic_is_hmac_of_every_byte_before_it_under_K_hop(Kat k)
        {
            byte[] frame = Convert.FromHexString(LiteralOf(k));
            byte[] mic = HMACSHA256.HashData(Convert.FromHexString(KnownHopKey), frame.AsSpan(0, frame.Length - 8)).AsSpan(0, 8).ToArray();
            Assert.Equal(Hex(frame.AsSpan(frame.Length - 8).ToArray()), Hex(mic));
            FrameHeader h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, h));
            Assert.True(new NetworkSealer().Verify(Key(Secret), frame, 0, frame.Length));
        }

        // ------------------------------------------------------------ differential: reference <-> core

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Pinned_frame_opens_through_the_core_PayloadSealer(Kat k)
        {
            byte[] frame = Convert.FromHexString(LiteralOf(k));
            FrameHeader h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, h));
            byte[]? plain;
            if (h.IsDeviceSealed)
            {
                plain = CoreOpen(DeviceKeyOf(h.DeviceKeyOwner).Sealing, h, frame, 0);
                // Under any other device key (or the network key) the payload MIC fails.
                Assert.Null(CoreOpen(DeviceKeyOf(ReceiverId).Sealing, h, frame, 0));
                Assert.Null(CoreOpen(Key(Secret).Payload, h, frame, 0));
            }
            else if (h.IsNetworkSealed)
            {
                plain = CoreOpen(Key(Secret).Payload, h, frame, 0);
                Assert.Null(CoreOpen(DeviceKeyOf(Origin).Sealing, h, frame, 0));
            }
            else
            {
                plain = frame.AsSpan(FrameLayout.HeaderSize, h.PayloadLength).ToArray();
            }

            Assert.Equal(Hex(PlaintextOf(k)), Hex(plain!));
        }

        [Fact]
        public void Pinned_readings_are_delivered_by_a_gateway_with_the_plaintext_and_relayed_silently_by_a_relay()
        {
            byte[] frame = Convert.FromHexString(ReadingsFrame);
            MeshNode bridge = Receiver(Key(Secret));
            Assert.Equal(RejectReason.None, bridge.Receive(frame, 0, frame.Length, -40, 5));
            MeshEvent e = new MeshEvent();
            Assert.True(bridge.TryTakeEvent(e));
            Assert.Equal(MeshEventKind.Message, e.Kind);
            Assert.Equal(MessageType.Readings, e.Type);
            Assert.Equal(Origin, e.Origin);
            Assert.Equal(Sequence, e.Sequence);
            Assert.True(e.WasEncrypted);
            Assert.Equal(Hex(ReadingsPayload), Hex(e.Payload.AsSpan(0, e.PayloadLength).ToArray()));
            ReadingSet set = new ReadingSet();
            Assert.True(set.TryDecode(e.Payload, 0, e.PayloadLength));
            Assert.Equal(21.5, set.ValueAt(0), 9);
            Assert.Equal(40.25, set.ValueAt(1), 9);

            // A relay holds no device key: it cannot read the readings, delivers nothing, relays them.
            MeshNode relay = Receiver(Key(Secret), role: NodeRole.Relay);
            Assert.Equal(RejectReason.None, relay.Receive(frame, 0, frame.Length, -40, 5));
            Assert.Equal(0, relay.PendingEvents);
            Assert.Equal(1, relay.PendingTransmits);
        }

        [Fact]
        public void Pinned_command_is_executed_by_its_target_which_acks_under_its_own_device_key()
        {
            byte[] frame = Convert.FromHexString(CommandFrame);
            MeshNode target = Sender(Key(Secret));
            Assert.Equal(RejectReason.None, target.Receive(frame, 0, frame.Length, -40, 0));
            Assert.Equal(300_000, target.ReportIntervalMs);

            bool delivered = false;
            MeshEvent e = new MeshEvent();
            while (target.TryTakeEvent(e))
            {
                if (e.Kind == MeshEventKind.Message)
                {
                    Assert.Equal(MessageType.Command, e.Type);
                    Assert.Equal(GatewayId, e.Origin);
                    Assert.Equal(CommandPlaintext, Hex(e.Payload.AsSpan(0, e.PayloadLength).ToArray()));
                    delivered = true;
                }
            }

            Assert.True(delivered);

            // The acknowledgement: device-sealed uplink by the target, to the commander, opened by the reference.
            byte[] ack = TakeFrame(target, 1_000_000);
            FrameHeader h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(ack, 0, ack.Length, h));
            Assert.Equal(MessageType.Ack, h.Type);
            Assert.Equal(FrameFlags.DeviceSealed, h.Flags);
            Assert.Equal(GatewayId, h.Destination);
            Assert.Equal(DeviceKeyIndex, h.DeviceKeyIndex);
            Assert.True(MeshV2Reference.VerifyNetwork(Secret, ack));
            Assert.Equal("7111" + "01" + "00", Hex(RefOpen(ack)!));

            // Replayed: the same frame again is a duplicate, and executes nothing.
            Assert.Equal(RejectReason.Duplicate, target.Receive(frame, 0, frame.Length, -40, 0));
            Assert.Equal(0, target.PendingEvents);
        }

        [Fact]
        public void Pinned_command_is_not_executed_by_another_node_which_cannot_open_it()
        {
            byte[] frame = Convert.FromHexString(CommandFrame);
            MeshNode other = Sender(Key(Secret), id: ReceiverId);
            Assert.Equal(RejectReason.None, other.Receive(frame, 0, frame.Length, -40, 0));
            Assert.Equal(0, other.PendingEvents);
        }

        [Theory]
        [InlineData(true, NetTextFrame)]
        [InlineData(false, PlainTextFrame)]
        public void Pinned_text_is_delivered_to_every_node(bool sealed_, string hex)
        {
            byte[] frame = Convert.FromHexString(hex);
            MeshNode node = Receiver(Key(Secret), role: NodeRole.Relay, requireEncryption: sealed_);
            Assert.Equal(RejectReason.None, node.Receive(frame, 0, frame.Length, -40, 0));
            MeshEvent e = new MeshEvent();
            Assert.True(node.TryTakeEvent(e));
            Assert.Equal(MessageType.Text, e.Type);
            Assert.Equal(sealed_, e.WasEncrypted);
            Assert.Equal("hello mesh", Encoding.ASCII.GetString(e.Payload, 0, e.PayloadLength));

            if (!sealed_)
            {
                // Plain text is refused where encryption is required (the default).
                Assert.Equal(RejectReason.Unsealed, Receiver(Key(Secret)).Receive(frame, 0, frame.Length, -40, 0));
            }
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Core_node_frame_verifies_and_opens_under_the_reference(Kat k)
        {
            byte[] frame = CoreNodeFrame(k);
            Assert.True(MeshV2Reference.VerifyNetwork(Secret, frame));
            Assert.Equal(Hex(PlaintextOf(k)), Hex(RefOpen(frame)!));
        }

        /// <summary>
        /// A relay rewrites the hop fields and re-seals the network MIC; the payload MIC (hop fields
        /// zeroed) does not change, so the gateway still opens the payload. Both directions.
        /// </summary>
        [Theory]
        [MemberData(nameof(AllKats))]
        public void Relayed_copies_match_between_core_and_reference_and_keep_their_payload_mic(Kat k)
        {
            byte[] original = Convert.FromHexString(LiteralOf(k));

            // The core relays the pinned frame; the reference relays it the same way.
            MeshNode relay = Receiver(Key(Secret), role: NodeRole.Relay, requireEncryption: false);
            Assert.Equal(RejectReason.None, relay.Receive(original, 0, original.Length, -60, 0));
            byte[] coreCopy = TakeFrame(relay, 1_000_000);
            byte[] refCopy = MeshV2Reference.Relayed(Secret, original, 1, ReceiverId, 0, senderCost: 0xFFFF); // a relay that does not route
            Assert.Equal(Hex(refCopy), Hex(coreCopy));
            Assert.NotEqual(Hex(original.AsSpan(original.Length - 8).ToArray()), Hex(coreCopy.AsSpan(coreCopy.Length - 8).ToArray()));
            // Everything but the hop fields and the network MIC is untouched: payload and payload MIC included.
            int covered = original.Length - FrameLayout.NetMicSize;
            Assert.Equal(Hex(original.AsSpan(0, FrameLayout.HopFieldsStart).ToArray()), Hex(coreCopy.AsSpan(0, FrameLayout.HopFieldsStart).ToArray()));
            Assert.Equal(Hex(original.AsSpan(FrameLayout.OffsetPayloadLength, covered - FrameLayout.OffsetPayloadLength).ToArray()),
                Hex(coreCopy.AsSpan(FrameLayout.OffsetPayloadLength, covered - FrameLayout.OffsetPayloadLength).ToArray()));
            Assert.Equal(Hex(PlaintextOf(k)), Hex(RefOpen(coreCopy)!));

            // The core's WriteHopFields + WriteSenderCost + NetworkSealer on the pinned frame agree with the reference too.
            byte[] resealed = (byte[])original.Clone();
            FrameCodec.WriteHopFields(resealed, 0, 5, 0x01020304, 0x05060708);
            FrameCodec.WriteSenderCost(resealed, 0, 0x0123);
            new NetworkSealer().Seal(Key(Secret), resealed, 0, resealed.Length);
            Assert.Equal(Hex(MeshV2Reference.Relayed(Secret, original, 5, 0x01020304, 0x05060708, 0x0123)), Hex(resealed));
            Assert.Equal(Hex(PlaintextOf(k)), Hex(RefOpen(resealed)!)); // the sender cost is a hop field: not under the payload MIC
        }

        [Fact]
        public void Relayed_readings_frame_is_pinned_by_the_reference_and_by_the_core_relay()
        {
            byte[] original = Convert.FromHexString(ReadingsFrame);
            Assert.Equal(RelayedReadingsFrame, Hex(MeshV2Reference.Relayed(Secret, original, 1, ReceiverId, 0, senderCost: 0xFFFF)));
            Assert.Equal(RelayedReadingsFrame, Hex(RefSeal(ReadingsRef with { HopsTaken = 1, PreviousHop = ReceiverId }, ReadingsPayload)));

            MeshNode relay = Receiver(Key(Secret), role: NodeRole.Relay);
            Assert.Equal(RejectReason.None, relay.Receive(original, 0, original.Length, -60, 0));
            Assert.Equal(RelayedReadingsFrame, Hex(TakeFrame(relay, 1_000_000)));

            // And a gateway takes the relayed copy, learning the relay as the origin's previous hop.
            byte[] relayed = Convert.FromHexString(RelayedReadingsFrame);
            MeshNode gateway = Receiver(Key(Secret), id: GatewayId);
            Assert.Equal(RejectReason.None, gateway.Receive(relayed, 0, relayed.Length, -60, 0));
            Assert.Equal(ReceiverId, gateway.Routes.NextHop(Origin, 0));
            MeshEvent e = new MeshEvent();
            Assert.True(gateway.TryTakeEvent(e));
            Assert.Equal(1, e.HopsTaken);
            Assert.Equal(ReceiverId, e.PreviousHop);
            Assert.Equal(Hex(ReadingsPayload), Hex(e.Payload.AsSpan(0, e.PayloadLength).ToArray()));
        }

        [Fact]
        public void Reference_relayed_core_frame_is_accepted_by_a_gateway_and_delivered()
        {
            byte[] core = MeshV2Reference.Relayed(Secret, CoreReadingsFrame(Key(Secret)), 5, 0x01020304, 0);
            MeshNode bridge = Receiver(Key(Secret));
            Assert.Equal(RejectReason.None, bridge.Receive(core, 0, core.Length, -70, 0));
            MeshEvent e = new MeshEvent();
            Assert.True(bridge.TryTakeEvent(e));
            Assert.Equal(5, e.HopsTaken);
            Assert.Equal(0x01020304u, e.PreviousHop);
            Assert.Equal(Hex(ReadingsPayload), Hex(e.Payload.AsSpan(0, e.PayloadLength).ToArray()));
        }

        [Fact]
        public void Frame_located_at_an_offset_inside_a_larger_buffer_decodes_verifies_and_opens_there()
        {
            byte[] frame = Convert.FromHexString(ReadingsFrame);
            byte[] buffer = new byte[frame.Length + 13];
            buffer.AsSpan().Fill(0xA5);
            frame.CopyTo(buffer, 7);
            FrameHeader h = new FrameHeader();
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(buffer, 7, frame.Length, h));
            Assert.True(new NetworkSealer().Verify(Key(Secret), buffer, 7, frame.Length));
            Assert.Equal(Hex(ReadingsPayload), Hex(CoreOpen(DeviceKeyOf(Origin).Sealing, h, buffer, 7)!));
            MeshNode bridge = Receiver(Key(Secret));
            Assert.Equal(RejectReason.None, bridge.Receive(buffer, 7, frame.Length, -50, 0));
            Assert.Equal(1, bridge.PendingEvents);
        }

        /// <summary>
        /// Over random headers (every sealing, both key lengths, any key indices), payloads and secrets,
        /// the core's codec + sealers and the independent reference produce the same bytes, and each
        /// verifies and opens the other's frames.
        /// </summary>
        [Property(MaxTest = 300, Replay = "(20260401,97531)")]
        public Property Core_and_reference_agree_on_every_frame_byte()
        {
            return Prop.ForAll(WireGen.SealCase.ToArbitrary(), c =>
            {
                byte[] reference = MeshV2Reference.Seal(c.NetworkSecret, c.DeviceSecret, c.Header, c.Payload);
                NetworkKey key = new NetworkKey(c.NetworkSecret, c.Header.NetworkKeyIndex, Mesh.Protocol.Desktop.DesktopCrypto.Instance);
                uint owner = c.Header.Downlink ? c.Header.Destination : c.Header.Origin;
                DeviceKey device = new DeviceKey(owner, c.DeviceSecret, c.Header.DeviceKeyIndex, Mesh.Protocol.Desktop.DesktopCrypto.Instance);
                byte[] core = CoreSeal(key, device, c.Header, c.Payload);
                Assert.Equal(Hex(reference), Hex(core));

                FrameHeader h = new FrameHeader();
                Assert.Equal(RejectReason.None, FrameCodec.TryDecode(reference, 0, reference.Length, h));
                Assert.True(new NetworkSealer().Verify(key, reference, 0, reference.Length));
                if (h.IsEncrypted)
                {
                    byte[]? plain = CoreOpen(h.IsDeviceSealed ? device.Sealing : key.Payload, h, reference, 0);
                    Assert.NotNull(plain);
                    Assert.Equal(Hex(c.Payload), Hex(plain!));
                }

                Assert.True(MeshV2Reference.VerifyNetwork(c.NetworkSecret, core));
                Assert.Equal(Hex(c.Payload), Hex(MeshV2Reference.Open(c.NetworkSecret, c.DeviceSecret, core)!));
            });
        }

        /// <summary>Relaying preserves the payload MIC: over random frames and hop fields, core and reference agree.</summary>
        [Property(MaxTest = 200, Replay = "(31337,4243)")]
        public Property Core_and_reference_agree_on_relayed_copies()
        {
            Gen<(SealCase Case, byte Hops, uint Previous, uint Next, ushort Cost)> cases =
                from c in WireGen.SealCase
                from hops in Gen.Choose(0, FrameLayout.MaxHopLimit)
                from previous in WireGen.AnyUInt
                from next in WireGen.AnyUInt
                from cost in WireGen.AnyUShort
                select (c, (byte)hops, previous, next, cost);
            return Prop.ForAll(cases.ToArbitrary(), t =>
            {
                var c = t.Case;
                NetworkKey key = new NetworkKey(c.NetworkSecret, c.Header.NetworkKeyIndex, Mesh.Protocol.Desktop.DesktopCrypto.Instance);
                byte[] frame = MeshV2Reference.Seal(c.NetworkSecret, c.DeviceSecret, c.Header, c.Payload);
                byte[] core = (byte[])frame.Clone();
                FrameCodec.WriteHopFields(core, 0, t.Hops, t.Previous, t.Next);
                FrameCodec.WriteSenderCost(core, 0, t.Cost);
                new NetworkSealer().Seal(key, core, 0, core.Length);
                Assert.Equal(Hex(MeshV2Reference.Relayed(c.NetworkSecret, frame, t.Hops, t.Previous, t.Next, t.Cost)), Hex(core));
                Assert.Equal(Hex(c.Payload), Hex(MeshV2Reference.Open(c.NetworkSecret, c.DeviceSecret, core)!));
            });
        }
    }
}
