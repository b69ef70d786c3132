using System;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;

namespace Mesh.Protocol.Tests.WireTests
{
    public class FrameHeaderPropertyTests
    {
        private static FrameHeader ToCore(RefHeader h, int payloadLength) => new FrameHeader
        {
            Flags = h.Flags,
            Type = (MessageType)h.Type,
            Network = h.Network,
            NetworkKeyIndex = h.NetworkKeyIndex,
            DeviceKeyIndex = h.DeviceKeyIndex,
            Origin = h.Origin,
            Destination = h.Destination,
            Sequence = h.Sequence,
            Time = h.Time,
            HopLimit = h.HopLimit,
            HopsTaken = h.HopsTaken,
            PreviousHop = h.PreviousHop,
            NextHop = h.NextHop,
            SenderCost = h.SenderCost,
            PayloadLength = payloadLength,
        };

        private static void AssertSameHeader(FrameHeader expected, FrameHeader actual)
        {
            Assert.Equal(expected.Flags, actual.Flags);
            Assert.Equal(expected.Type, actual.Type);
            Assert.Equal(expected.Network, actual.Network);
            Assert.Equal(expected.NetworkKeyIndex, actual.NetworkKeyIndex);
            Assert.Equal(expected.DeviceKeyIndex, actual.DeviceKeyIndex);
            Assert.Equal(expected.Origin, actual.Origin);
            Assert.Equal(expected.Destination, actual.Destination);
            Assert.Equal(expected.Sequence, actual.Sequence);
            Assert.Equal(expected.Time, actual.Time);
            Assert.Equal(expected.HopLimit, actual.HopLimit);
            Assert.Equal(expected.HopsTaken, actual.HopsTaken);
            Assert.Equal(expected.PreviousHop, actual.PreviousHop);
            Assert.Equal(expected.NextHop, actual.NextHop);
            Assert.Equal(expected.SenderCost, actual.SenderCost);
            Assert.Equal(expected.PayloadLength, actual.PayloadLength);
        }

        private static readonly Gen<(RefHeader Header, int PayloadLength, int Offset)> HeaderAtOffset =
            from h in WireGen.ValidHeader
            from n in Gen.Choose(0, WireGen.MaxPayloadFor(h.Flags))
            from offset in Gen.Choose(0, 9)
            select (h, n, offset);

        [Property(MaxTest = 500, Replay = "(424242,1357)")]
        public Property FrameHeader_written_then_decoded_gives_back_every_field()
        {
            return Prop.ForAll(HeaderAtOffset.ToArbitrary(), c =>
            {
                FrameHeader written = ToCore(c.Header, c.PayloadLength);
                Assert.Equal(FrameLayout.HeaderSize + c.PayloadLength + FrameLayout.Trailer(c.Header.Flags), written.FrameLength);
                byte[] buffer = new byte[c.Offset + written.FrameLength]; // exact: an over-read would throw
                FrameCodec.WriteHeader(written, buffer, c.Offset);
                FrameHeader read = new FrameHeader();
                Assert.Equal(RejectReason.None, FrameCodec.TryDecode(buffer, c.Offset, written.FrameLength, read));
                AssertSameHeader(written, read);
                Assert.Equal(c.Header.DeviceSealed, read.IsDeviceSealed);
                Assert.Equal(c.Header.Downlink, read.IsDownlink);
                Assert.Equal(c.Header.NetworkSealed, read.IsNetworkSealed);
                Assert.Equal(c.Header.Sealed, read.IsEncrypted);
                Assert.Equal(c.Header.Downlink ? c.Header.Destination : c.Header.Origin, read.DeviceKeyOwner);
                Assert.Equal(written.FrameLength - FrameLayout.NetMicSize, read.NetMicOffset);

                // The bytes are exactly those of the independent reference header.
                byte[] expected = MeshV2Reference.Header(c.Header, c.PayloadLength);
                Assert.Equal(Hex(expected), Hex(buffer.AsSpan(c.Offset, FrameLayout.HeaderSize).ToArray()));

                FrameHeader copy = new FrameHeader();
                copy.CopyFrom(read);
                AssertSameHeader(read, copy);
            });
        }

