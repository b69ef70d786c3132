using System;
using System.Runtime.Intrinsics;
using Mesh.Protocol.Security;
using X86Aes = System.Runtime.Intrinsics.X86.Aes;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// AES-128 single-block encryption (all the core asks of a cipher: CTR keystream and key derivation)
    /// with the round keys in one 176-byte managed array. The platform's cipher object keeps a native
    /// OpenSSL context per key: ~2.6 KB of working set each, and every simulated node has a device key,
    /// so at 10,000 nodes the ciphers alone cost ~26 MB; these cost ~0.2 KB. Same results bit for bit
    /// (the tests compare it with the platform's AES): AES-NI where the CPU has it, the textbook byte
    /// rounds elsewhere.
    /// </summary>
    public sealed class CompactAes128 : IBlockCipher
    {
        private static readonly byte[] Sbox = BuildSbox();
        private static readonly byte[] Rcon = { 0x00, 0x01, 0x02, 0x04, 0x08, 0x10, 0x20, 0x40, 0x80, 0x1B, 0x36 };

        private readonly byte[] _roundKeys = new byte[176];
        private readonly bool _hardware;

        /// <param name="hardware">Use AES-NI when the CPU has it (false: the byte rounds, for tests).</param>
        public CompactAes128(byte[] key, bool hardware = true)
        {
            if (key.Length != 16)
            {
                throw new ArgumentException("AES-128 needs a 16-byte key", nameof(key));
            }

            _hardware = hardware && X86Aes.IsSupported;
            byte[] rk = _roundKeys;
            Array.Copy(key, rk, 16);
            // FIPS-197 key expansion: each word is the word 4 back XOR the previous one, which every
            // fourth word is rotated, substituted and XORed with the round constant.
            for (int i = 16; i < 176; i += 4)
            {
                byte t0 = rk[i - 4], t1 = rk[i - 3], t2 = rk[i - 2], t3 = rk[i - 1];
                if (i % 16 == 0)
                {
                    byte first = t0;
                    t0 = (byte)(Sbox[t1] ^ Rcon[i / 16]);
                    t1 = Sbox[t2];
                    t2 = Sbox[t3];
                    t3 = Sbox[first];
                }

                rk[i] = (byte)(rk[i - 16] ^ t0);
                rk[i + 1] = (byte)(rk[i - 15] ^ t1);
                rk[i + 2] = (byte)(rk[i - 14] ^ t2);
                rk[i + 3] = (byte)(rk[i - 13] ^ t3);
            }
        }

        public void EncryptBlock(byte[] input, int inputOffset, byte[] output, int outputOffset)
        {
            if (_hardware)
            {
                ReadOnlySpan<byte> rk = _roundKeys;
                Vector128<byte> s = Vector128.Create(input.AsSpan(inputOffset, 16)) ^ Vector128.Create(rk.Slice(0, 16));
                for (int r = 1; r < 10; r++)
                {
                    s = X86Aes.Encrypt(s, Vector128.Create(rk.Slice(r * 16, 16)));
                }

                X86Aes.EncryptLast(s, Vector128.Create(rk.Slice(160, 16))).CopyTo(output.AsSpan(outputOffset, 16));
                return;
            }

            EncryptBytes(input, inputOffset, output, outputOffset);
        }

        private void EncryptBytes(byte[] input, int inputOffset, byte[] output, int outputOffset)
        {
            byte[] rk = _roundKeys;
            Span<byte> s = stackalloc byte[16];
            Span<byte> t = stackalloc byte[16];
            for (int i = 0; i < 16; i++)
            {
                s[i] = (byte)(input[inputOffset + i] ^ rk[i]);
            }

            for (int round = 1; round <= 10; round++)
            {
                // SubBytes and ShiftRows together: byte (row r, column c) is at r + 4c, and row r moves left by r.
                for (int c = 0; c < 4; c++)
                {
                    for (int r = 0; r < 4; r++)
                    {
                        t[r + 4 * c] = Sbox[s[r + 4 * ((c + r) & 3)]];
                    }
                }

                for (int c = 0; c < 4; c++)
                {
                    int k = 4 * c;
                    if (round == 10)
                    {
                        for (int r = 0; r < 4; r++)
                        {
                            s[k + r] = t[k + r];
                        }
                    }
                    else
                    {
                        byte a0 = t[k], a1 = t[k + 1], a2 = t[k + 2], a3 = t[k + 3];
                        s[k] = (byte)(Times2(a0) ^ Times2(a1) ^ a1 ^ a2 ^ a3);
                        s[k + 1] = (byte)(a0 ^ Times2(a1) ^ Times2(a2) ^ a2 ^ a3);
                        s[k + 2] = (byte)(a0 ^ a1 ^ Times2(a2) ^ Times2(a3) ^ a3);
                        s[k + 3] = (byte)(Times2(a0) ^ a0 ^ a1 ^ a2 ^ Times2(a3));
                    }
                }

                for (int i = 0; i < 16; i++)
                {
                    s[i] ^= rk[round * 16 + i];
                }
            }

            s.CopyTo(output.AsSpan(outputOffset, 16));
        }

        private static byte Times2(byte x) => (byte)((x << 1) ^ ((x >> 7) * 0x1B));

        /// <summary>The S-box from its definition: the multiplicative inverse in GF(2⁸), then the affine map.</summary>
        private static byte[] BuildSbox()
        {
            var sbox = new byte[256];
            byte p = 1, q = 1;
            do
            {
                // p walks the field's non-zero elements as powers of 3, q as powers of 3's inverse, so q = 1/p.
                p = (byte)(p ^ (p << 1) ^ ((p & 0x80) != 0 ? 0x1B : 0));
                q ^= (byte)(q << 1);
                q ^= (byte)(q << 2);
                q ^= (byte)(q << 4);
                if ((q & 0x80) != 0)
                {
                    q ^= 0x09;
                }

                int x = q ^ RotateLeft(q, 1) ^ RotateLeft(q, 2) ^ RotateLeft(q, 3) ^ RotateLeft(q, 4);
                sbox[p] = (byte)(x ^ 0x63);
            }
            while (p != 1);

            sbox[0] = 0x63;
            return sbox;
        }

        private static byte RotateLeft(byte x, int n) => (byte)((x << n) | (x >> (8 - n)));
    }
}
