namespace Mesh.Protocol.Security
{
    /// <summary>
    /// AES-CTR (NIST SP 800-38A, section 6.5) from single-block AES encryptions. The counter block is
    /// incremented in its last four bytes, big-endian (the "inc32" of SP 800-38D), which matches the
    /// SP 800-38A vectors and gives 2^32 blocks per nonce, far beyond a 202-byte payload.
    /// </summary>
    public sealed class AesCtr
    {
        private readonly IBlockCipher _cipher;
        private readonly byte[] _counter = new byte[16];
        private readonly byte[] _keystream = new byte[16];

        public AesCtr(IBlockCipher cipher)
        {
            _cipher = cipher;
        }

        /// <summary>XORs data in place with the keystream that starts at <paramref name="initialCounter"/>.</summary>
        public void Transform(byte[] initialCounter, int counterOffset, byte[] data, int offset, int count)
        {
            System.Array.Copy(initialCounter, counterOffset, _counter, 0, 16);
            Apply(_cipher, _counter, _keystream, data, offset, count);
        }

        /// <summary>
        /// XORs data in place with the keystream of <paramref name="cipher"/> from the counter block
        /// <paramref name="counter"/>, which is advanced as it goes; <paramref name="keystream"/> is
        /// 16 bytes of caller scratch. For callers whose key changes per frame.
        /// </summary>
        internal static void Apply(IBlockCipher cipher, byte[] counter, byte[] keystream, byte[] data, int offset, int count)
        {
            int done = 0;
            while (done < count)
            {
                cipher.EncryptBlock(counter, 0, keystream, 0);
                int n = count - done;
                if (n > 16)
                {
                    n = 16;
                }

                for (int i = 0; i < n; i++)
                {
                    data[offset + done + i] ^= keystream[i];
                }

                done += n;
                Increment32(counter);
            }
        }

        private static void Increment32(byte[] block)
        {
            for (int i = 15; i >= 12; i--)
            {
                block[i]++;
                if (block[i] != 0)
                {
                    return;
                }
            }
        }
    }
}
