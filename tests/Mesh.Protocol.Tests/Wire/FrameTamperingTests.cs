using System;
using System.Collections.Generic;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;
using Kat = Mesh.Protocol.Tests.WireTests.WireFormatKnownAnswerTests.Kat;

namespace Mesh.Protocol.Tests.WireTests
{
    /// <summary>
    /// Every corruption of a valid v2 frame is caught, through the node's real receive path
    /// (<see cref="MeshNode.Receive"/>). v1 left the hop fields (hops taken, previous hop, next hop)
    /// outside its MIC; in v2 (where the sender cost joined them) the network MIC covers every byte
    /// (PROTOCOL.md, "Network MIC"), so a radio without the network key can change nothing, and the payload
    /// MIC (device or network key) stops a network key holder from altering a sealed payload or the header
    /// under it.
    /// </summary>
    public class FrameTamperingTests
    {
        /// <summary>Reasons a node may give for a frame whose bytes were altered without the network key.</summary>
        private static readonly HashSet<RejectReason> OutsiderAlterationReasons = new HashSet<RejectReason>
        {
            // Codec: the header became invalid.
            RejectReason.TooShort, RejectReason.TooLong, RejectReason.LegacyVersion, RejectReason.UnsupportedVersion,
            RejectReason.ReservedFlags, RejectReason.UnknownMessageType, RejectReason.LengthMismatch,
            RejectReason.HopLimitInvalid, RejectReason.HopsExceeded, RejectReason.BadAddress,

            // Checks before any crypto (PROTOCOL.md, "Decoding is total", steps 9-13).
            RejectReason.WrongNetwork, RejectReason.Unsealed, RejectReason.UnknownKey, RejectReason.Stale,

            // And everything else: the network MIC.
            RejectReason.BadMic,
        };

        public static TheoryData<Kat> AllKats => WireFormatKnownAnswerTests.AllKats;

        private static byte[] Flip(byte[] frame, int bit)
        {
            byte[] copy = (byte[])frame.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            return copy;
        }

        private static byte[] Pinned(Kat k) => Convert.FromHexString(WireFormatKnownAnswerTests.LiteralOf(k));

        /// <summary>A node that takes the untouched frame: a gateway for readings, the target for the command, any node for text.</summary>
        private static MeshNode ReceiverFor(Kat k) => k switch
        {
            Kat.Readings => Receiver(Key(Secret)),
            Kat.Command => Sender(Key(Secret)),
            _ => Receiver(Key(Secret), requireEncryption: k != Kat.PlainText),
        };

