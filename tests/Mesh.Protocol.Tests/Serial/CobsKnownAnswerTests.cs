using System;
using System.Linq;
using Mesh.Protocol.Serial;
using static Mesh.Protocol.Tests.SerialTests.SerialTestSupport;

namespace Mesh.Protocol.Tests.SerialTests
{
    /// <summary>
    /// COBS against the literature: the encoding examples of the Wikipedia article "Consistent Overhead Byte
    /// Stuffing" (which follow Cheshire &amp; Baker 1999), written here with the trailing 0x00 delimiter as the
    /// article shows them.
    /// </summary>
    public class CobsKnownAnswerTests
    {
        private static string Range(int from, int toInclusive) =>
            Hex(Enumerable.Range(from, toInclusive - from + 1).Select(i => (byte)i).ToArray());

        public static TheoryData<string, string, string> Vectors()
        {
            return new TheoryData<string, string, string>
            {
                { "1: one zero", "00", "010100" },
                { "2: two zeros", "0000", "01010100" },
                { "3: zero, byte, zero", "001100", "0102110100" },
                { "4: 11 22 00 33", "11220033", "031122023300" },
                { "5: no zero", "11223344", "051122334400" },
                { "6: trailing zeros", "11000000", "021101010100" },
                { "7: 254 non-zero bytes fill one block, no trailing 01", Range(0x01, 0xFE), "FF" + Range(0x01, 0xFE) + "00" },
                { "8: zero then 254 non-zero", "00" + Range(0x01, 0xFE), "01FF" + Range(0x01, 0xFE) + "00" },
                { "9: 255 non-zero bytes", Range(0x01, 0xFF), "FF" + Range(0x01, 0xFE) + "02FF00" },
                { "10: 254 non-zero then zero", Range(0x02, 0xFF) + "00", "FF" + Range(0x02, 0xFF) + "010100" },
                { "11: 253 non-zero, zero, 01", Range(0x03, 0xFF) + "0001", "FE" + Range(0x03, 0xFF) + "020100" },
            };
        }

        [Theory]
        [MemberData(nameof(Vectors))]
        public void Encodes_the_published_examples(string name, string input, string expectedWithDelimiter)
        {
            byte[] source = FromHex(input);
            var output = new byte[Cobs.MaxEncodedLength(source.Length)];
            int n = Cobs.Encode(source, 0, source.Length, output, 0);
            Assert.True(Hex(output, 0, n) + "00" == expectedWithDelimiter, name);
            Assert.True(n <= Cobs.MaxEncodedLength(source.Length), name);
            Assert.DoesNotContain((byte)0, output.AsSpan(0, n).ToArray());
        }

        [Theory]
        [MemberData(nameof(Vectors))]
        public void Decodes_the_published_examples(string name, string expected, string encodedWithDelimiter)
        {
            byte[] encoded = FromHex(encodedWithDelimiter);
            var output = new byte[300];
            int n = Cobs.Decode(encoded, 0, encoded.Length - 1, output, 0);
            Assert.True(Hex(output, 0, n) == expected, name);
        }

        [Fact]
        public void Empty_input_is_the_single_code_byte_01()
        {
            var output = new byte[1];
            Assert.Equal(1, Cobs.Encode(Array.Empty<byte>(), 0, 0, output, 0));
            Assert.Equal(0x01, output[0]);
            Assert.Equal(0, Cobs.Decode(output, 0, 1, new byte[1], 0));
        }

        [Fact]
        public void A_full_block_followed_by_an_explicit_01_block_decodes_the_same()
        {
            // The paper's encoder may close a 254-byte run with an empty 01 block; decoders accept both forms.
            byte[] encoded = FromHex("FF" + Range(0x01, 0xFE) + "01");
            var output = new byte[300];
            int n = Cobs.Decode(encoded, 0, encoded.Length, output, 0);
            Assert.Equal(Range(0x01, 0xFE), Hex(output, 0, n));
        }

        [Theory]
        [InlineData("0311")]     // block cut short
        [InlineData("031100")]   // zero inside a block
        [InlineData("00")]       // zero as a code byte
        [InlineData("0211FF01")] // 0xFF block cut short
        public void Decoding_invalid_stuffing_returns_minus_one(string encoded)
        {
            byte[] source = FromHex(encoded);
            Assert.Equal(-1, Cobs.Decode(source, 0, source.Length, new byte[300], 0));
        }

        [Fact]
        public void Decoding_never_writes_past_the_output()
        {
            byte[] source = FromHex("05112233440311");
            Assert.Equal(-1, Cobs.Decode(source, 0, source.Length, new byte[3], 0));
        }

        [Fact]
        public void Round_trips_random_buffers_and_the_bound_is_exact_for_zero_free_input()
        {
            var rng = new Random(1234);
            for (int iteration = 0; iteration < 5000; iteration++)
            {
                byte[] source = RandomFrame(rng, 0, 800);
                var encoded = new byte[Cobs.MaxEncodedLength(source.Length)];
                int n = Cobs.Encode(source, 0, source.Length, encoded, 0);
                Assert.DoesNotContain((byte)0, encoded.AsSpan(0, n).ToArray());
                if (Array.IndexOf(source, (byte)0) < 0)
                {
                    Assert.Equal(Cobs.MaxEncodedLength(source.Length), n);
                }

                var decoded = new byte[source.Length];
                Assert.Equal(source.Length, Cobs.Decode(encoded, 0, n, decoded, 0));
                Assert.Equal(source, decoded);
            }
        }
    }
}
