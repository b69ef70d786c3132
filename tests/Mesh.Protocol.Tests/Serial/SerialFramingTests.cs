using System;
using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol.Serial;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.SerialTests.SerialTestSupport;

namespace Mesh.Protocol.Tests.SerialTests
{
    /// <summary>The serial link framing of PROTOCOL.md: 00 | COBS(rssi | frame | CRC-16/CCITT-FALSE LE) | 00.</summary>
    public class SerialFramingTests
    {
        [Fact]
        public void Worked_example_of_PROTOCOL_md_is_byte_exact()
        {
            // Frame 11 22 00 33 (the serial layer does not interpret frames), RSSI -60 dBm = 0xC4.
            // Content C4 11 22 00 33 | CRC 0x2837 -> 37 28; stuffed 04 C4 11 22 | 04 33 37 28.
            byte[] frame = FromHex("11220033");
            Assert.Equal("C411220033" + "3728", Hex(Content(frame, -60)));
            Assert.Equal("00" + "04C41122" + "04333728" + "00", Hex(Encode(frame, -60)));

            var decoder = new SerialFrameDecoder();
            List<Decoded> got = DecodeAll(decoder, FromHex("0004C41122043337280000"));
            Assert.Single(got);
            Assert.Equal("11220033", Hex(got[0].Frame));
            Assert.Equal(-60, got[0].Rssi);
        }

        [Fact]
        public void Encoder_output_is_delimiter_cobs_of_the_spec_content_delimiter()
        {
            var rng = new Random(2024);
            for (int i = 0; i < 3000; i++)
            {
                byte[] frame = RandomFrame(rng);
                int rssi = rng.Next(4) == 0 ? SerialLayout.RssiUnknown : rng.Next(-127, 128);
                byte[] wire = Encode(frame, rssi);
                Assert.Equal(Hex(WireOf(Content(frame, rssi))), Hex(wire));
                Assert.InRange(wire.Length, 0, SerialFrameEncoder.MaxEncodedLength(frame.Length));
                Assert.Equal(0, wire[0]);
                Assert.Equal(0, wire[^1]);
                Assert.DoesNotContain((byte)0, wire.AsSpan(1, wire.Length - 2).ToArray());
            }
        }

        [Fact]
        public void Max_encoded_length_bounds_a_250_byte_frame_at_256_bytes()
        {
            Assert.Equal(256, SerialLayout.MaxEncodedSize);
            Assert.Equal(256, SerialFrameEncoder.MaxEncodedLength(FrameLayout.MaxFrameSize));
            Assert.Equal(5 + 2, SerialFrameEncoder.MaxEncodedLength(1)); // 1 + 3 content, 1 code byte, 2 delimiters

            byte[] worst = Enumerable.Repeat((byte)0xA5, FrameLayout.MaxFrameSize).ToArray();
            Assert.InRange(Encode(worst, -40).Length, 0, 256);
        }

