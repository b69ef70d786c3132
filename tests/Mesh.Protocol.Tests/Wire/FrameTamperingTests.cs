using System;
using System.Collections.Generic;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;

namespace Mesh.Protocol.Tests.WireTests
{
    /// <summary>
    /// Every corruption of a valid frame is caught, through the node's real receive path
    /// (<see cref="MeshNode.Receive"/>): bit flips, truncations, extensions and a foreign key.
    /// </summary>
    public class FrameTamperingTests
    {
        private static readonly HashSet<RejectReason> DecodeOrMicReasons = new HashSet<RejectReason>
        {
            RejectReason.TooShort, RejectReason.TooLong, RejectReason.UnsupportedVersion, RejectReason.ReservedFlags,
            RejectReason.UnknownMessageType, RejectReason.LengthMismatch, RejectReason.HopLimitInvalid,
            RejectReason.HopsExceeded, RejectReason.BadAddress, RejectReason.WrongNetwork, RejectReason.BadMic,
        };

        public static TheoryData<bool> EncryptedOrPlain => new TheoryData<bool> { true, false };

        private static byte[] Flip(byte[] frame, int bit)
        {
            byte[] copy = (byte[])frame.Clone();
            copy[bit / 8] ^= (byte)(1 << (bit % 8));
            return copy;
        }

        [Theory]
        [MemberData(nameof(EncryptedOrPlain))]
        public void Every_single_bit_flip_outside_bytes_17_to_25_is_rejected_by_decode_or_by_mic(bool encrypted)
        {
            byte[] frame = CoreReadingsFrame(Key(Secret), encrypted);
            MeshNode receiver = Receiver(Key(Secret));
            int checkedBits = 0;
            for (int bit = 0; bit < frame.Length * 8; bit++)
            {
                int index = bit / 8;
                if (index >= FrameLayout.MutableStart && index < FrameLayout.MutableStart + FrameLayout.MutableLength)
                {
                    continue;
                }

                byte[] flipped = Flip(frame, bit);
                RejectReason r = receiver.Receive(flipped, 0, flipped.Length, -50, 0);
                Assert.True(DecodeOrMicReasons.Contains(r), $"flip of byte {index} bit {bit % 8} gave {r}");
                Assert.False(MeshV1Reference.Verify(Secret, flipped), $"reference accepts flip of byte {index} bit {bit % 8}");
                checkedBits++;
            }

            Assert.Equal((frame.Length - 9) * 8, checkedBits);
            Assert.Equal(0, receiver.PendingEvents);

            // The rejections were about the bytes, not about state: the untouched frame is still taken.
            Assert.Equal(RejectReason.None, receiver.Receive(frame, 0, frame.Length, -50, 0));
        }

        [Theory]
        [MemberData(nameof(EncryptedOrPlain))]
        public void Flips_of_the_mic_the_payload_and_the_authenticated_header_fields_are_BadMic_or_a_codec_reason(bool encrypted)
        {
            byte[] frame = CoreReadingsFrame(Key(Secret), encrypted);
            MeshNode receiver = Receiver(Key(Secret));

            // Payload and MIC bytes cannot change the header: every flip there must be a MIC failure.
            for (int bit = FrameLayout.HeaderSize * 8; bit < frame.Length * 8; bit++)
            {
                byte[] flipped = Flip(frame, bit);
                Assert.Equal(RejectReason.BadMic, receiver.Receive(flipped, 0, flipped.Length, -50, 0));
            }

            // Flag bit 0 (encrypted) and every bit of sequence / destination decode fine, so the MIC catches them.
            foreach (int bit in new[] { 0, 12 * 8, 12 * 8 + 31, 8 * 8, 8 * 8 + 24, 16 * 8 + 1 })
            {
                byte[] flipped = Flip(frame, bit);
                Assert.Equal(RejectReason.BadMic, receiver.Receive(flipped, 0, flipped.Length, -50, 0));
            }

            // Network id flips are dropped before any crypto, as PROTOCOL.md says.
            Assert.Equal(RejectReason.WrongNetwork, receiver.Receive(Flip(frame, 2 * 8), 0, frame.Length, -50, 0));
        }

