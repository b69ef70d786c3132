using System;
using System.Security.Cryptography;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Security;
using Mesh.Simulator.Engine;

namespace Mesh.Simulator.Tests.Memory
{
    /// <summary>
    /// The simulator's compact crypto (managed AES, one-shot HMAC for rarely used keys) must give the
    /// platform's results bit for bit: a run is the same function of its scenario whichever object
    /// computes a block or a MAC.
    /// </summary>
    public class SimulationCryptoTests
    {
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void Compact_AES_encrypts_every_block_as_the_platform_does(bool hardware)
        {
            // FIPS-197 appendix C.1.
            byte[] key = Convert.FromHexString("000102030405060708090a0b0c0d0e0f");
            byte[] block = Convert.FromHexString("00112233445566778899aabbccddeeff");
            byte[] output = new byte[16];
            new CompactAes128(key, hardware).EncryptBlock(block, 0, output, 0);
            Assert.Equal("69c4e0d86a7b0430d8cdb78070b4c55a", Convert.ToHexString(output).ToLowerInvariant());

            var random = new XorShiftRandom(14);
            var input = new byte[40];
            var mine = new byte[40];
            var theirs = new byte[40];
            for (int k = 0; k < 200; k++)
            {
                Fill(random, key);
                Fill(random, input);
                int inOffset = k % 8, outOffset = (k * 3) % 8;
                new CompactAes128(key, hardware).EncryptBlock(input, inOffset, mine, outOffset);
                DesktopCrypto.Instance.CreateAes128(key).EncryptBlock(input, inOffset, theirs, outOffset);
                Assert.Equal(Convert.ToHexString(theirs, outOffset, 16), Convert.ToHexString(mine, outOffset, 16));
            }
        }

        [Fact]
        public void Memoized_MACs_match_HMAC_SHA256_before_and_after_they_keep_a_context()
        {
            var random = new XorShiftRandom(15);
            var crypto = new MemoizedCrypto(DesktopCrypto.Instance, 1024);
            byte[] key = new byte[32];
            Fill(random, key);
            IMac mac = crypto.CreateHmacSha256(key);
            var data = new byte[MemoizedCrypto.InputStride + 64];
            var output = new byte[40];
            // Past the one-shot misses, so both ways of computing a miss are compared.
            for (int k = 0; k < MemoizedCrypto.OneShotMisses + 200; k++)
            {
                Fill(random, data);
                int count = 1 + k % (MemoizedCrypto.InputStride + 40); // some too long to memoize
                mac.Compute(data, 2, count, output, 5);
                byte[] expected = HMACSHA256.HashData(key, data.AsSpan(2, count));
                Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(output, 5, 32));
                mac.Compute(data, 2, count, output, 3); // a memo hit
                Assert.Equal(Convert.ToHexString(expected), Convert.ToHexString(output, 3, 32));
            }
        }

        private static void Fill(XorShiftRandom random, byte[] bytes)
        {
            for (int i = 0; i < bytes.Length; i++)
            {
                bytes[i] = (byte)random.NextUInt32();
            }
        }
    }
}
