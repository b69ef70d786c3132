using System;
using System.Collections.Generic;
using System.Numerics;

namespace Mesh.Simulator.Metrics
{
    /// <summary>
    /// Receptions lost to collisions, counted the way they matter: a (receiver, message) pair is lost
    /// once when a copy that would have decoded but for the interference arrived before the receiver
    /// had any intact copy of that message. Copies of a message the receiver already had, and second
    /// losses of the same message, are not losses. Pairs still lost at the end (no later copy got
    /// through either) are counted apart. Entries are dropped a while after a message was last on the
    /// air, so memory follows the traffic in flight rather than the run's length.
    /// </summary>
    /// <remarks>
    /// A message's receivers are a few percent of the nodes (10,000-node flooding bench: ~370 intact and
    /// ~100 lost per message), held as a bitmap over all nodes while it is on the air (1.25 KB each at
    /// 10,000 nodes, two per message) for every message of the last two minutes: ~37 MB at the end of a
    /// 0.02 h bench run. A message quiet for a few seconds is packed into its receivers' index gaps
    /// (a byte each at that density, ~0.5 KB), and unpacked again, exactly, if a late copy turns up.
    /// </remarks>
    public sealed class CollisionLedger
    {
        /// <summary>A message not on the air for this long is settled (floods and command retries take seconds).</summary>
        private const long SettledAfterUs = 120_000_000;
        private const int PruneEvery = 4096;

        /// <summary>A message not on the air for this long is packed; any value gives the same counts, this one rarely unpacks.</summary>
        private const long QuietAfterUs = 5_000_000;
        private const int PackEvery = 1024;

        private sealed class Entry
        {
            public ulong[]? Received;
            public ulong[]? Lost;
            public long LastUs;

            /// <summary>When packed (Received and Lost null): both sets as index gaps, and what Unrecovered was.</summary>
            public byte[]? Packed;
            public long PackedUnrecovered;
        }

        private readonly int _nodes;
        private readonly int _words;
        private readonly Dictionary<ulong, Entry> _entries = new();
        private ulong _lastKey = ulong.MaxValue;
        private Entry? _last;
        private int _sincePrune;
        private int _sincePack;
        private long _settledNeverReceived;
        private byte[] _scratch = new byte[256];

        // Bitmaps of packed and settled entries, cleared, for the next messages: taken off messages seconds
        // after they were made, they would otherwise die in generation 2 and stay there as garbage until
        // the next full collection (a bitmap per message and two for most: tens of MB at 10,000 nodes).
        private readonly Stack<ulong[]> _spare = new();

        public CollisionLedger(int nodes)
        {
            _nodes = nodes;
            _words = (nodes + 63) / 64;
        }

        /// <summary>Receptions lost to collisions: distinct (receiver, message) pairs, first copies only.</summary>
        public long Lost { get; private set; }

        /// <summary>A copy of <paramref name="message"/> arrived intact at <paramref name="receiver"/>.</summary>
        public void Received(ulong message, int receiver, long nowUs)
        {
            Set(Of(message, nowUs).Received!, receiver);
        }

        /// <summary>A copy that would have decoded was destroyed by interference at <paramref name="receiver"/>.</summary>
        public void Collided(ulong message, int receiver, long nowUs)
        {
            Entry e = Of(message, nowUs);
            if (Has(e.Received!, receiver))
            {
                return; // it already had the message: nothing was lost
            }

            e.Lost ??= Take();
            if (!Has(e.Lost, receiver))
            {
                Set(e.Lost, receiver);
                Lost++;
            }
        }

        /// <summary>
        /// Adds another shard's ledger: each (receiver, message) pair lives in the ledger of the shard
        /// that owns the receiver, so the shards' counts add up to the run's.
        /// </summary>
        public void Absorb(CollisionLedger other)
        {
            Lost += other.Lost;
            _settledNeverReceived += other.NeverReceived();
        }

        /// <summary>Lost pairs whose receiver never got an intact copy afterwards (so far).</summary>
        public long NeverReceived()
        {
            long open = 0;
            foreach (Entry e in _entries.Values)
            {
                open += e.Packed != null ? e.PackedUnrecovered : Unrecovered(e);
            }

            return _settledNeverReceived + open;
        }

        private ulong[] Take() => _spare.Count > 0 ? _spare.Pop() : new ulong[_words];

        private void Release(Entry e)
        {
            Release(e.Received);
            Release(e.Lost);
            e.Received = null;
            e.Lost = null;
        }

        private void Release(ulong[]? bits)
        {
            if (bits != null)
            {
                Array.Clear(bits);
                _spare.Push(bits);
            }
        }

