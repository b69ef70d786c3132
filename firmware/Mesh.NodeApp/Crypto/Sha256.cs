namespace Mesh.NodeApp.Crypto
{
    /// <summary>
    /// SHA-256 (FIPS 180-4) over caller-owned state, in the nanoFramework subset. It exists because the board's
    /// native library (nanoFramework.System.Security.Cryptography) only offers whole-array calls that return a
    /// new array per hash; this one writes into buffers allocated once, so a frame costs no garbage. Not
    /// thread-safe: one instance per user.
    /// </summary>
    public sealed class Sha256
    {
        public const int BlockSize = 64;
        public const int HashSize = 32;

        private static readonly uint[] K =
        {
            0x428a2f98, 0x71374491, 0xb5c0fbcf, 0xe9b5dba5, 0x3956c25b, 0x59f111f1, 0x923f82a4, 0xab1c5ed5,
            0xd807aa98, 0x12835b01, 0x243185be, 0x550c7dc3, 0x72be5d74, 0x80deb1fe, 0x9bdc06a7, 0xc19bf174,
            0xe49b69c1, 0xefbe4786, 0x0fc19dc6, 0x240ca1cc, 0x2de92c6f, 0x4a7484aa, 0x5cb0a9dc, 0x76f988da,
            0x983e5152, 0xa831c66d, 0xb00327c8, 0xbf597fc7, 0xc6e00bf3, 0xd5a79147, 0x06ca6351, 0x14292967,
            0x27b70a85, 0x2e1b2138, 0x4d2c6dfc, 0x53380d13, 0x650a7354, 0x766a0abb, 0x81c2c92e, 0x92722c85,
            0xa2bfe8a1, 0xa81a664b, 0xc24b8b70, 0xc76c51a3, 0xd192e819, 0xd6990624, 0xf40e3585, 0x106aa070,
            0x19a4c116, 0x1e376c08, 0x2748774c, 0x34b0bcb5, 0x391c0cb3, 0x4ed8aa4a, 0x5b9cca4f, 0x682e6ff3,
            0x748f82ee, 0x78a5636f, 0x84c87814, 0x8cc70208, 0x90befffa, 0xa4506ceb, 0xbef9a3f7, 0xc67178f2,
        };

        private readonly uint[] _h = new uint[8];
        // The message schedule as a ring of 16 words, each computed in the round that uses it (FIPS 180-4 §6.2.2
        // with W_t kept only while rounds t + 1 … t + 16 need it): 192 bytes less than 64 words on a board's heap.
        private readonly uint[] _w = new uint[16];
        private readonly byte[] _block = new byte[BlockSize];
        private int _blockFill;
        private long _length;

        public Sha256()
        {
            Reset();
        }

        /// <summary>Starts a new hash.</summary>
        public void Reset()
        {
            _h[0] = 0x6a09e667;
            _h[1] = 0xbb67ae85;
            _h[2] = 0x3c6ef372;
            _h[3] = 0xa54ff53a;
            _h[4] = 0x510e527f;
            _h[5] = 0x9b05688c;
            _h[6] = 0x1f83d9ab;
            _h[7] = 0x5be0cd19;
            _blockFill = 0;
            _length = 0;
        }

        /// <summary>
        /// Copies the chaining value into <paramref name="state"/> (8 words) after a whole number of blocks. HMAC keeps
        /// its two keyed states this way: 32 bytes each instead of a whole hasher with its 256-byte schedule.
        /// </summary>
        public void SaveState(uint[] state)
        {
            if (_blockFill != 0)
            {
                throw new System.InvalidOperationException("state is saved only on a block boundary");
            }

            System.Array.Copy(_h, state, 8);
        }

        /// <summary>Continues from a state saved with <see cref="SaveState"/> after <paramref name="length"/> bytes.</summary>
        public void Resume(uint[] state, long length)
        {
            System.Array.Copy(state, _h, 8);
            _blockFill = 0;
            _length = length;
        }

        public void Update(byte[] data, int offset, int count)
        {
            _length += count;
            while (count > 0)
            {
                if (_blockFill == 0 && count >= BlockSize)
                {
                    Compress(data, offset);
                    offset += BlockSize;
                    count -= BlockSize;
                    continue;
                }

                int take = BlockSize - _blockFill;
                if (take > count)
                {
                    take = count;
                }

                System.Array.Copy(data, offset, _block, _blockFill, take);
                _blockFill += take;
                offset += take;
                count -= take;
                if (_blockFill == BlockSize)
                {
                    Compress(_block, 0);
                    _blockFill = 0;
                }
            }
        }

        /// <summary>Pads, writes the 32-byte digest to <paramref name="output"/> and leaves the instance to be <see cref="Reset"/>.</summary>
        public void Final(byte[] output, int outputOffset)
        {
            long bits = _length * 8;
            _block[_blockFill++] = 0x80;
            if (_blockFill > BlockSize - 8)
            {
                while (_blockFill < BlockSize)
                {
                    _block[_blockFill++] = 0;
                }

                Compress(_block, 0);
                _blockFill = 0;
            }

            while (_blockFill < BlockSize - 8)
            {
                _block[_blockFill++] = 0;
            }

            for (int i = 0; i < 8; i++)
            {
                _block[BlockSize - 1 - i] = (byte)(bits >> (8 * i));
            }

            Compress(_block, 0);
            _blockFill = 0;
            for (int i = 0; i < 8; i++)
            {
                uint v = _h[i];
                output[outputOffset + (4 * i)] = (byte)(v >> 24);
                output[outputOffset + (4 * i) + 1] = (byte)(v >> 16);
                output[outputOffset + (4 * i) + 2] = (byte)(v >> 8);
                output[outputOffset + (4 * i) + 3] = (byte)v;
            }
        }

        private void Compress(byte[] data, int offset)
        {
            uint[] w = _w;
            uint[] k = K;
            for (int i = 0; i < 16; i++)
            {
                int o = offset + (4 * i);
                w[i] = ((uint)data[o] << 24) | ((uint)data[o + 1] << 16) | ((uint)data[o + 2] << 8) | data[o + 3];
            }

            uint a = _h[0], b = _h[1], c = _h[2], d = _h[3], e = _h[4], f = _h[5], g = _h[6], h = _h[7];

            // Rounds 0–15 take the message words as they are; rounds 16–63 compute their schedule word into the
            // ring slot of the word 16 rounds back. Two loops with the round written out in each: on the
            // interpreter a branch or a call per round costs more than the duplicated lines.
            for (int i = 0; i < 16; i++)
            {
                uint s1 = ((e >> 6) | (e << 26)) ^ ((e >> 11) | (e << 21)) ^ ((e >> 25) | (e << 7));
                uint ch = (e & f) ^ (~e & g);
                uint t1 = unchecked(h + s1 + ch + k[i] + w[i]);
                uint s0 = ((a >> 2) | (a << 30)) ^ ((a >> 13) | (a << 19)) ^ ((a >> 22) | (a << 10));
                uint maj = (a & b) ^ (a & c) ^ (b & c);
                uint t2 = unchecked(s0 + maj);
                h = g;
                g = f;
                f = e;
                e = unchecked(d + t1);
                d = c;
                c = b;
                b = a;
                a = unchecked(t1 + t2);
            }

            for (int i = 16; i < 64; i++)
            {
                uint x = w[(i - 15) & 15];
                uint y = w[(i - 2) & 15];
                int at = i & 15; // holds W[i - 16] until overwritten with W[i]
                uint wi = unchecked(w[at] + (((x >> 7) | (x << 25)) ^ ((x >> 18) | (x << 14)) ^ (x >> 3)) + w[(i - 7) & 15]
                    + (((y >> 17) | (y << 15)) ^ ((y >> 19) | (y << 13)) ^ (y >> 10)));
                w[at] = wi;
                uint s1 = ((e >> 6) | (e << 26)) ^ ((e >> 11) | (e << 21)) ^ ((e >> 25) | (e << 7));
                uint ch = (e & f) ^ (~e & g);
                uint t1 = unchecked(h + s1 + ch + k[i] + wi);
                uint s0 = ((a >> 2) | (a << 30)) ^ ((a >> 13) | (a << 19)) ^ ((a >> 22) | (a << 10));
                uint maj = (a & b) ^ (a & c) ^ (b & c);
                uint t2 = unchecked(s0 + maj);
                h = g;
                g = f;
                f = e;
                e = unchecked(d + t1);
                d = c;
                c = b;
                b = a;
                a = unchecked(t1 + t2);
            }

            _h[0] = unchecked(_h[0] + a);
            _h[1] = unchecked(_h[1] + b);
            _h[2] = unchecked(_h[2] + c);
            _h[3] = unchecked(_h[3] + d);
            _h[4] = unchecked(_h[4] + e);
            _h[5] = unchecked(_h[5] + f);
            _h[6] = unchecked(_h[6] + g);
            _h[7] = unchecked(_h[7] + h);
        }
    }
}