        [Property(MaxTest = 300, Replay = "(2468,1357)")]
        public Property WriteHopFields_changes_exactly_bytes_22_to_30()
        {
            Gen<(RefHeader Header, byte Hops, uint Previous, uint Next)> cases =
                from h in WireGen.ValidHeader
                from hops in WireGen.AnyByte
                from previous in WireGen.AnyUInt
                from next in WireGen.AnyUInt
                select (h, hops, previous, next);
            return Prop.ForAll(cases.ToArbitrary(), c =>
            {
                byte[] before = MeshV2Reference.Header(c.Header, 0);
                byte[] after = (byte[])before.Clone();
                FrameCodec.WriteHopFields(after, 0, c.Hops, c.Previous, c.Next);
                RefHeader changed = c.Header with { HopsTaken = c.Hops, PreviousHop = c.Previous, NextHop = c.Next };
                Assert.Equal(Hex(MeshV2Reference.Header(changed, 0)), Hex(after));
                for (int i = 0; i < FrameLayout.HeaderSize; i++)
                {
                    bool hop = i >= FrameLayout.OffsetHopsTaken && i < FrameLayout.OffsetSenderCost; // 22..30
                    Assert.True(hop || before[i] == after[i], $"byte {i} changed");
                }
            });
        }

        /// <summary>The sender cost is the last hop field, bytes 31..32 (u16 LE), written on its own.</summary>
        [Property(MaxTest = 300, Replay = "(1357,2469)")]
        public Property WriteSenderCost_changes_exactly_bytes_31_and_32()
        {
            Gen<(RefHeader Header, ushort Cost)> cases =
                from h in WireGen.ValidHeader
                from cost in WireGen.AnyUShort
                select (h, cost);
            return Prop.ForAll(cases.ToArbitrary(), c =>
            {
                byte[] before = MeshV2Reference.Header(c.Header, 0);
                byte[] after = (byte[])before.Clone();
                FrameCodec.WriteSenderCost(after, 0, c.Cost);
                Assert.Equal(Hex(MeshV2Reference.Header(c.Header with { SenderCost = c.Cost }, 0)), Hex(after));
                for (int i = 0; i < FrameLayout.HeaderSize; i++)
                {
                    bool cost = i == FrameLayout.OffsetSenderCost || i == FrameLayout.OffsetSenderCost + 1;
                    Assert.True(cost || before[i] == after[i], $"byte {i} changed");
                }

                Assert.Equal(FrameLayout.HopFieldsStart + FrameLayout.HopFieldsLength, FrameLayout.OffsetSenderCost + 2);
            });
        }

        /// <summary>Header-shaped byte strings: version 2, any flags and type, a consistent length byte; the rest random.</summary>
        private static readonly Gen<byte[]> HeaderShaped =
            from flags in Gen.Choose(0, 15)
            from type in Gen.Choose(0, 7)
            from rest in WireGen.Bytes(FrameLayout.HeaderSize - 3, FrameLayout.HeaderSize - 3) // bytes 2..32
            from payloadLength in Gen.Choose(0, FrameLayout.MaxFrameSize - FrameLayout.HeaderSize - FrameLayout.Trailer(flags))
            from tail in Gen.ArrayOf(WireGen.AnyByte, payloadLength + FrameLayout.Trailer(flags))
            select Build(flags, type, rest, payloadLength, tail);

        private static byte[] Build(int flags, int type, byte[] rest, int payloadLength, byte[] tail)
        {
            byte[] b = new byte[FrameLayout.HeaderSize + tail.Length];
            b[0] = (byte)(0x20 | flags);
            b[1] = (byte)type;
            rest.CopyTo(b, 2);
            b[FrameLayout.OffsetHopLimit] = (byte)(b[FrameLayout.OffsetHopLimit] % 40);
            b[FrameLayout.OffsetHopsTaken] = (byte)(b[FrameLayout.OffsetHopsTaken] % 40);
            b[FrameLayout.OffsetPayloadLength] = (byte)payloadLength;
            tail.CopyTo(b, FrameLayout.HeaderSize);
            return b;
        }

        [Property(MaxTest = 1000, Replay = "(777,999)")]
        public Property Any_byte_string_that_decodes_re_encodes_to_the_same_34_header_bytes()
        {
            return Prop.ForAll(HeaderShaped.ToArbitrary(), bytes =>
            {
                FrameHeader h = new FrameHeader();
                RejectReason r = FrameCodec.TryDecode(bytes, 0, bytes.Length, h);
                if (r != RejectReason.None)
                {
                    return true;
                }

                byte[] again = new byte[FrameLayout.HeaderSize];
                FrameCodec.WriteHeader(h, again, 0);
                return Hex(again) == Hex(bytes.AsSpan(0, FrameLayout.HeaderSize).ToArray());
            });
        }