        /// <summary>
        /// Bytes 17..25 (hops taken, previous hop, next hop) are outside the MIC by design. A flip there
        /// either still decodes and is accepted as the authentic frame (same plaintext delivered), or is
        /// rejected by the codec as HopsExceeded (hops taken pushed above the authenticated hop limit of 8).
        /// </summary>
        [Theory]
        [MemberData(nameof(EncryptedOrPlain))]
        public void Flips_in_the_mutable_bytes_17_to_25_stay_authentic_or_fail_only_as_HopsExceeded(bool encrypted)
        {
            byte[] frame = CoreReadingsFrame(Key(Secret), encrypted);
            int accepted = 0;
            int hopsExceeded = 0;
            for (int bit = FrameLayout.MutableStart * 8; bit < (FrameLayout.MutableStart + FrameLayout.MutableLength) * 8; bit++)
            {
                byte[] flipped = Flip(frame, bit);
                MeshNode receiver = Receiver(Key(Secret));
                RejectReason r = receiver.Receive(flipped, 0, flipped.Length, -50, 0);
                if (r == RejectReason.HopsExceeded)
                {
                    Assert.Equal(FrameLayout.OffsetHopsTaken, bit / 8);
                    Assert.True(flipped[FrameLayout.OffsetHopsTaken] > HopLimit);
                    hopsExceeded++;
                    continue;
                }

                Assert.Equal(RejectReason.None, r);
                Assert.True(MeshV1Reference.Verify(Secret, flipped));
                MeshEvent e = new MeshEvent();
                Assert.True(receiver.TryTakeEvent(e));
                Assert.Equal(Hex(ReadingsPayload), Hex(e.Payload.AsSpan(0, e.PayloadLength).ToArray()));
                Assert.Equal(Origin, e.Origin);
                Assert.Equal(Sequence, e.Sequence);
                accepted++;
            }

            // Hops taken 0 -> 1, 2, 4, 8 stay within the hop limit 8; 16, 32, 64, 128 exceed it.
            Assert.Equal(4, hopsExceeded);
            Assert.Equal(72 - 4, accepted);
        }

