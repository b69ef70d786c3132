using System;
using System.Linq;
using System.Text;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Security;

namespace Mesh.Protocol.Tests.Security
{
    /// <summary>
    /// Published test vectors through the crypto seam: RFC 4231 (HMAC-SHA256) through IMac, and
    /// NIST SP 800-38A F.5.1/F.5.2 (CTR-AES128) through the core's AesCtr on an IBlockCipher.
    /// Every vector runs on DesktopCrypto and on the nanoFramework-shaped adapter.
    /// </summary>
    public class StandardVectorTests
    {
        private static ICryptoProvider Provider(string name) => name switch
        {
            "desktop" => DesktopCrypto.Instance,
            "nano-shaped" => new NanoShapedCryptoProvider(),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };

        private static byte[] Repeat(byte value, int count) => Enumerable.Repeat(value, count).ToArray();

        private static byte[] Ascii(string s) => Encoding.ASCII.GetBytes(s);

        private static string Hex(byte[] b) => Convert.ToHexStringLower(b);

        // ------------------------------------------------------------------ RFC 4231, section 4

        private static (byte[] Key, byte[] Data, string Mac) Rfc4231(int testCase) => testCase switch
        {
            1 => (Repeat(0x0b, 20), Ascii("Hi There"),
                "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7"),
            2 => (Ascii("Jefe"), Ascii("what do ya want for nothing?"),
                "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843"),
            3 => (Repeat(0xaa, 20), Repeat(0xdd, 50),
                "773ea91e36800e46854db8ebd09181a72959098b3ef8c122d9635514ced565fe"),
            4 => (Convert.FromHexString("0102030405060708090a0b0c0d0e0f10111213141516171819"), Repeat(0xcd, 50),
                "82558a389a443c0ea4cc819899f2083a85f0faa3e578f8077a2e3ff46729665b"),
            // Test case 5 publishes only the output truncated to 128 bits.
            5 => (Repeat(0x0c, 20), Ascii("Test With Truncation"),
                "a3b6167473100ee06e0c796c2955552b"),
            6 => (Repeat(0xaa, 131), Ascii("Test Using Larger Than Block-Size Key - Hash Key First"),
                "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54"),
            7 => (Repeat(0xaa, 131), Ascii("This is a test using a larger than block-size key and a larger than block-size data. The key needs to be hashed before being used by the HMAC algorithm."),
                "9b09ffa71b942fcb27635fbcd5b0e944bfdc63644f0713938a7f51535c3a35e2"),
            _ => throw new ArgumentOutOfRangeException(nameof(testCase)),
        };

        public static TheoryData<int, string> Rfc4231Cases()
        {
            TheoryData<int, string> data = new TheoryData<int, string>();
            foreach (string provider in new[] { "desktop", "nano-shaped" })
            {
                for (int c = 1; c <= 7; c++)
                {
                    data.Add(c, provider);
                }
            }

            return data;
        }

        [Theory]
        [MemberData(nameof(Rfc4231Cases))]
        public void Rfc4231_hmac_sha256_test_case_matches(int testCase, string provider)
        {
            (byte[] key, byte[] data, string expected) = Rfc4231(testCase);
            IMac mac = Provider(provider).CreateHmacSha256(key);

            // Data placed at an offset inside a larger, dirty buffer; output at an offset too.
            byte[] buffer = new byte[data.Length + 11];
            buffer.AsSpan().Fill(0x5A);
            data.CopyTo(buffer, 5);
            byte[] output = new byte[32 + 3];
            mac.Compute(buffer, 5, data.Length, output, 3);
            Assert.Equal(expected, Hex(output.AsSpan(3, expected.Length / 2).ToArray()));
            Assert.Equal(0, output[0] | output[1] | output[2]);

            // A second computation on the same instance gives the same answer (the state resets).
            byte[] again = new byte[32];
            mac.Compute(data, 0, data.Length, again, 0);
            Assert.Equal(Hex(output.AsSpan(3, 32).ToArray()), Hex(again));
        }

        // ------------------------------------------------------------------ NIST SP 800-38A, F.5.1 / F.5.2

        private const string NistKey = "2b7e151628aed2a6abf7158809cf4f3c";
        private const string NistInitialCounter = "f0f1f2f3f4f5f6f7f8f9fafbfcfdfeff";

        private const string NistPlaintext =
            "6bc1bee22e409f96e93d7e117393172a" +
            "ae2d8a571e03ac9c9eb76fac45af8e51" +
            "30c81c46a35ce411e5fbc1191a0a52ef" +
            "f69f2445df4f9b17ad2b417be66c3710";

        private const string NistCiphertext =
            "874d6191b620e3261bef6864990db6ce" +
            "9806f66b7970fdff8617187bb9fffdff" +
            "5ae4df3edbd5d35e5b4f09020db03eab" +
            "1e031dda2fbe03d1792170a0f3009cee";

