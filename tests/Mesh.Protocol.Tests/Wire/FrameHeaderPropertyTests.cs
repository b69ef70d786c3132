using System;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.WireTests
{
    public class FrameHeaderPropertyTests
    {
        private static FrameHeader ToCore(RefHeader h, int payloadLength) => new FrameHeader
        {
            Flags = h.Encrypted ? FrameFlags.Encrypted : 0,
            Type = (MessageType)h.Type,
            Network = h.Network,
            Origin = h.Origin,
            Destination = h.Destination,
            Sequence = h.Sequence,
            HopLimit = h.HopLimit,
            HopsTaken = h.HopsTaken,
            PreviousHop = h.PreviousHop,
            NextHop = h.NextHop,
            PayloadLength = payloadLength,
        };

        private static void AssertSameHeader(FrameHeader expected, FrameHeader actual)
        {
            Assert.Equal(expected.Flags, actual.Flags);
            Assert.Equal(expected.Type, actual.Type);
            Assert.Equal(expected.Network, actual.Network);
            Assert.Equal(expected.Origin, actual.Origin);
            Assert.Equal(expected.Destination, actual.Destination);
            Assert.Equal(expected.Sequence, actual.Sequence);
            Assert.Equal(expected.HopLimit, actual.HopLimit);
            Assert.Equal(expected.HopsTaken, actual.HopsTaken);
            Assert.Equal(expected.PreviousHop, actual.PreviousHop);
            Assert.Equal(expected.NextHop, actual.NextHop);
            Assert.Equal(expected.PayloadLength, actual.PayloadLength);
        }

        private static readonly Gen<(RefHeader Header, int PayloadLength, int Offset)> HeaderAtOffset =
            from h in WireGen.ValidHeader
            from n in Gen.Choose(0, FrameLayout.MaxPayloadSize)
            from offset in Gen.Choose(0, 9)
            select (h, n, offset);

        [Property(MaxTest = 500, Replay = "(424242,1357)")]
        public Property FrameHeader_written_then_decoded_gives_back_every_field()
        {
            return Prop.ForAll(HeaderAtOffset.ToArbitrary(), c =>
            {
                FrameHeader written = ToCore(c.Header, c.PayloadLength);
                byte[] buffer = new byte[c.Offset + written.FrameLength]; // exact: an over-read would throw
                FrameCodec.WriteHeader(written, buffer, c.Offset);
                FrameHeader read = new FrameHeader();
                Assert.Equal(RejectReason.None, FrameCodec.TryDecode(buffer, c.Offset, written.FrameLength, read));
                AssertSameHeader(written, read);

                // The bytes are exactly those of the independent reference header.
                byte[] expected = MeshV1Reference.Header(c.Header, c.PayloadLength);
                Assert.Equal(MeshFixtures.Hex(expected), MeshFixtures.Hex(buffer.AsSpan(c.Offset, FrameLayout.HeaderSize).ToArray()));

                FrameHeader copy = new FrameHeader();
                copy.CopyFrom(read);
                AssertSameHeader(read, copy);
            });
        }

        /// <summary>Header-shaped byte strings: version 1, a defined type, a consistent length byte; the rest random.</summary>
        private static readonly Gen<byte[]> HeaderShaped =
            from flags in Gen.Choose(0, 15)
            from type in Gen.Choose(0, 7)
            from rest in WireGen.Bytes(25, 25)
            from payloadLength in Gen.Choose(0, FrameLayout.MaxPayloadSize)
            from tail in Gen.ArrayOf(WireGen.AnyByte, payloadLength + FrameLayout.MicSize)
            select Build(flags, type, rest, payloadLength, tail);

        private static byte[] Build(int flags, int type, byte[] rest, int payloadLength, byte[] tail)
        {
            byte[] b = new byte[FrameLayout.HeaderSize + tail.Length];
            b[0] = (byte)(0x10 | flags);
            b[1] = (byte)type;
            rest.CopyTo(b, 2);
            b[16] = (byte)(b[16] % 40);
            b[17] = (byte)(b[17] % 40);
            b[26] = (byte)payloadLength;
            tail.CopyTo(b, FrameLayout.HeaderSize);
            return b;
        }

        [Property(MaxTest = 1000, Replay = "(777,999)")]
        public Property Any_byte_string_that_decodes_re_encodes_to_the_same_27_header_bytes()
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
                return MeshFixtures.Hex(again) == MeshFixtures.Hex(bytes.AsSpan(0, FrameLayout.HeaderSize).ToArray());
            });
        }

        [Fact]
        public void Decoder_checks_are_pinned_one_field_at_a_time()
        {
            byte[] good = MeshV1Reference.Seal(MeshFixtures.Secret, MeshFixtures.KnownHeader(true), MeshFixtures.ReadingsPayload);
            FrameHeader h = new FrameHeader();

            RejectReason Decode(Action<byte[]> mutate, int lengthDelta = 0)
            {
                byte[] b = new byte[good.Length + Math.Max(0, lengthDelta)];
                good.CopyTo(b, 0);
                mutate(b);
                return FrameCodec.TryDecode(b, 0, good.Length + lengthDelta, h);
            }

            Assert.Equal(RejectReason.None, Decode(_ => { }));
            Assert.Equal(RejectReason.UnsupportedVersion, Decode(b => b[0] = 0x01));
            Assert.Equal(RejectReason.UnsupportedVersion, Decode(b => b[0] = 0x21));
            Assert.Equal(RejectReason.ReservedFlags, Decode(b => b[0] = 0x12));
            Assert.Equal(RejectReason.ReservedFlags, Decode(b => b[0] = 0x18));
            Assert.Equal(RejectReason.UnknownMessageType, Decode(b => b[1] = 0));
            Assert.Equal(RejectReason.UnknownMessageType, Decode(b => b[1] = 6));
            Assert.Equal(RejectReason.LengthMismatch, Decode(b => b[26] = 12));
            Assert.Equal(RejectReason.HopLimitInvalid, Decode(b => b[16] = 33));
            Assert.Equal(RejectReason.None, Decode(b => { b[16] = 32; b[17] = 32; }));
            Assert.Equal(RejectReason.HopsExceeded, Decode(b => b[17] = 9));
            Assert.Equal(RejectReason.BadAddress, Decode(b => Array.Clear(b, 4, 4)));
            Assert.Equal(RejectReason.BadAddress, Decode(b => b.AsSpan(4, 4).Fill(0xFF)));
            Assert.Equal(RejectReason.BadAddress, Decode(b => { b.AsSpan(4, 4).Fill(0xFF); b[4] = 0xFE; }));
            Assert.Equal(RejectReason.BadAddress, Decode(b => Array.Clear(b, 8, 4)));
            Assert.Equal(RejectReason.None, Decode(b => b.AsSpan(8, 4).Fill(0xFF))); // broadcast destination
            Assert.Equal(RejectReason.TooShort, Decode(_ => { }, -(good.Length - FrameLayout.Overhead + 1)));
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(good, 1, good.Length, h)); // runs past the buffer
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(good, -1, 10, h));
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(good, 0, -1, h));
            Assert.Equal(RejectReason.TooShort, FrameCodec.TryDecode(null!, 0, 0, h));
            Assert.Equal(RejectReason.TooLong, FrameCodec.TryDecode(new byte[300], 0, 251, h));
        }
    }
}