        [Fact]
        public void Decoder_checks_are_pinned_one_field_at_a_time()
        {
            byte[] good = RefSeal(KnownHeader(), ReadingsPayload);
            Assert.Equal(61, good.Length); // 34 + 11 + 8 + 8
            FrameHeader h = new FrameHeader();

            RejectReason Decode(Action<byte[]> mutate, int lengthDelta = 0)
            {
                byte[] b = new byte[good.Length + Math.Max(0, lengthDelta)];
                good.CopyTo(b, 0);
                mutate(b);
                return FrameCodec.TryDecode(b, 0, good.Length + lengthDelta, h);
            }

            Assert.Equal(RejectReason.None, Decode(_ => { }));

            // Version nibble.
            Assert.Equal(RejectReason.LegacyVersion, Decode(b => b[0] = 0x11));
            Assert.Equal(RejectReason.LegacyVersion, Decode(b => b[0] = 0x10));
            Assert.Equal(RejectReason.UnsupportedVersion, Decode(b => b[0] = 0x01));
            Assert.Equal(RejectReason.UnsupportedVersion, Decode(b => b[0] = 0x31));
            Assert.Equal(RejectReason.UnsupportedVersion, Decode(b => b[0] = 0xF1));

            // Flags: reserved bit 3, both sealings, Downlink without DeviceSealed.
            Assert.Equal(RejectReason.ReservedFlags, Decode(b => b[0] = 0x29));
            Assert.Equal(RejectReason.ReservedFlags, Decode(b => b[0] = 0x28));
            Assert.Equal(RejectReason.ReservedFlags, Decode(b => b[0] = 0x25));
            Assert.Equal(RejectReason.ReservedFlags, Decode(b => b[0] = 0x22));
            Assert.Equal(RejectReason.ReservedFlags, Decode(b => b[0] = 0x26));
            Assert.Equal(RejectReason.None, Decode(b => b[0] = 0x24)); // network-sealed: same trailer
            Assert.Equal(RejectReason.LengthMismatch, Decode(b => b[0] = 0x20)); // plain: no payload MIC, 8 bytes too many
            Assert.Equal(RejectReason.None, Decode(b => b[0] = 0x20, -8));

            // Downlink must name one node: the known frame goes to every gateway.
            Assert.Equal(RejectReason.BadAddress, Decode(b => b[0] = 0x23));
            Assert.Equal(RejectReason.BadAddress, Decode(b => { b[0] = 0x23; b.AsSpan(9, 4).Fill(0xFF); }));
            Assert.Equal(RejectReason.None, Decode(b => { b[0] = 0x23; b[9] = 0x07; b[10] = 0; b[11] = 0; b[12] = 0; }));

            Assert.Equal(RejectReason.UnknownMessageType, Decode(b => b[1] = 0));
            Assert.Equal(RejectReason.UnknownMessageType, Decode(b => b[1] = 8));
            // Types 6 (beacon) and 7 (hop ack) exist but allow no payload sealing: this frame is device-sealed.
            Assert.Equal(RejectReason.ReservedFlags, Decode(b => b[1] = 6));
            Assert.Equal(RejectReason.ReservedFlags, Decode(b => b[1] = 7));
            Assert.Equal(RejectReason.LengthMismatch, Decode(b => b[33] = 12));
            Assert.Equal(RejectReason.LengthMismatch, Decode(b => b[33] = 10));
            Assert.Equal(RejectReason.HopLimitInvalid, Decode(b => b[21] = 33));
            Assert.Equal(RejectReason.None, Decode(b => { b[21] = 32; b[22] = 32; }));
            Assert.Equal(RejectReason.HopsExceeded, Decode(b => b[22] = 9));
            Assert.Equal(RejectReason.BadAddress, Decode(b => Array.Clear(b, 5, 4)));
            Assert.Equal(RejectReason.BadAddress, Decode(b => b.AsSpan(5, 4).Fill(0xFF)));
            Assert.Equal(RejectReason.BadAddress, Decode(b => { b.AsSpan(5, 4).Fill(0xFF); b[5] = 0xFE; }));
            Assert.Equal(RejectReason.BadAddress, Decode(b => Array.Clear(b, 9, 4)));
            Assert.Equal(RejectReason.None, Decode(b => b.AsSpan(9, 4).Fill(0xFF))); // broadcast destination

            // Key indices, time, sequence and network id are free at the codec level.
            Assert.Equal(RejectReason.None, Decode(b => b[4] = 0xFF));
            Assert.Equal(RejectReason.None, Decode(b => b.AsSpan(17, 4).Fill(0)));
            Assert.Equal(RejectReason.None, Decode(b => b.AsSpan(13, 4).Fill(0xFF)));
            Assert.Equal(RejectReason.None, Decode(b => b.AsSpan(2, 2).Fill(0)));

            // So is the sender cost (bytes 31..32; 0xFFFF in the known frame): any value decodes.
            Assert.Equal(RejectReason.None, Decode(b => b.AsSpan(31, 2).Fill(0)));
            Assert.Equal(RejectReason.None, Decode(b => { b[31] = 0x28; b[32] = 0x00; }));

            Assert.Equal(RejectReason.TooShort, Decode(_ => { }, -(good.Length - FrameLayout.MinFrameSize + 1)));
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(good, 0, 0, h));
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(good, 0, 1, h));
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(good, 1, good.Length, h)); // runs past the buffer
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(good, -1, 10, h));
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(good, 0, -1, h));
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(null!, 0, 0, h));
            Assert.Equal(RejectReason.TooLong, FrameCodec.TryDecode(new byte[300], 0, 251, h));
            Assert.Equal(42, FrameLayout.MinFrameSize);
        }

        [Fact]
        public void Smallest_frame_is_42_bytes_a_plain_empty_payload()
        {
            RefHeader plain = KnownHeader() with { Flags = 0, Type = (byte)MessageType.Text };
            byte[] frame = RefSeal(plain, Array.Empty<byte>());
            Assert.Equal(FrameLayout.MinFrameSize, frame.Length);
            Assert.Equal(RejectReason.None, FrameCodec.TryDecode(frame, 0, frame.Length, new FrameHeader()));
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(frame, 0, frame.Length - 1, new FrameHeader()));
        }

        /// <summary>
        /// PROTOCOL.md, "Decoding is total" step 2: a v1 frame (version nibble 1) is LegacyVersion whatever its
        /// length (1 … 250) and content — including lengths below v2's 42-byte minimum — in the codec and at a node.
        /// </summary>
        [Property(MaxTest = 500, Replay = "(1111,2223)")]
        public Property Any_v1_frame_of_length_1_to_250_is_rejected_as_LegacyVersion()
        {
            Gen<byte[]> v1 =
                from length in Gen.Frequency((3, Gen.Choose(1, FrameLayout.MaxFrameSize)), (1, Gen.Elements(1, 2, 35, FrameLayout.MinFrameSize - 1, FrameLayout.MinFrameSize, 46, 250)))
                from bytes in Gen.ArrayOf(WireGen.AnyByte, length)
                from low in Gen.Choose(0, 15)
                select Set0(bytes, (byte)(0x10 | low));
            MeshNode node = Receiver(Key(Secret));
            return Prop.ForAll(v1.ToArbitrary(), bytes =>
            {
                Assert.Equal(RejectReason.LegacyVersion, FrameCodec.TryDecode(bytes, 0, bytes.Length, new FrameHeader()));
                lock (node)
                {
                    Assert.Equal(RejectReason.LegacyVersion, node.Receive(bytes, 0, bytes.Length, -50, 0));
                }
            });
        }

        [Fact]
        public void A_v1_known_answer_frame_is_LegacyVersion_and_a_251_byte_one_is_TooLong()
        {
            // The v1 known-answer readings frame (27-byte header, encrypted, 46 bytes).
            byte[] v1 = Convert.FromHexString("11" + "01" + "3412" + "0d0c0b0a" + "feffffff" + "02010000" + "08" + "00" + "0d0c0b0a" + "00000000" + "0b" + "ecf220eb47cd1e5218eb68" + "b4280f4828cf3bfb");
            Assert.Equal(46, v1.Length);
            Assert.Equal(RejectReason.LegacyVersion, FrameCodec.TryDecode(v1, 0, v1.Length, new FrameHeader()));
            Assert.Equal(RejectReason.LegacyVersion, Receiver(Key(Secret)).Receive(v1, 0, v1.Length, -50, 0));
            Assert.Equal(RejectReason.LegacyVersion, FrameCodec.TryDecode(new byte[] { 0x10 }, 0, 1, new FrameHeader()));
            byte[] huge = new byte[251];
            huge[0] = 0x11;
            Assert.Equal(RejectReason.TooLong, FrameCodec.TryDecode(huge, 0, huge.Length, new FrameHeader()));
            Assert.Equal("legacy_version", RejectReasons.Label(RejectReason.LegacyVersion));
        }

        private static byte[] Set0(byte[] b, byte value)
        {
            b[0] = value;
            return b;
        }
    }
}
