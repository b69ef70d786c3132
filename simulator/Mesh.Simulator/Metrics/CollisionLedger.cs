using System.Collections;
using System.Collections.Generic;

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
    public sealed class CollisionLedger
    {
        /// <summary>A message not on the air for this long is settled (floods and command retries take seconds).</summary>
        private const long SettledAfterUs = 120_000_000;
        private const int PruneEvery = 4096;

        private sealed class Entry
        {
            public BitArray Received = null!;
            public BitArray? Lost;
            public long LastUs;
        }

        private readonly int _nodes;
        private readonly Dictionary<ulong, Entry> _entries = new();
        private ulong _lastKey = ulong.MaxValue;
        private Entry? _last;
        private int _sincePrune;
        private long _settledNeverReceived;

        public CollisionLedger(int nodes)
        {
            _nodes = nodes;
        }

        /// <summary>Receptions lost to collisions: distinct (receiver, message) pairs, first copies only.</summary>
        public long Lost { get; private set; }

        /// <summary>A copy of <paramref name="message"/> arrived intact at <paramref name="receiver"/>.</summary>
        public void Received(ulong message, int receiver, long nowUs)
        {
            Of(message, nowUs).Received[receiver] = true;
        }

        /// <summary>A copy that would have decoded was destroyed by interference at <paramref name="receiver"/>.</summary>
        public void Collided(ulong message, int receiver, long nowUs)
        {
            Entry e = Of(message, nowUs);
            if (e.Received[receiver])
            {
                return; // it already had the message: nothing was lost
            }

            e.Lost ??= new BitArray(_nodes);
            if (!e.Lost[receiver])
            {
                e.Lost[receiver] = true;
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
                open += Unrecovered(e);
            }

            return _settledNeverReceived + open;
        }

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

                    e = new Entry { Received = new BitArray(_nodes) };
                    _entries[message] = e;
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
                    _settledNeverReceived += Unrecovered(e);
                }
            }

            foreach (ulong key in settled)
            {
                _entries.Remove(key);
            }

            _last = null;
        }

        private static long Unrecovered(Entry e)
        {
            if (e.Lost == null)
            {
                return 0;
            }

            long c = 0;
            for (int i = 0; i < e.Lost.Length; i++)
            {
                if (e.Lost[i] && !e.Received[i])
                {
                    c++;
                }
            }

            return c;
        }
    }
}
