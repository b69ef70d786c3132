using System;
using System.Security.Cryptography;
using Mesh.NodeApp.Crypto;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Security;

namespace Mesh.Node.Tests.Crypto
{
    /// <summary>
    /// The board's managed AES-128 and HMAC-SHA256 (Mesh.NodeApp/Crypto): published vectors, agreement with
    /// .NET's own primitives on random inputs, frames byte-identical to the desktop provider's, and no
    /// allocation per call (the reason they exist: nanoFramework's library returns a new array per block and hash).
    /// </summary>
    public class ManagedCryptoTests
    {
        /// <summary>RFC 4231 test case 6: 131 bytes of 0xaa, longer than a SHA-256 block, so HMAC hashes it first.</summary>
        private const string Rfc4231Case6Key =
            "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" // 64 bytes
            + "aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa" // 128
            + "aaaaaa"; // 131

        private static byte[] Hex(string h) => Convert.FromHexString(h);

        [Fact]
        public void Aes128_matches_the_FIPS_197_appendix_C1_vector()
        {
            var aes = new Aes128(Hex("000102030405060708090a0b0c0d0e0f"));
            byte[] output = new byte[20];
            aes.EncryptBlock(Hex("00112233445566778899aabbccddeeff"), 0, output, 2);
            Assert.Equal("69C4E0D86A7B0430D8CDB78070B4C55A", Convert.ToHexString(output, 2, 16));
            Assert.Equal(0, output[0] | output[1] | output[18] | output[19]); // writes exactly 16 bytes at the offset
        }

        [Theory]
        // RFC 4231 test case 1 (20-byte key), case 2 ("Jefe"), case 6 (131-byte key: hashed first).
        [InlineData("0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b0b", "4869205468657265", "b0344c61d8db38535ca8afceaf0bf12b881dc200c9833da726e9376c2e32cff7")]
        [InlineData("4a656665", "7768617420646f2079612077616e7420666f72206e6f7468696e673f", "5bdcc146bf60754e6a042426089575c75a003f089d2739839dec58b964ec3843")]
        [InlineData(Rfc4231Case6Key,
            "54657374205573696e67204c6172676572205468616e20426c6f636b2d53697a65204b6579202d2048617368204b6579204669727374",
            "60e431591ee0b67f0d8a26aacbf5b77f8e0bc6213728c5140546040f0ee37f54")]
        public void HmacSha256_matches_RFC_4231(string key, string data, string mac)
        {
            byte[] message = Hex(data);
            byte[] framed = new byte[message.Length + 7];
            message.CopyTo(framed, 3);
            byte[] output = new byte[32];
            new HmacSha256(Hex(key)).Compute(framed, 3, message.Length, output, 0);
            Assert.Equal(mac.ToUpperInvariant(), Convert.ToHexString(output));
        }

        [Fact]
        public void Both_agree_with_the_platform_primitives_on_random_keys_and_every_length_up_to_two_frames()
        {
            var rng = new Random(11);
            for (int length = 0; length <= 500; length++)
            {
                byte[] key = new byte[1 + rng.Next(100)];
                rng.NextBytes(key);
                byte[] data = new byte[length + 5];
                rng.NextBytes(data);
                byte[] mine = new byte[32];
                new HmacSha256(key).Compute(data, 5, length, mine, 0);
                Assert.Equal(HMACSHA256.HashData(key, data.AsSpan(5, length)), mine);
            }

            for (int i = 0; i < 200; i++)
            {
                byte[] key = new byte[16];
                byte[] block = new byte[16];
                rng.NextBytes(key);
                rng.NextBytes(block);
                using Aes reference = Aes.Create();
                reference.Key = key;
                byte[] expected = reference.EncryptEcb(block, PaddingMode.None);
                byte[] mine = new byte[16];
                new Aes128(key).EncryptBlock(block, 0, mine, 0);
                Assert.Equal(expected, mine);
            }
        }