        [Theory]
        [MemberData(nameof(EncryptedOrPlain))]
        public void Every_truncation_is_rejected_TooShort_below_35_bytes_else_LengthMismatch(bool encrypted)
        {
            byte[] frame = CoreReadingsFrame(Key(Secret), encrypted);
            MeshNode receiver = Receiver(Key(Secret));
            for (int length = 0; length < frame.Length; length++)
            {
                RejectReason expected = length < FrameLayout.Overhead ? RejectReason.TooShort : RejectReason.LengthMismatch;

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
        [MemberData(nameof(EncryptedOrPlain))]
        public void Every_extension_by_one_byte_is_rejected_as_LengthMismatch(bool encrypted)
        {
            byte[] frame = CoreReadingsFrame(Key(Secret), encrypted);
            MeshNode receiver = Receiver(Key(Secret));
            for (int value = 0; value < 256; value++)
            {
                byte[] longer = new byte[frame.Length + 1];
                frame.CopyTo(longer, 0);
                longer[frame.Length] = (byte)value;
                Assert.Equal(RejectReason.LengthMismatch, receiver.Receive(longer, 0, longer.Length, -50, 0));

                // Also when the extra byte is inserted in front of the MIC.
                byte[] inserted = new byte[frame.Length + 1];
                frame.AsSpan(0, frame.Length - 8).CopyTo(inserted);
                inserted[frame.Length - 8] = (byte)value;
                frame.AsSpan(frame.Length - 8).CopyTo(inserted.AsSpan(frame.Length - 7));
                Assert.Equal(RejectReason.LengthMismatch, receiver.Receive(inserted, 0, inserted.Length, -50, 0));
            }

            Assert.Equal(RejectReason.None, receiver.Receive(frame, 0, frame.Length, -50, 0));
        }

        [Theory]
        [MemberData(nameof(EncryptedOrPlain))]
        public void Extension_with_the_length_byte_fixed_up_is_rejected_as_BadMic(bool encrypted)
        {
            byte[] frame = CoreReadingsFrame(Key(Secret), encrypted);
            MeshNode receiver = Receiver(Key(Secret));
            for (int value = 0; value < 256; value += 17)
            {
                // Payload grows by one byte at its end, length byte says so, MIC kept.
                byte[] longer = new byte[frame.Length + 1];
                frame.AsSpan(0, frame.Length - 8).CopyTo(longer);
                longer[frame.Length - 8] = (byte)value;
                frame.AsSpan(frame.Length - 8).CopyTo(longer.AsSpan(frame.Length - 7));
                longer[FrameLayout.OffsetPayloadLength]++;
                Assert.Equal(RejectReason.BadMic, receiver.Receive(longer, 0, longer.Length, -50, 0));
            }
        }

        [Theory]
        [MemberData(nameof(EncryptedOrPlain))]
        public void Frame_sealed_under_another_network_key_is_rejected_as_BadMic(bool encrypted)
        {
            byte[] otherSecret = Secret;
            otherSecret[15] ^= 0x01; // one bit away from the real key
            byte[] foreign = CoreReadingsFrame(Key(otherSecret), encrypted);
            Assert.Equal(Hex(foreign), Hex(MeshV1Reference.Seal(otherSecret, KnownHeader(encrypted), ReadingsPayload)));

            MeshNode receiver = Receiver(Key(Secret));
            Assert.Equal(RejectReason.BadMic, receiver.Receive(foreign, 0, foreign.Length, -50, 0));
            Assert.Equal(0, receiver.PendingEvents);
            Assert.False(MeshV1Reference.Verify(Secret, foreign));

            // Same header, so the rejection is the MIC and nothing else; the right-key frame is accepted.
            byte[] genuine = CoreReadingsFrame(Key(Secret), encrypted);
            Assert.Equal(Hex(genuine.AsSpan(0, FrameLayout.HeaderSize).ToArray()), Hex(foreign.AsSpan(0, FrameLayout.HeaderSize).ToArray()));
            Assert.Equal(RejectReason.None, receiver.Receive(genuine, 0, genuine.Length, -50, 0));
        }

        [Fact]
        public void Encrypted_frame_under_either_key_does_not_contain_the_plaintext_and_the_wrong_key_does_not_recover_it()
        {
            byte[] otherSecret = Secret;
            otherSecret[0] = 0xFF;
            byte[] foreign = CoreReadingsFrame(Key(otherSecret), true);
            byte[] genuine = CoreReadingsFrame(Key(Secret), true);
            byte[] plaintext = ReadingsPayload;

            Assert.Equal(-1, foreign.AsSpan().IndexOf(plaintext));
            Assert.Equal(-1, genuine.AsSpan().IndexOf(plaintext));

            // No 4-byte run of the plaintext (the i32 values) survives either.
            for (int i = 0; i + 4 <= plaintext.Length; i++)
            {
                Assert.Equal(-1, foreign.AsSpan(FrameLayout.HeaderSize).IndexOf(plaintext.AsSpan(i, 4)));
            }

            Assert.NotEqual(Hex(plaintext), Hex(MeshV1Reference.Open(Secret, foreign)));
            Assert.Equal(Hex(plaintext), Hex(MeshV1Reference.Open(otherSecret, foreign)));
            Assert.NotEqual(Hex(genuine.AsSpan(FrameLayout.HeaderSize, 11).ToArray()), Hex(foreign.AsSpan(FrameLayout.HeaderSize, 11).ToArray()));
        }

        [Fact]
        public void Plaintext_frame_carries_the_payload_in_clear_but_is_still_authenticated()
        {
            byte[] frame = CoreReadingsFrame(Key(Secret), false);
            Assert.Equal(FrameLayout.HeaderSize, frame.AsSpan().IndexOf(ReadingsPayload));
            byte[] forged = (byte[])frame.Clone();
            forged[FrameLayout.HeaderSize + 2] = 0x67; // 21.50 -> 21.51 °C
            Assert.Equal(RejectReason.BadMic, Receiver(Key(Secret)).Receive(forged, 0, forged.Length, -50, 0));
        }

        [Fact]
        public void Receive_with_an_offset_and_length_that_run_past_the_buffer_is_TooShort_not_an_exception()
        {
            byte[] frame = CoreReadingsFrame(Key(Secret), true);
            MeshNode receiver = Receiver(Key(Secret));
            Assert.Equal(RejectReason.TooShort, receiver.Receive(frame, 1, frame.Length, -50, 0));
            Assert.Equal(RejectReason.TooShort, receiver.Receive(frame, frame.Length + 1, 0, -50, 0));
            Assert.Equal(RejectReason.TooShort, receiver.Receive(frame, -1, frame.Length, -50, 0));
            Assert.Equal(RejectReason.TooShort, receiver.Receive(frame, 0, -5, -50, 0));
            Assert.Equal(RejectReason.TooShort, receiver.Receive(frame, int.MaxValue, 40, -50, 0));
            Assert.Equal(RejectReason.None, receiver.Receive(frame, 0, frame.Length, -50, 0));
        }
    }
}
