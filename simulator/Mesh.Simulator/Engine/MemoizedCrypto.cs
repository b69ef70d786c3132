using System;
using System.IO.Hashing;
using System.Security.Cryptography;
using Mesh.Protocol.Security;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// The crypto seam for simulations: the same primitives, with HMAC results memoized by their exact
    /// input. Every relayed copy of a message has the same MIC input (the hop fields are zeroed before
    /// the MAC), so a thousand nodes verifying one message cost one HMAC instead of a thousand. HMAC is
    /// a pure function, so the protocol sees identical results; a hit is confirmed byte for byte (and by
    /// the key that made it), never by hash alone. Not for devices: it spends a few MB to save CPU.
    /// </summary>
    /// <remarks>
    /// One table for every MAC this provider makes, keyed by (MAC, input). It used to be one 64 K-entry
    /// table per MAC — ~1.8 MB for each of the two MACs every device key makes, so a 1,000-node run
    /// allocated 3.7 GB and peaked at 1.6 GB of working set for tables that were almost all empty (a
    /// device key MACs a few frames a minute; only the network hop key is hot).
    /// </remarks>
    public sealed class MemoizedCrypto : ICryptoProvider
    {
        /// <summary>
        /// One slot's key and result together (56 bytes, one cache line): a lookup reads this and the
        /// stored input, where five parallel arrays (hash, owner, length, input, output) cost five misses.
        /// </summary>
        private struct Entry
        {
            public ulong Hash;
            public int Owner;
            public int Length;
            public Mac32 Output;
        }

        [System.Runtime.CompilerServices.InlineArray(32)]
        private struct Mac32
        {
            private byte _first;
        }

        private readonly ICryptoProvider _inner;
        private readonly int _mask;
        private readonly Entry[] _entries;
        // Every slot's stored input at slot · InputStride, in one array. One array per slot, grown when a
        // longer input landed in it (a heartbeat after readings), made ~26 MB of garbage in a 10,000-node
        // bench run that outlived the young generations: it stayed in the working set until a full collection.
        private readonly byte[] _input;
        private int _macs;

        public MemoizedCrypto(ICryptoProvider inner, int entries = 1 << 16)
        {
            int size = 1;
            while (size < entries)
            {
                size <<= 1;
            }

            _inner = inner;
            _mask = size - 1;
            _entries = new Entry[size];
            _input = new byte[size * InputStride];
        }

        /// <summary>
        /// A managed AES (<see cref="CompactAes128"/>) rather than the inner provider's: every node's device
        /// key holds a cipher, and the platform's keeps a native context of ~2.6 KB per key.
        /// </summary>
        public IBlockCipher CreateAes128(byte[] key) => new CompactAes128(key);

        public IMac CreateHmacSha256(byte[] key) => new MemoizedMac(this, _inner, key, ++_macs);

        /// <summary>
        /// Misses a MAC computes one-shot before it keeps a context of its own. A kept context (the
        /// platform's incremental HMAC) is ~1 KB of native and managed memory per key and saves ~0.7 µs a
        /// call: worth it for the network hop key, which misses on every transmission, not for the 10,000
        /// device keys of a 10,000-node run (two MACs each, one of them used only to derive the sealing
        /// keys), which seal a few frames a minute and whose copies the gateways verify mostly from the memo.
        /// </summary>
        public const int OneShotMisses = 1024;

        /// <summary>Room for a slot's input: a whole frame (<c>FrameLayout.MaxFrameSize</c>, 250) fits; a longer input is computed, not memoized.</summary>
        public const int InputStride = 256;

        private void Compute(MemoizedMac mac, int owner, byte[] data, int offset, int count, byte[] output, int outputOffset)
        {
            ReadOnlySpan<byte> input = data.AsSpan(offset, count);
            ulong h = XxHash3.HashToUInt64(input, owner);
            int slot = (int)(h & (ulong)_mask);
            ref Entry e = ref _entries[slot];
            // Owner 0 is no MAC's (they count from 1): a free slot.
            Span<byte> stored = _input.AsSpan(slot * InputStride, InputStride);
            if (e.Owner == owner && e.Hash == h && e.Length == count && input.SequenceEqual(stored.Slice(0, count)))
            {
                ((ReadOnlySpan<byte>)e.Output).CopyTo(output.AsSpan(outputOffset, 32));
                return;
            }

            mac.ComputeMiss(data, offset, count, output, outputOffset);
            if (count > InputStride)
            {
                return;
            }

            input.CopyTo(stored);
            output.AsSpan(outputOffset, 32).CopyTo(e.Output);
            e.Hash = h;
            e.Owner = owner;
            e.Length = count;
        }

        private sealed class MemoizedMac : IMac
        {
            private readonly MemoizedCrypto _table;
            private readonly ICryptoProvider _provider;
            private readonly byte[] _key;
            private readonly int _id;
            private IMac? _inner;
            private int _misses;

            public MemoizedMac(MemoizedCrypto table, ICryptoProvider provider, byte[] key, int id)
            {
                _table = table;
                _provider = provider;
                _key = (byte[])key.Clone();
                _id = id;
            }

            public void Compute(byte[] data, int offset, int count, byte[] output, int outputOffset)
                => _table.Compute(this, _id, data, offset, count, output, outputOffset);

            /// <summary>HMAC-SHA256 of a memo miss: one-shot for the first <see cref="OneShotMisses"/>, then through a kept context.</summary>
            public void ComputeMiss(byte[] data, int offset, int count, byte[] output, int outputOffset)
            {
                if (_inner == null && ++_misses <= OneShotMisses)
                {
                    HMACSHA256.HashData(_key, data.AsSpan(offset, count), output.AsSpan(outputOffset, 32));
                    return;
                }

                _inner ??= _provider.CreateHmacSha256(_key);
                _inner.Compute(data, offset, count, output, outputOffset);
            }
        }
    }
}