        [Fact]
        public void One_HMAC_instance_gives_the_same_answer_every_time_it_is_reused()
        {
            var mac = new HmacSha256(Hex("00112233445566778899aabbccddeeff"));
            byte[] data = new byte[250];
            new Random(3).NextBytes(data);
            byte[] first = new byte[32];
            byte[] again = new byte[32];
            mac.Compute(data, 0, 250, first, 0);
            mac.Compute(data, 0, 17, again, 0); // a different message in between must not leak state
            mac.Compute(data, 0, 250, again, 0);
            Assert.Equal(first, again);
        }

        [Fact]
        public void MACs_sharing_one_provider_s_scratch_give_the_answers_of_MACs_with_their_own_used_in_turn()
        {
            var crypto = new ManagedCrypto();
            var rng = new Random(17);
            byte[][] keys = { new byte[16], new byte[32], new byte[100] }; // the last is longer than a block: hashed first
            foreach (byte[] k in keys)
            {
                rng.NextBytes(k);
            }

            var shared = new IMac[keys.Length];
            var own = new IMac[keys.Length];
            for (int i = 0; i < keys.Length; i++)
            {
                shared[i] = crypto.CreateHmacSha256(keys[i]);
                own[i] = new HmacSha256(keys[i]);
            }

            byte[] data = new byte[250];
            byte[] a = new byte[32];
            byte[] b = new byte[32];
            for (int round = 0; round < 30; round++)
            {
                rng.NextBytes(data);
                int i = rng.Next(keys.Length);
                int length = rng.Next(data.Length + 1);
                shared[i].Compute(data, 0, length, a, 0);
                own[i].Compute(data, 0, length, b, 0);
                Assert.Equal(b, a);
                Assert.Equal(HMACSHA256.HashData(keys[i], data.AsSpan(0, length)), a);
            }

            // Keys made from one another with the shared scratch, as NetworkKey and DeviceKey do.
            var net = new NetworkKey(keys[0], crypto);
            var reference = new NetworkKey(keys[0], DesktopCrypto.Instance);
            net.Payload.Mac.Compute(data, 0, 100, a, 0);
            reference.Payload.Mac.Compute(data, 0, 100, b, 0);
            Assert.Equal(b, a);
        }

        [Fact]
        public void The_core_produces_byte_identical_frames_with_the_managed_and_the_desktop_provider()
        {
            byte[] secret = Hex("00112233445566778899aabbccddeeff");
            var managed = new NetworkKey(secret, new ManagedCrypto());
            var desktop = new NetworkKey(secret, DesktopCrypto.Instance);
            byte[] payload = new byte[200];
            new Random(5).NextBytes(payload);
            byte[] a = (byte[])payload.Clone();
            byte[] b = (byte[])payload.Clone();
            byte[] macA = new byte[32];
            byte[] macB = new byte[32];
            managed.Hop.Compute(a, 0, a.Length, macA, 0);
            desktop.Hop.Compute(b, 0, b.Length, macB, 0);
            Assert.Equal(macB, macA);
            managed.Payload.Cipher.EncryptBlock(a, 16, a, 16);
            desktop.Payload.Cipher.EncryptBlock(b, 16, b, 16);
            Assert.Equal(b, a);
        }

        [Fact]
        public void A_MIC_and_a_frame_of_keystream_allocate_nothing()
        {
            var mac = new HmacSha256(Hex("00112233445566778899aabbccddeeff"));
            var aes = new Aes128(Hex("000102030405060708090a0b0c0d0e0f"));
            byte[] frame = new byte[250];
            byte[] output = new byte[32];
            byte[] block = new byte[16];
            mac.Compute(frame, 0, frame.Length, output, 0); // warm up (JIT, statics)
            aes.EncryptBlock(block, 0, block, 0);

            // A blocking gen0 GC first: a background GC started by another test thread voids this thread's
            // allocation context without correcting the counter (see Mesh.Protocol.Tests AllocationTests).
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            long before = GC.GetAllocatedBytesForCurrentThread();
            for (int i = 0; i < 100; i++)
            {
                mac.Compute(frame, 0, frame.Length - 8, output, 0);
                for (int b = 0; b < 15; b++)
                {
                    aes.EncryptBlock(frame, 16 * b, block, 0);
                }
            }

            Assert.Equal(0, GC.GetAllocatedBytesForCurrentThread() - before);
        }
    }
}
