using System;
using System.IO.Hashing;
using Mesh.Protocol.Security;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// The crypto seam for simulations: the same primitives, with HMAC results memoized by their exact
    /// input. Every relayed copy of a message has the same MIC input (the hop fields are zeroed before
    /// the MAC), so a thousand nodes verifying one message cost one HMAC instead of a thousand. HMAC is
    /// a pure function, so the protocol sees identical results; a hit is confirmed byte for byte, never
    /// by hash alone. Not for devices: it spends ~20 MB to save CPU.
    /// </summary>
    public sealed class MemoizedCrypto : ICryptoProvider
    {
        private readonly ICryptoProvider _inner;
        private readonly int _entries;

        public MemoizedCrypto(ICryptoProvider inner, int entries = 1 << 16)
        {
            _inner = inner;
            _entries = entries;
        }

        public IBlockCipher CreateAes128(byte[] key) => _inner.CreateAes128(key);

        public IMac CreateHmacSha256(byte[] key) => new MemoizedMac(_inner.CreateHmacSha256(key), _entries);

        /// <summary>Lookups and misses across all MACs this provider made (for the bench report).</summary>
        public static long Hits;
        public static long Misses;

        private sealed class MemoizedMac : IMac
        {
            private readonly IMac _inner;
            private readonly int _mask;
            private readonly ulong[] _hash;
            private readonly int[] _length;
            private readonly byte[][] _input;
            private readonly byte[][] _output;

            public MemoizedMac(IMac inner, int entries)
            {
                int size = 1;
                while (size < entries)
                {
                    size <<= 1;
                }

                _inner = inner;
                _mask = size - 1;
                _hash = new ulong[size];
                _length = new int[size];
                _input = new byte[size][];
                _output = new byte[size][];
            }

            public void Compute(byte[] data, int offset, int count, byte[] output, int outputOffset)
            {
                ReadOnlySpan<byte> input = data.AsSpan(offset, count);
                ulong h = XxHash3.HashToUInt64(input);
                int slot = (int)(h & (ulong)_mask);
                byte[]? stored = _input[slot];
                if (stored != null && _hash[slot] == h && _length[slot] == count && input.SequenceEqual(stored.AsSpan(0, count)))
                {
                    Buffer.BlockCopy(_output[slot], 0, output, outputOffset, 32);
                    Hits++;
                    return;
                }

                _inner.Compute(data, offset, count, output, outputOffset);
                Misses++;
                if (stored == null || stored.Length < count)
                {
                    stored = _input[slot] = new byte[Math.Max(count, 128)];
                    _output[slot] = new byte[32];
                }

                input.CopyTo(stored);
                Buffer.BlockCopy(output, outputOffset, _output[slot], 0, 32);
                _hash[slot] = h;
                _length[slot] = count;
            }
        }
    }
}