        [Fact]
        public void Encoder_rejects_empty_and_oversize_frames_and_short_output()
        {
            var output = new byte[1024];
            Assert.Throws<ArgumentOutOfRangeException>(() => SerialFrameEncoder.Encode(new byte[0], 0, 0, output, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => SerialFrameEncoder.Encode(new byte[251], 0, 251, output, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => SerialFrameEncoder.Encode(new byte[10], 5, 6, output, 0));
            Assert.Throws<ArgumentOutOfRangeException>(() => SerialFrameEncoder.Encode(new byte[10], 0, 10, new byte[10], 0));
            Assert.Throws<ArgumentNullException>(() => SerialFrameEncoder.Encode(null!, 0, 1, output, 0));
        }

        [Fact]
        public void Random_frames_round_trip_byte_by_byte_and_in_random_chunks()
        {
            var rng = new Random(42);
            var sent = new List<(byte[] Frame, int Rssi)>();
            var stream = new List<byte>();
            for (int i = 0; i < 2000; i++)
            {
                byte[] frame = RandomFrame(rng);
                int rssi = i % 7 == 0 ? SerialLayout.RssiUnknown : rng.Next(-127, 128);
                sent.Add((frame, rssi));
                stream.AddRange(Encode(frame, rssi));
            }

            byte[] bytes = stream.ToArray();

            var byteWise = new SerialFrameDecoder();
            int k = 0;
            foreach (byte b in bytes)
            {
                if (byteWise.PushByte(b))
                {
                    Assert.True(byteWise.FrameAvailable);
                    Assert.Equal(Hex(sent[k].Frame), Hex(byteWise.Frame, 0, byteWise.FrameLength));
                    Assert.Equal(sent[k].Rssi, byteWise.Rssi);
                    Assert.Equal(sent[k].Rssi != SerialLayout.RssiUnknown, byteWise.HasRssi);
                    k++;
                }
                else
                {
                    Assert.False(byteWise.FrameAvailable);
                }
            }

            Assert.Equal(sent.Count, k);
            Assert.Equal(sent.Count, byteWise.FramesAccepted);
            Assert.Equal(0, byteWise.RejectedTotal);
            Assert.Equal(0, byteWise.RejectedBytes);

            var chunked = new SerialFrameDecoder();
            List<Decoded> got = DecodeAll(chunked, bytes, new Random(9));
            Assert.Equal(sent.Select(s => Hex(s.Frame)), got.Select(g => Hex(g.Frame)));
            Assert.Equal(sent.Select(s => s.Rssi), got.Select(g => g.Rssi));
        }

        [Theory]
        [InlineData(-200, -127)]
        [InlineData(-128, -128)] // "unknown" is passed through as such
        [InlineData(-127, -127)]
        [InlineData(0, 0)]
        [InlineData(127, 127)]
        [InlineData(300, 127)]
        public void Rssi_is_one_signed_byte_clamped_with_minus_128_meaning_unknown(int given, int expected)
        {
            var decoder = new SerialFrameDecoder();
            Assert.Single(DecodeAll(decoder, Encode(new byte[] { 1, 2, 3 }, given)));
            Assert.Equal(expected, decoder.Rssi);
        }

        [Fact]
        public void The_four_argument_overload_marks_rssi_unknown()
        {
            var output = new byte[16];
            int n = SerialFrameEncoder.Encode(new byte[] { 9 }, 0, 1, output, 0);
            Assert.Equal(Hex(WireOf(Content(new byte[] { 9 }, -128))), Hex(output, 0, n));
            var decoder = new SerialFrameDecoder();
            DecodeAll(decoder, output.AsSpan(0, n).ToArray());
            Assert.False(decoder.HasRssi);
        }

        [Fact]
        public void Every_frame_is_recovered_when_random_garbage_is_interleaved_between_frames()
        {
            var rng = new Random(7);
            var sent = new List<byte[]>();
            var stream = new List<byte>();
            for (int i = 0; i < 3000; i++)
            {
                stream.AddRange(Garbage(rng));
                byte[] frame = RandomFrame(rng);
                sent.Add(frame);
                stream.AddRange(Encode(frame, -70));
            }

            stream.AddRange(Garbage(rng));
            var decoder = new SerialFrameDecoder();
            List<Decoded> got = DecodeAll(decoder, stream.ToArray(), new Random(8));

            // Every real frame, in order; garbage passing a CRC-16 by chance (p = 2^-16 per chunk) may add a
            // stray frame, which the mesh codec and MIC then reject - at most a couple over this run.
            int next = 0;
            foreach (Decoded d in got)
            {
                if (next < sent.Count && d.Frame.AsSpan().SequenceEqual(sent[next]))
                {
                    next++;
                }
            }

            Assert.Equal(sent.Count, next);
            Assert.InRange(got.Count - sent.Count, 0, 2);
            Assert.True(decoder.RejectedTotal > 1000, "garbage should have been rejected: " + decoder.RejectedTotal);
            Assert.True(decoder.RejectedBytes > 10000, "rejected bytes: " + decoder.RejectedBytes);
        }

        /// <summary>Random bytes (zeros included), runs without zeros, or a torn-off prefix of a real frame.</summary>
        private static byte[] Garbage(Random rng)
        {
            switch (rng.Next(5))
            {
                case 0:
                    return Array.Empty<byte>();
                case 1:
                {
                    var g = new byte[rng.Next(1, 40)];
                    rng.NextBytes(g);
                    return g;
                }

                case 2:
                {
                    var g = new byte[rng.Next(1, 600)];
                    rng.NextBytes(g);
                    for (int i = 0; i < g.Length; i++)
                    {
                        g[i] |= 1;
                    }

                    return g;
                }

                case 3:
                {
                    // A board reset mid-frame: the leading delimiter and part of the stuffed content.
                    byte[] torn = Encode(RandomFrame(rng, 5), -50);
                    return torn.AsSpan(0, rng.Next(1, torn.Length - 1)).ToArray();
                }

                default:
                {
                    // Stuffed-looking noise without a delimiter.
                    byte[] torn = Encode(RandomFrame(rng, 5), -50);
                    return torn.AsSpan(1, rng.Next(1, torn.Length - 2)).ToArray();
                }
            }
        }

        [Fact]
        public void A_frame_with_a_flipped_byte_is_rejected_for_its_crc_and_the_next_frame_still_decodes()
        {
            byte[] first = Enumerable.Range(1, 60).Select(i => (byte)i).ToArray();
            byte[] second = Enumerable.Range(100, 40).Select(i => (byte)i).ToArray();
            byte[] a = Encode(first, -55);
            byte[] b = Encode(second, -56);

            // a = 00 | code | rssi | 01 02 03 ... : index 5 is frame byte 03, a data byte, not a code byte.
            Assert.Equal(3, a[5]);
            a[5] ^= 0x40;

            var decoder = new SerialFrameDecoder();
            List<Decoded> got = DecodeAll(decoder, a.Concat(b).ToArray());
            Assert.Single(got);
            Assert.Equal(second, got[0].Frame);
            Assert.Equal(-56, got[0].Rssi);
            Assert.Equal(1, decoder.RejectedFor(SerialRejectReason.CrcMismatch));
            Assert.Equal(1, decoder.RejectedTotal);
            Assert.Equal(SerialRejectReason.CrcMismatch, decoder.LastReject);
            Assert.Equal(a.Length - 2, decoder.RejectedBytes);
        }

        [Fact]
        public void Every_single_bit_error_in_a_data_byte_is_caught_by_the_crc()
        {
            var rng = new Random(5);
            byte[] frame = RandomFrame(rng, 200, 250);
            byte[] wire = Encode(frame, -61);
            byte[] next = Encode(new byte[] { 0xEE }, -62);
            var decoder = new SerialFrameDecoder();
            int flips = 0;
            byte[] stuffedContent = wire.AsSpan(1, wire.Length - 2).ToArray();
            var codePositions = CodePositions(stuffedContent);
            for (int i = 0; i < stuffedContent.Length; i++)
            {
                if (codePositions.Contains(i))
                {
                    continue;
                }

                for (int bit = 0; bit < 8; bit++)
                {
                    byte[] bad = (byte[])wire.Clone();
                    bad[1 + i] ^= (byte)(1 << bit);
                    if (bad[1 + i] == 0)
                    {
                        continue; // that would be a delimiter, not a corrupted data byte
                    }

                    List<Decoded> got = DecodeAll(decoder, bad.Concat(next).ToArray());
                    Assert.Single(got);
                    Assert.Equal(new byte[] { 0xEE }, got[0].Frame);
                    flips++;
                }
            }

            Assert.True(flips > 1500);
            Assert.Equal(flips, decoder.RejectedFor(SerialRejectReason.CrcMismatch));
            Assert.Equal(flips, decoder.RejectedTotal);
        }

        private static HashSet<int> CodePositions(byte[] stuffed)
        {
            var set = new HashSet<int>();
            for (int at = 0; at < stuffed.Length; at += stuffed[at])
            {
                set.Add(at);
            }

            return set;
        }

        [Fact]
        public void A_frame_over_250_bytes_is_rejected_as_too_long_and_decoding_resumes()
        {
            // Correctly stuffed, correct CRC, but a 251-byte frame: the decoder must not buffer it.
            var rng = new Random(3);
            byte[] oversize = RandomFrame(rng, 251, 251);
            byte[] tooLong = WireOf(Content(oversize, -50));
            byte[] good = Encode(new byte[] { 1, 2, 3, 4 }, -50);

            var decoder = new SerialFrameDecoder();
            List<Decoded> got = DecodeAll(decoder, tooLong.Concat(good).ToArray());
            Assert.Single(got);
            Assert.Equal(new byte[] { 1, 2, 3, 4 }, got[0].Frame);
            Assert.Equal(1, decoder.RejectedFor(SerialRejectReason.TooLong));
            Assert.Equal(1, decoder.RejectedTotal);
            Assert.Equal(tooLong.Length - 2, decoder.RejectedBytes);

            // A 250-byte frame is the largest accepted.
            byte[] largest = RandomFrame(rng, 250, 250);
            got = DecodeAll(decoder, Encode(largest, -50));
            Assert.Equal(largest, Assert.Single(got).Frame);
        }

        [Fact]
        public void An_endless_run_without_delimiter_is_counted_once_as_too_long_and_every_byte_as_rejected()
        {
            var decoder = new SerialFrameDecoder();
            byte[] noise = Enumerable.Repeat((byte)0x7F, 10_000).ToArray();
            Assert.Empty(DecodeAll(decoder, noise));
            Assert.Equal(1, decoder.RejectedFor(SerialRejectReason.TooLong));
            Assert.Equal(10_000, decoder.RejectedBytes);

            List<Decoded> got = DecodeAll(decoder, Encode(new byte[] { 42 }, 3));
            Assert.Equal(new byte[] { 42 }, Assert.Single(got).Frame);
            Assert.Equal(1, decoder.RejectedTotal);
        }

        [Theory]
        [InlineData("0000", 0, 0)]                 // empty frames: ignored, not rejections
        [InlineData("000100", 1, 1)]               // content empty
        [InlineData("0002C400", 1, 2)]             // rssi only
        [InlineData("0004C4112200", 1, 4)]         // three content bytes: no room for frame + CRC
        public void Short_frames_are_rejected_as_too_short(string wire, int rejected, int rejectedBytes)
        {
            var decoder = new SerialFrameDecoder();
            Assert.Empty(DecodeAll(decoder, FromHex(wire)));
            Assert.Equal(rejected, decoder.RejectedFor(SerialRejectReason.TooShort));
            Assert.Equal(rejected, decoder.RejectedTotal);
            Assert.Equal(rejectedBytes, decoder.RejectedBytes);
        }

        [Fact]
        public void A_delimiter_inside_a_block_is_bad_stuffing()
        {
            // The worked example cut after 04 C4 11: the block promised three data bytes.
            var decoder = new SerialFrameDecoder();
            Assert.Empty(DecodeAll(decoder, FromHex("0004C41100")));
            Assert.Equal(1, decoder.RejectedFor(SerialRejectReason.BadStuffing));
            Assert.Equal(SerialRejectReason.BadStuffing, decoder.LastReject);
            Assert.Equal(3, decoder.RejectedBytes);
        }

        [Fact]
        public void Reset_drops_a_partial_frame()
        {
            byte[] wire = Encode(new byte[] { 5, 6, 7 }, -1);
            var decoder = new SerialFrameDecoder();
            decoder.Push(wire, 0, 4);
            decoder.Reset();
            List<Decoded> got = DecodeAll(decoder, wire.AsSpan(4).ToArray().Concat(wire).ToArray());
            Assert.Single(got);
            Assert.Equal(1, decoder.RejectedTotal); // the orphaned tail
        }

        [Fact]
        public void Push_with_bad_arguments_consumes_nothing()
        {
            var decoder = new SerialFrameDecoder();
            Assert.Equal(0, decoder.Push(null!, 0, 1));
            Assert.Equal(0, decoder.Push(new byte[4], 3, 2));
            Assert.Equal(0, decoder.Push(new byte[4], -1, 2));
            Assert.Equal(0, decoder.Push(new byte[4], 0, 0));
        }

        [Fact]
        public void No_exception_and_agreement_with_a_reference_model_on_100k_random_byte_streams()
        {
            var rng = new Random(100_000);
            var decoder = new SerialFrameDecoder();
            var model = new ReferenceDecoder();
            long frames = 0;
            for (int s = 0; s < 100_000; s++)
            {
                byte[] stream = RandomStream(rng);
                foreach (byte b in stream)
                {
                    bool got = decoder.PushByte(b);
                    bool want = model.Push(b);
                    if (got != want)
                    {
                        Assert.Fail("stream " + s + ": decoder said " + got + ", model " + want + " for " + Hex(stream));
                    }

                    if (got)
                    {
                        frames++;
                        Assert.True(decoder.Frame.AsSpan(0, decoder.FrameLength).SequenceEqual(model.Frame), "stream " + s);
                        Assert.Equal(model.Rssi, decoder.Rssi);
                    }
                }
            }

            for (int r = 0; r < SerialRejectReasons.Count; r++)
            {
                Assert.Equal(model.Rejected[r], decoder.Rejected[r]);
            }

            Assert.Equal(model.RejectedBytes, decoder.RejectedBytes);
            Assert.Equal(frames, decoder.FramesAccepted);

            // The generator reaches every outcome.
            Assert.True(frames > 1000, "accepted " + frames);
            for (int r = 1; r < SerialRejectReasons.Count; r++)
            {
                Assert.True(decoder.Rejected[r] > 100, SerialRejectReasons.Label((SerialRejectReason)r) + ": " + decoder.Rejected[r]);
            }
        }

        private static byte[] RandomStream(Random rng)
        {
            var bytes = new List<byte>();
            int parts = rng.Next(1, 5);
            for (int p = 0; p < parts; p++)
            {
                switch (rng.Next(5))
                {
                    case 4:
                    {
                        // A validly stuffed but tiny segment: one or two short blocks, then a delimiter.
                        bytes.Add(0);
                        for (int block = rng.Next(1, 3); block > 0; block--)
                        {
                            int code = rng.Next(1, 4);
                            bytes.Add((byte)code);
                            for (int k = 1; k < code; k++)
                            {
                                bytes.Add((byte)rng.Next(1, 256));
                            }
                        }

                        bytes.Add(0);
                        break;
                    }

                    case 0:
                    {
                        var g = new byte[rng.Next(0, 80)];
                        rng.NextBytes(g);
                        bytes.AddRange(g);
                        break;
                    }

                    case 1:
                    {
                        // Sparse zeros, long runs: reaches 0xFF blocks and too-long content.
                        int n = rng.Next(0, 700);
                        for (int i = 0; i < n; i++)
                        {
                            bytes.Add(rng.Next(300) == 0 ? (byte)0 : (byte)rng.Next(1, 256));
                        }

                        break;
                    }

                    case 2:
                        bytes.AddRange(Encode(RandomFrame(rng, 1, 250), rng.Next(-128, 128)));
                        break;

                    default:
                    {
                        // A valid frame with one byte changed, dropped or duplicated.
                        var f = new List<byte>(Encode(RandomFrame(rng, 1, 60), rng.Next(-128, 128)));
                        int at = rng.Next(f.Count);
                        switch (rng.Next(3))
                        {
                            case 0: f[at] = (byte)rng.Next(256); break;
                            case 1: f.RemoveAt(at); break;
                            default: f.Insert(at, f[at]); break;
                        }

                        bytes.AddRange(f);
                        break;
                    }
                }
            }

            return bytes.ToArray();
        }

        /// <summary>
        /// The decoder's specification restated block by block: between two delimiters, decode COBS blocks;
        /// content beyond 253 bytes is TooLong the moment it would be stored; a delimiter inside a block is
        /// BadStuffing; fewer than 4 content bytes TooShort; a wrong CRC CrcMismatch. Collects the segment and
        /// judges it at the delimiter, so it shares no state machine with the core.
        /// </summary>
        private sealed class ReferenceDecoder
        {
            private readonly List<byte> _segment = new List<byte>();
            public readonly long[] Rejected = new long[SerialRejectReasons.Count];
            public long RejectedBytes;
            public byte[] Frame = Array.Empty<byte>();
            public int Rssi;

            public bool Push(byte b)
            {
                if (b != 0)
                {
                    _segment.Add(b);
                    return false;
                }

                byte[] seg = _segment.ToArray();
                _segment.Clear();
                if (seg.Length == 0)
                {
                    return false;
                }

                var content = new List<byte>();
                int at = 0;
                SerialRejectReason reason = SerialRejectReason.None;
                bool first = true;
                int previousCode = 0;
                while (at < seg.Length && reason == SerialRejectReason.None)
                {
                    int code = seg[at++];
                    if (!first && previousCode != 0xFF)
                    {
                        content.Add(0);
                        if (content.Count > SerialLayout.MaxContentSize)
                        {
                            reason = SerialRejectReason.TooLong;
                            break;
                        }
                    }

                    first = false;
                    previousCode = code;
                    for (int k = 1; k < code; k++)
                    {
                        if (at >= seg.Length)
                        {
                            reason = SerialRejectReason.BadStuffing;
                            break;
                        }

                        content.Add(seg[at++]);
                        if (content.Count > SerialLayout.MaxContentSize)
                        {
                            reason = SerialRejectReason.TooLong;
                            break;
                        }
                    }
                }

                if (reason == SerialRejectReason.None && content.Count < 4)
                {
                    reason = SerialRejectReason.TooShort;
                }

                if (reason == SerialRejectReason.None)
                {
                    byte[] c = content.ToArray();
                    ushort crc = BitwiseCrc(c, 0, c.Length - 2);
                    if ((c[^2] | (c[^1] << 8)) != crc)
                    {
                        reason = SerialRejectReason.CrcMismatch;
                    }
                    else
                    {
                        Frame = c.AsSpan(1, c.Length - 3).ToArray();
                        Rssi = (sbyte)c[0];
                        return true;
                    }
                }

                Rejected[(int)reason]++;
                RejectedBytes += seg.Length;
                return false;
            }
        }

        [Fact]
        public void Decoding_and_encoding_allocate_nothing_per_frame()
        {
            var rng = new Random(11);
            var frames = Enumerable.Range(0, 200).Select(_ => RandomFrame(rng)).ToArray();
            var output = new byte[SerialLayout.MaxEncodedSize];
            var decoder = new SerialFrameDecoder();

            void Run()
            {
                foreach (byte[] f in frames)
                {
                    int n = SerialFrameEncoder.Encode(f, 0, f.Length, -42, output, 0);
                    int at = 0;
                    while (at < n)
                    {
                        at += decoder.Push(output, at, n - at);
                    }
                }
            }

            Run(); // warm up (JIT)
            long before = Mesh.Protocol.Tests.Performance.AllocationTests.AllocatedBytesBaseline();
            Run();
            long after = GC.GetAllocatedBytesForCurrentThread();
            Assert.Equal(0, after - before);
            Assert.Equal(400, decoder.FramesAccepted);
        }
    }
}