        private static void AssertNothingHappened(MeshNode node, string what)
        {
            Assert.True(node.PendingEvents == 0, $"{what}: an event was raised");
            Assert.True(node.PendingTransmits == 0, $"{what}: a frame was relayed or sent");
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Every_single_bit_flip_anywhere_in_the_frame_is_rejected_and_nothing_is_delivered_or_relayed(Kat k)
        {
            byte[] frame = Pinned(k);
            MeshNode receiver = ReceiverFor(k);
            for (int bit = 0; bit < frame.Length * 8; bit++)
            {
                byte[] flipped = Flip(frame, bit);
                string what = $"{k}: flip of byte {bit / 8} bit {bit % 8}";
                RejectReason r = receiver.Receive(flipped, 0, flipped.Length, -50, 0);
                Assert.True(OutsiderAlterationReasons.Contains(r), $"{what} gave {r}");
                AssertNothingHappened(receiver, what);
                Assert.False(MeshV2Reference.VerifyNetwork(Secret, flipped), $"reference accepts {what}");
            }

            Assert.Equal(frame.Length * 8, receiver.Counters.RejectedTotal);
            Assert.Equal(0, receiver.Counters.FramesAccepted);

            // The rejections were about the bytes, not about state: the untouched frame is still taken.
            Assert.Equal(RejectReason.None, receiver.Receive(frame, 0, frame.Length, -50, 0));
            Assert.True(receiver.PendingEvents > 0);
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Flips_of_the_payload_the_payload_mic_and_the_network_mic_are_exactly_BadMic(Kat k)
        {
            byte[] frame = Pinned(k);
            MeshNode receiver = ReceiverFor(k);
            for (int bit = FrameLayout.HeaderSize * 8; bit < frame.Length * 8; bit++)
            {
                byte[] flipped = Flip(frame, bit);
                Assert.Equal(RejectReason.BadMic, receiver.Receive(flipped, 0, flipped.Length, -50, 0));
                AssertNothingHappened(receiver, $"{k}: flip of byte {bit / 8}");
            }

            Assert.Equal(RejectReason.None, receiver.Receive(frame, 0, frame.Length, -50, 0));
        }

        /// <summary>
        /// The v1 weakness, closed: bytes 22..32 (hops taken, previous hop, next hop, sender cost) are under the
        /// network MIC. A flip there is BadMic, or HopsExceeded where hops taken is pushed above the hop limit (8):
        /// bits 4-7 of hops taken (0 -> 16, 32, 64, 128).
        /// </summary>
        [Theory]
        [MemberData(nameof(AllKats))]
        public void Flips_in_the_hop_fields_are_BadMic_or_HopsExceeded_never_accepted(Kat k)
        {
            byte[] frame = Pinned(k);
            MeshNode receiver = ReceiverFor(k);
            int badMic = 0;
            int hopsExceeded = 0;
            for (int bit = FrameLayout.HopFieldsStart * 8; bit < (FrameLayout.HopFieldsStart + FrameLayout.HopFieldsLength) * 8; bit++)
            {
                byte[] flipped = Flip(frame, bit);
                RejectReason r = receiver.Receive(flipped, 0, flipped.Length, -50, 0);
                AssertNothingHappened(receiver, $"{k}: flip of hop byte {bit / 8} bit {bit % 8}");
                if (r == RejectReason.HopsExceeded)
                {
                    Assert.Equal(FrameLayout.OffsetHopsTaken, bit / 8);
                    Assert.True(flipped[FrameLayout.OffsetHopsTaken] > HopLimit);
                    hopsExceeded++;
                    continue;
                }

                Assert.Equal(RejectReason.BadMic, r);
                badMic++;
            }

            Assert.Equal(88, FrameLayout.HopFieldsLength * 8);
            Assert.Equal(4, hopsExceeded);
            Assert.Equal(88 - 4, badMic);
            Assert.Equal(0, receiver.Neighbours.Count);
        }

        /// <summary>
        /// What an outsider wanted from the unauthenticated v1 hop fields: carry a frame further than its
        /// origin allowed (reset hops taken), poison reverse routes (invent a previous hop), turn a
        /// directed frame into a flood (clear the next hop). Each is BadMic in v2 and teaches nothing.
        /// </summary>
        [Fact]
        public void Rewriting_hop_fields_without_the_network_key_is_BadMic_and_learns_no_route_or_neighbour()
        {
            // A directed readings frame from Origin that has already taken 3 hops, through 0x33, to relay 0x44.
            RefHeader directed = KnownHeader() with { HopsTaken = 3, PreviousHop = 0x33, NextHop = 0x44 };
            byte[] frame = RefSeal(directed, ReadingsPayload);
            var forgeries = new (string What, byte Hops, uint Previous, uint Next)[]
            {
                ("hops taken reset", 0, 0x33, 0x44),
                ("previous hop invented", 3, 0x0BADBAD0, 0x44),
                ("next hop cleared (flood)", 3, 0x33, 0),
                ("next hop redirected", 3, 0x33, 0x55),
            };
            foreach (var f in forgeries)
            {
                byte[] forged = (byte[])frame.Clone();
                FrameCodec.WriteHopFields(forged, 0, f.Hops, f.Previous, f.Next);
                foreach (uint id in new uint[] { 0x44, 0x55, 0x66 })
                {
                    MeshNode relay = Receiver(Key(Secret), id: id, role: NodeRole.Relay);
                    Assert.Equal(RejectReason.BadMic, relay.Receive(forged, 0, forged.Length, -50, 0));
                    AssertNothingHappened(relay, f.What);
                    Assert.Equal(0, relay.Neighbours.Count);
                    Assert.Equal(NodeAddress.None, relay.Routes.NextHop(Origin, 0));
                }
            }

            // The authentic frame is relayed by the named next hop (0x44) only.
            MeshNode next = Receiver(Key(Secret), id: 0x44, role: NodeRole.Relay);
            Assert.Equal(RejectReason.None, next.Receive(frame, 0, frame.Length, -50, 0));
            Assert.Equal(1, next.PendingTransmits);
            MeshNode other = Receiver(Key(Secret), id: 0x66, role: NodeRole.Relay);
            Assert.Equal(RejectReason.None, other.Receive(frame, 0, frame.Length, -50, 0));
            Assert.Equal(0, other.PendingTransmits);
        }

        /// <summary>
        /// An insider (network key, no device key of Origin) alters the ciphertext or the payload MIC of a
        /// device-sealed frame and re-seals the network MIC: the gateway rejects it as BadPayloadMic and
        /// delivers nothing; the frame passed the network MIC, so it is still relayed (relays cannot tell).
        /// </summary>
        [Fact]
        public void Readings_payload_altered_and_resealed_with_the_network_key_is_BadPayloadMic_at_the_gateway()
        {
            byte[] frame = Pinned(Kat.Readings);
            int payloadEnd = frame.Length - FrameLayout.NetMicSize;
            for (int bit = FrameLayout.HeaderSize * 8; bit < payloadEnd * 8; bit++)
            {
                byte[] forged = MeshV2Reference.Resealed(Secret, Flip(frame, bit));
                Assert.True(MeshV2Reference.VerifyNetwork(Secret, forged));
                Assert.Null(RefOpen(forged));

                MeshNode gateway = Receiver(Key(Secret));
                Assert.Equal(RejectReason.BadPayloadMic, gateway.Receive(forged, 0, forged.Length, -50, 0));
                Assert.Equal(0, gateway.PendingEvents);
                Assert.Equal(0, gateway.Counters.MessagesDelivered);
                Assert.Equal(1, gateway.Counters.RejectedFor(RejectReason.BadPayloadMic));
                Assert.Equal(1, gateway.PendingTransmits); // relayed: the network MIC verified

                // The genuine frame, arriving later: a forgery that kept the payload tag (16 bits of the payload
                // MIC) is the same message to the duplicate cache, so the genuine one is a duplicate; one that
                // changed the tag is another message under the sequence, and the genuine frame is still taken
                // and delivered (PROTOCOL.md, "Sequence numbers and the replay window").
                int tagStart = (FrameLayout.HeaderSize + frame[FrameLayout.OffsetPayloadLength]) * 8;
                bool tagChanged = bit >= tagStart && bit < tagStart + 16;
                Assert.Equal(tagChanged ? RejectReason.None : RejectReason.Duplicate, gateway.Receive(frame, 0, frame.Length, -50, 0));
                Assert.Equal(tagChanged ? 1 : 0, gateway.Counters.MessagesDelivered);
            }
        }

        /// <summary>
        /// The header is under the payload MIC too (hop fields zeroed): an insider who changes the sequence
        /// (to replay old readings as new), the time (to make them fresh), the destination or the type and
        /// re-seals the network MIC gets BadPayloadMic. Changing only hop fields is relaying, and is accepted.
        /// </summary>
        [Fact]
        public void Header_altered_under_a_device_sealed_payload_and_resealed_is_BadPayloadMic_but_hop_fields_are_free()
        {
            byte[] frame = Pinned(Kat.Readings);
            var alterations = new (string What, Action<byte[]> Change)[]
            {
                ("sequence", b => b[13] ^= 0x40),
                ("time", b => b[17 + 1] ^= 0x01),
                ("destination", b => { b.AsSpan(9, 4).Fill(0xFF); }),
                ("hop limit", b => b[21] = 9),
                ("type: readings -> text", b => b[1] = (byte)MessageType.Text),
            };
            foreach (var a in alterations)
            {
                byte[] forged = (byte[])frame.Clone();
                a.Change(forged);
                forged = MeshV2Reference.Resealed(Secret, forged);
                Assert.Null(RefOpen(forged));
                MeshNode gateway = Receiver(Key(Secret));
                RejectReason r = gateway.Receive(forged, 0, forged.Length, -50, 0);
                Assert.True(r == RejectReason.BadPayloadMic, $"{a.What}: {r}");
                Assert.Equal(0, gateway.PendingEvents);
            }

            byte[] relayed = MeshV2Reference.Relayed(Secret, frame, 7, 0x77777777, 0);
            MeshNode bridge = Receiver(Key(Secret));
            Assert.Equal(RejectReason.None, bridge.Receive(relayed, 0, relayed.Length, -50, 0));
            MeshEvent e = new MeshEvent();
            Assert.True(bridge.TryTakeEvent(e));
            Assert.Equal(Hex(ReadingsPayload), Hex(e.Payload.AsSpan(0, e.PayloadLength).ToArray()));
        }

        [Fact]
        public void Command_altered_and_resealed_with_the_network_key_is_BadPayloadMic_at_the_target_and_never_executed()
        {
            byte[] frame = Pinned(Kat.Command);
            int payloadEnd = frame.Length - FrameLayout.NetMicSize;
            for (int bit = FrameLayout.HeaderSize * 8; bit < payloadEnd * 8; bit += 3)
            {
                byte[] forged = MeshV2Reference.Resealed(Secret, Flip(frame, bit));
                MeshNode target = Sender(Key(Secret));
                long before = target.ReportIntervalMs;
                Assert.Equal(RejectReason.BadPayloadMic, target.Receive(forged, 0, forged.Length, -50, 0));
                Assert.Equal(0, target.PendingEvents);
                Assert.Equal(before, target.ReportIntervalMs);
            }
        }

        [Fact]
        public void Network_sealed_text_altered_and_resealed_is_BadPayloadMic()
        {
            byte[] frame = Pinned(Kat.NetText);
            byte[] forged = MeshV2Reference.Resealed(Secret, Flip(frame, FrameLayout.HeaderSize * 8 + 3));
            MeshNode node = Receiver(Key(Secret), role: NodeRole.Relay);
            Assert.Equal(RejectReason.BadPayloadMic, node.Receive(forged, 0, forged.Length, -50, 0));
            Assert.Equal(0, node.PendingEvents);
        }

        /// <summary>An insider seals readings "from Origin" with its own device key: the gateway's key for Origin does not open them.</summary>
        [Fact]
        public void Readings_forged_by_another_insider_under_its_own_device_key_are_BadPayloadMic()
        {
            byte[] forged = MeshV2Reference.Seal(Secret, DeviceSecretOf(ReceiverId), KnownHeader(), ReadingsPayload);
            Assert.True(MeshV2Reference.VerifyNetwork(Secret, forged));
            MeshNode gateway = Receiver(Key(Secret), id: 0x77);
            Assert.Equal(RejectReason.BadPayloadMic, gateway.Receive(forged, 0, forged.Length, -50, 0));
            Assert.Equal(0, gateway.PendingEvents);

            // Claiming a device key index the gateway does not hold for Origin: UnknownDevice.
            RefHeader otherIndex = KnownHeader() with { DeviceKeyIndex = 6 };
            byte[] unknown = MeshV2Reference.Seal(Secret, DeviceSecret, otherIndex, ReadingsPayload);
            Assert.Equal(RejectReason.UnknownDevice, Receiver(Key(Secret)).Receive(unknown, 0, unknown.Length, -50, 0));
        }

        /// <summary>
        /// PROTOCOL.md: a command must be DeviceSealed + Downlink (sealed with the target's key); "a node
        /// executes a command only when it opens under its own device key". An insider that seals a
        /// command with its *own* device key (uplink sealing, no Downlink flag) to a gateway — which holds
        /// that key in its directory — must not get it executed: it is refused as Unsealed before any
        /// crypto, by the gateway and by relays alike.
        /// </summary>
        [Theory]
        [InlineData(NodeRole.Bridge)]
        [InlineData(NodeRole.Edge)]
        [InlineData(NodeRole.Relay)]
        public void Command_sealed_with_the_senders_own_device_key_is_Unsealed_and_never_executed(NodeRole role)
        {
            const uint insider = 0x100;
            byte[] args = { 0x01, 0, 0, 0 }; // set report interval: 1 s
            byte[] payload = new byte[Mesh.Protocol.Messages.CommandCodec.HeaderSize + args.Length];
            Mesh.Protocol.Messages.CommandCodec.Encode(payload, 0, 0x4242, Mesh.Protocol.Messages.CommandKind.SetReportInterval, 1000, args, 0, args.Length);
            RefHeader uplinkCommand = new RefHeader(FrameFlags.DeviceSealed, (byte)MessageType.Command, Network, NetworkKeyIndex, 0,
                insider, ReceiverId, 1000, Time, HopLimit, 0, insider, 0);
            byte[] forged = RefSeal(uplinkCommand, payload); // sealed with DK(insider), which the gateway holds
            Assert.Equal(Hex(payload), Hex(RefOpen(forged)!));

            MeshNode gateway = Receiver(Key(Secret), role: role);
            long before = gateway.ReportIntervalMs;
            Assert.Equal(RejectReason.Unsealed, gateway.Receive(forged, 0, forged.Length, -50, 0));
            Assert.Equal(before, gateway.ReportIntervalMs);
            AssertNothingHappened(gateway, "uplink-sealed command");
        }

        /// <summary>Readings, heartbeats and acks are sealed with the origin's key: the Downlink flag on them is the wrong sealing.</summary>
        [Theory]
        [InlineData(MessageType.Readings)]
        [InlineData(MessageType.Heartbeat)]
        [InlineData(MessageType.Ack)]
        public void Uplink_types_sealed_as_Downlink_are_Unsealed(MessageType type)
        {
            RefHeader downlink = KnownHeader() with { Flags = FrameFlags.DeviceSealed | FrameFlags.Downlink, Type = (byte)type, Destination = ReceiverId };
            byte[] frame = RefSeal(downlink, ReadingsPayload); // sealed with the destination's (the receiver's own) device key
            MeshNode receiver = Receiver(Key(Secret));
            Assert.Equal(RejectReason.Unsealed, receiver.Receive(frame, 0, frame.Length, -50, 0));
            AssertNothingHappened(receiver, type.ToString());
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Every_truncation_is_rejected_TooShort_below_42_bytes_else_LengthMismatch(Kat k)
        {
            byte[] frame = Pinned(k);
            MeshNode receiver = ReceiverFor(k);
            for (int length = 0; length < frame.Length; length++)
            {
                RejectReason expected = length < FrameLayout.MinFrameSize ? RejectReason.TooShort : RejectReason.LengthMismatch;

                // The prefix given by length inside the full buffer ...
                Assert.Equal(expected, receiver.Receive(frame, 0, length, -50, 0));

                // ... and as an exact-length array (an over-read would throw).
                byte[] cut = frame.AsSpan(0, length).ToArray();
                Assert.Equal(expected, receiver.Receive(cut, 0, cut.Length, -50, 0));
                Assert.Equal(expected, FrameCodec.TryDecode(cut, 0, cut.Length, new FrameHeader()));
            }

            Assert.Equal(RejectReason.None, receiver.Receive(frame, 0, frame.Length, -50, 0));
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Every_extension_by_one_byte_is_rejected_as_LengthMismatch(Kat k)
        {
            byte[] frame = Pinned(k);
            MeshNode receiver = ReceiverFor(k);
            for (int value = 0; value < 256; value++)
            {
                byte[] longer = new byte[frame.Length + 1];
                frame.CopyTo(longer, 0);
                longer[frame.Length] = (byte)value;
                Assert.Equal(RejectReason.LengthMismatch, receiver.Receive(longer, 0, longer.Length, -50, 0));

                // Also when the extra byte is inserted in front of the network MIC.
                byte[] inserted = new byte[frame.Length + 1];
                frame.AsSpan(0, frame.Length - 8).CopyTo(inserted);
                inserted[frame.Length - 8] = (byte)value;
                frame.AsSpan(frame.Length - 8).CopyTo(inserted.AsSpan(frame.Length - 7));
                Assert.Equal(RejectReason.LengthMismatch, receiver.Receive(inserted, 0, inserted.Length, -50, 0));
            }

            Assert.Equal(RejectReason.None, receiver.Receive(frame, 0, frame.Length, -50, 0));
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Extension_with_the_length_byte_fixed_up_is_rejected_as_BadMic(Kat k)
        {
            byte[] frame = Pinned(k);
            MeshNode receiver = ReceiverFor(k);
            for (int value = 0; value < 256; value += 17)
            {
                // The payload grows by one byte at its end, the length byte says so, both MICs kept.
                int payloadEnd = FrameLayout.HeaderSize + frame[FrameLayout.OffsetPayloadLength];
                byte[] longer = new byte[frame.Length + 1];
                frame.AsSpan(0, payloadEnd).CopyTo(longer);
                longer[payloadEnd] = (byte)value;
                frame.AsSpan(payloadEnd).CopyTo(longer.AsSpan(payloadEnd + 1));
                longer[FrameLayout.OffsetPayloadLength]++;
                Assert.Equal(RejectReason.BadMic, receiver.Receive(longer, 0, longer.Length, -50, 0));
                AssertNothingHappened(receiver, k.ToString());
            }
        }

        [Theory]
        [MemberData(nameof(AllKats))]
        public void Frame_sealed_under_another_network_key_is_rejected_as_BadMic(Kat k)
        {
            byte[] otherSecret = Secret;
            otherSecret[15] ^= 0x01; // one bit away from the real key
            RefHeader h = WireFormatKnownAnswerTests.HeaderOf(k);
            byte[] plaintext = WireFormatKnownAnswerTests.PlaintextOf(k);
            byte[]? device = h.DeviceSealed ? DeviceSecretOf(h.Downlink ? h.Destination : h.Origin) : null;
            byte[] foreign = MeshV2Reference.Seal(otherSecret, device, h, plaintext);
            Assert.Equal(Hex(foreign), Hex(CoreSeal(Key(otherSecret), h, plaintext)));

            MeshNode receiver = ReceiverFor(k);
            Assert.Equal(RejectReason.BadMic, receiver.Receive(foreign, 0, foreign.Length, -50, 0));
            AssertNothingHappened(receiver, k.ToString());
            Assert.False(MeshV2Reference.VerifyNetwork(Secret, foreign));

            // Same header, so the rejection is the MIC and nothing else; the right-key frame is accepted.
            byte[] genuine = Pinned(k);
            Assert.Equal(Hex(genuine.AsSpan(0, FrameLayout.HeaderSize).ToArray()), Hex(foreign.AsSpan(0, FrameLayout.HeaderSize).ToArray()));
            Assert.Equal(RejectReason.None, receiver.Receive(genuine, 0, genuine.Length, -50, 0));
        }

        [Fact]
        public void Frame_under_a_network_key_index_the_node_does_not_hold_is_UnknownKey_before_any_crypto()
        {
            RefHeader h = KnownHeader() with { NetworkKeyIndex = 4 };
            byte[] frame = RefSeal(h, ReadingsPayload); // sealed with the right secret, wrong index
            MeshNode gateway = Receiver(Key(Secret));
            Assert.Equal(RejectReason.UnknownKey, gateway.Receive(frame, 0, frame.Length, -50, 0));
            AssertNothingHappened(gateway, "unknown key index");
        }

        [Fact]
        public void Sealed_frames_do_not_contain_their_plaintext_and_the_wrong_key_does_not_recover_it()
        {
            byte[] genuine = Pinned(Kat.Readings);
            byte[] otherDevice = DeviceSecret;
            otherDevice[0] = 0xFF;
            byte[] foreign = MeshV2Reference.Seal(Secret, otherDevice, KnownHeader(), ReadingsPayload);
            byte[] plaintext = ReadingsPayload;

            Assert.Equal(-1, foreign.AsSpan().IndexOf(plaintext));
            Assert.Equal(-1, genuine.AsSpan().IndexOf(plaintext));

            // No 4-byte run of the plaintext (the i32 values) survives either.
            for (int i = 0; i + 4 <= plaintext.Length; i++)
            {
                Assert.Equal(-1, foreign.AsSpan(FrameLayout.HeaderSize).IndexOf(plaintext.AsSpan(i, 4)));
                Assert.Equal(-1, genuine.AsSpan(FrameLayout.HeaderSize).IndexOf(plaintext.AsSpan(i, 4)));
            }

            Assert.Null(MeshV2Reference.Open(Secret, DeviceSecret, foreign));
            Assert.Equal(Hex(plaintext), Hex(MeshV2Reference.Open(Secret, otherDevice, foreign)!));
            Assert.NotEqual(Hex(genuine.AsSpan(FrameLayout.HeaderSize, 11).ToArray()), Hex(foreign.AsSpan(FrameLayout.HeaderSize, 11).ToArray()));

            byte[] text = Pinned(Kat.NetText);
            Assert.Equal(-1, text.AsSpan().IndexOf(WireFormatKnownAnswerTests.Text));
        }

        [Fact]
        public void Plain_text_frame_carries_the_payload_in_clear_but_is_still_authenticated()
        {
            byte[] frame = Pinned(Kat.PlainText);
            Assert.Equal(FrameLayout.HeaderSize, frame.AsSpan().IndexOf(WireFormatKnownAnswerTests.Text));
            byte[] forged = (byte[])frame.Clone();
            forged[FrameLayout.HeaderSize] = (byte)'j'; // "jello mesh"
            MeshNode node = Receiver(Key(Secret), requireEncryption: false);
            Assert.Equal(RejectReason.BadMic, node.Receive(forged, 0, forged.Length, -50, 0));
            AssertNothingHappened(node, "plain text");
        }

        [Fact]
        public void Receive_with_an_offset_and_length_that_run_past_the_buffer_is_TooShort_not_an_exception()
        {
            byte[] frame = Pinned(Kat.Readings);
            MeshNode receiver = Receiver(Key(Secret));
            Assert.Equal(RejectReason.TooShort, receiver.Receive(frame, 1, frame.Length, -50, 0));
            Assert.Equal(RejectReason.TooShort, receiver.Receive(frame, frame.Length + 1, 0, -50, 0));
            Assert.Equal(RejectReason.TooShort, receiver.Receive(frame, -1, frame.Length, -50, 0));
            Assert.Equal(RejectReason.TooShort, receiver.Receive(frame, 0, -5, -50, 0));
            Assert.Equal(RejectReason.TooShort, receiver.Receive(frame, int.MaxValue, FrameLayout.MinFrameSize, -50, 0));
            Assert.Equal(RejectReason.None, receiver.Receive(frame, 0, frame.Length, -50, 0));
        }
    }
}