        private static bool Has(ulong[] bits, int i) => (bits[i >> 6] & (1UL << i)) != 0;

        private static void Set(ulong[] bits, int i) => bits[i >> 6] |= 1UL << i;

        private Entry Of(ulong message, long nowUs)
        {
            // Consecutive calls are nearly always about the same frame (one transmission's receivers).
            if (message != _lastKey || _last == null)
            {
                if (!_entries.TryGetValue(message, out Entry? e))
                {
                    if (++_sincePrune >= PruneEvery)
                    {
                        Prune(nowUs);
                    }

                    if (++_sincePack >= PackEvery)
                    {
                        PackQuiet(nowUs);
                    }

                    e = new Entry { Received = Take() };
                    _entries[message] = e;
                }
                else if (e.Packed != null)
                {
                    Unpack(e);
                }

                _lastKey = message;
                _last = e;
            }

            _last.LastUs = nowUs;
            return _last;
        }

        private void Prune(long nowUs)
        {
            _sincePrune = 0;
            var settled = new List<ulong>();
            foreach (var (key, e) in _entries)
            {
                if (nowUs - e.LastUs > SettledAfterUs)
                {
                    settled.Add(key);
                    _settledNeverReceived += e.Packed != null ? e.PackedUnrecovered : Unrecovered(e);
                    Release(e);
                }
            }

            foreach (ulong key in settled)
            {
                _entries.Remove(key);
            }

            _last = null;
        }

        private void PackQuiet(long nowUs)
        {
            _sincePack = 0;
            foreach (Entry e in _entries.Values)
            {
                if (e.Packed == null && nowUs - e.LastUs > QuietAfterUs)
                {
                    Pack(e);
                }
            }

            _last = null;
        }

        private void Pack(Entry e)
        {
            int n = 0;
            n = WriteSet(e.Received!, ref _scratch, n);
            n = e.Lost == null ? WriteVarint(ref _scratch, n, 0) : WriteSet(e.Lost, ref _scratch, n);
            e.PackedUnrecovered = Unrecovered(e);
            e.Packed = _scratch.AsSpan(0, n).ToArray();
            Release(e);
        }

        private void Unpack(Entry e)
        {
            byte[] packed = e.Packed!;
            int at = 0;
            e.Received = ReadSet(packed, ref at) ?? Take();
            e.Lost = ReadSet(packed, ref at);
            e.Packed = null;
        }

        // A set is its size, then each member's distance from the one before (the first's from -1), as
        // 7-bit groups with a continuation bit.
        private int WriteSet(ulong[] bits, ref byte[] buffer, int n)
        {
            int count = 0;
            foreach (ulong w in bits)
            {
                count += BitOperations.PopCount(w);
            }

            n = WriteVarint(ref buffer, n, count);
            int previous = -1;
            for (int k = 0; k < bits.Length; k++)
            {
                ulong w = bits[k];
                while (w != 0)
                {
                    int i = k * 64 + BitOperations.TrailingZeroCount(w);
                    w &= w - 1;
                    n = WriteVarint(ref buffer, n, i - previous);
                    previous = i;
                }
            }

            return n;
        }

        private static int WriteVarint(ref byte[] buffer, int n, int value)
        {
            if (buffer.Length - n < 5)
            {
                Array.Resize(ref buffer, buffer.Length * 2);
            }

            uint v = (uint)value;
            while (v >= 0x80)
            {
                buffer[n++] = (byte)(v | 0x80);
                v >>= 7;
            }

            buffer[n++] = (byte)v;
            return n;
        }

        private ulong[]? ReadSet(byte[] packed, ref int at)
        {
            int count = ReadVarint(packed, ref at);
            if (count == 0)
            {
                return null;
            }

            ulong[] bits = Take();
            int i = -1;
            for (int k = 0; k < count; k++)
            {
                i += ReadVarint(packed, ref at);
                Set(bits, i);
            }

            return bits;
        }

        private static int ReadVarint(byte[] packed, ref int at)
        {
            uint v = 0;
            int shift = 0;
            byte b;
            do
            {
                b = packed[at++];
                v |= (uint)(b & 0x7F) << shift;
                shift += 7;
            }
            while ((b & 0x80) != 0);

            return (int)v;
        }

        private static long Unrecovered(Entry e)
        {
            if (e.Lost == null)
            {
                return 0;
            }

            long c = 0;
            ulong[] received = e.Received!;
            for (int k = 0; k < e.Lost.Length; k++)
            {
                c += BitOperations.PopCount(e.Lost[k] & ~received[k]);
            }

            return c;
        }
    }
}