        public static TheoryData<string> Providers => new TheoryData<string> { "desktop", "nano-shaped" };

        [Theory]
        [MemberData(nameof(Providers))]
        public void Sp800_38a_F_5_1_ctr_aes128_encrypt(string provider)
        {
            AesCtr ctr = new AesCtr(Provider(provider).CreateAes128(Convert.FromHexString(NistKey)));
            byte[] data = Convert.FromHexString(NistPlaintext);
            byte[] counter = Convert.FromHexString(NistInitialCounter);
            ctr.Transform(counter, 0, data, 0, data.Length);
            Assert.Equal(NistCiphertext, Hex(data));
            Assert.Equal(NistInitialCounter, Hex(counter)); // the caller's counter block is not advanced
        }

        [Theory]
        [MemberData(nameof(Providers))]
        public void Sp800_38a_F_5_2_ctr_aes128_decrypt(string provider)
        {
            AesCtr ctr = new AesCtr(Provider(provider).CreateAes128(Convert.FromHexString(NistKey)));
            byte[] data = Convert.FromHexString(NistCiphertext);
            ctr.Transform(Convert.FromHexString(NistInitialCounter), 0, data, 0, data.Length);
            Assert.Equal(NistPlaintext, Hex(data));
        }

        [Fact]
        public void Sp800_38a_ctr_at_offsets_and_for_every_prefix_length_gives_the_prefix_of_the_ciphertext()
        {
            AesCtr ctr = new AesCtr(DesktopCrypto.Instance.CreateAes128(Convert.FromHexString(NistKey)));
            byte[] counterBuffer = new byte[16 + 9];
            Convert.FromHexString(NistInitialCounter).CopyTo(counterBuffer, 9);
            for (int length = 0; length <= 64; length++)
            {
                byte[] buffer = new byte[length + 7];
                buffer.AsSpan().Fill(0xEE);
                Convert.FromHexString(NistPlaintext).AsSpan(0, length).CopyTo(buffer.AsSpan(4));
                ctr.Transform(counterBuffer, 9, buffer, 4, length);
                Assert.Equal(NistCiphertext.Substring(0, 2 * length), Hex(buffer.AsSpan(4, length).ToArray()));
                Assert.True(buffer.AsSpan(0, 4).ToArray().All(b => b == 0xEE) && buffer.AsSpan(4 + length).ToArray().All(b => b == 0xEE));
            }
        }

        [Fact]
        public void Ctr_counter_increment_is_inc32_big_endian_and_wraps_within_the_last_four_bytes()
        {
            byte[] key = Convert.FromHexString(NistKey);
            byte[] counter = Convert.FromHexString("00112233445566778899aabbffffffff");
            AesCtr ctr = new AesCtr(DesktopCrypto.Instance.CreateAes128(key));
            byte[] data = new byte[32];
            ctr.Transform(counter, 0, data, 0, data.Length);

            // Block 1 uses ...bb ffffffff, block 2 ...bb 00000000: byte 11 is untouched by the carry.
            using System.Security.Cryptography.Aes aes = System.Security.Cryptography.Aes.Create();
            aes.Key = key;
            byte[] first = aes.EncryptEcb(counter, System.Security.Cryptography.PaddingMode.None);
            byte[] second = aes.EncryptEcb(Convert.FromHexString("00112233445566778899aabb00000000"), System.Security.Cryptography.PaddingMode.None);
            Assert.Equal(Hex(first) + Hex(second), Hex(data));
        }

        [Theory]
        [MemberData(nameof(Providers))]
        public void Fips197_and_sp800_38a_F_1_1_single_block_aes128_through_IBlockCipher(string provider)
        {
            // FIPS-197 appendix C.1.
            IBlockCipher fips = Provider(provider).CreateAes128(Convert.FromHexString("000102030405060708090a0b0c0d0e0f"));
            byte[] output = new byte[20];
            byte[] input = new byte[18];
            Convert.FromHexString("00112233445566778899aabbccddeeff").CopyTo(input, 2);
            fips.EncryptBlock(input, 2, output, 4);
            Assert.Equal("69c4e0d86a7b0430d8cdb78070b4c55a", Hex(output.AsSpan(4, 16).ToArray()));

            // SP 800-38A F.1.1 (ECB-AES128.Encrypt), block 1.
            IBlockCipher nist = Provider(provider).CreateAes128(Convert.FromHexString(NistKey));
            byte[] block = new byte[16];
            nist.EncryptBlock(Convert.FromHexString("6bc1bee22e409f96e93d7e117393172a"), 0, block, 0);
            Assert.Equal("3ad77bb40d7a3660a89ecaf32466ef97", Hex(block));
        }
    }
}
