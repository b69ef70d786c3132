using Mesh.Protocol.Tables;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Security
{
    /// <summary>
    /// Per-origin anti-replay state in the style of IPsec ESP (RFC 4303 §3.4.3) and DTLS (RFC 6347
    /// §4.1.2.6): the highest authenticated sequence and a 64-bit bitmap of the 64 sequences at and
    /// below it. A frame is accepted if it is above the highest, or inside the window and not yet seen.
    /// Sequences are plain unsigned 32-bit numbers that only grow; there is no wrap-around arithmetic
    /// (see PROTOCOL.md, "Sequence numbers").
    /// Check and Commit are separate so a node commits only once it has really taken the frame.
    /// <para>
    /// Eviction: when the table is full, the least recently used origin is forgotten, and a frame of an
    /// origin it does not know passes here. What stops a replay of a forgotten origin is the duplicate
    /// cache's floor (<see cref="Forwarding.DuplicateCache.Forgot"/>) within the freshness window and the
    /// window itself beyond it (PROTOCOL.md, "Freshness").
    /// </para>
    /// </summary>
    public sealed class ReplayWindow
    {
        public const int WindowSize = 64;

        private readonly KeySlots _slots;
        private readonly uint[] _highest;
        private readonly ulong[] _seen;

        public ReplayWindow(int capacity)
        {
            _slots = new KeySlots(capacity);
            _highest = new uint[_slots.Capacity];
            _seen = new ulong[_slots.Capacity];
        }

        public int Capacity
        {
            get { return _slots.Capacity; }
        }

        public RejectReason Check(uint origin, uint sequence)
        {
            int slot = _slots.Find(origin);
            if (slot < 0)
            {
                return RejectReason.None;
            }

            uint highest = _highest[slot];
            if (sequence > highest)
            {
                return RejectReason.None;
            }

            uint back = highest - sequence;
            if (back >= WindowSize)
            {
                return RejectReason.TooOld;
            }

            return ((_seen[slot] >> (int)back) & 1UL) != 0 ? RejectReason.Replayed : RejectReason.None;
        }

        /// <summary>
        /// Records the sequence of a message whose payload this node opened under the origin's device key,
        /// the only proof that the origin sent it. Call only after <see cref="Check"/> returned None. Frames
        /// only the network MIC vouches for (at relays, network-sealed payloads) are never recorded here: an
        /// insider holds the network key, and a frame it forged under another node's id with a sequence
        /// ahead would move every relay's window past that node's real sequences. Their replays are the
        /// duplicate cache's, its floor's and the freshness window's to refuse (PROTOCOL.md, "Freshness").
        /// </summary>
        public void Commit(uint origin, uint sequence)
        {
            bool claimed;
            int slot = _slots.FindOrClaim(origin, out claimed);
            if (claimed)
            {
                _highest[slot] = sequence;
                _seen[slot] = 1UL;
                return;
            }

            uint highest = _highest[slot];
            if (sequence > highest)
            {
                uint shift = sequence - highest;
                _seen[slot] = shift >= WindowSize ? 1UL : (_seen[slot] << (int)shift) | 1UL;
                _highest[slot] = sequence;
            }
            else
            {
                uint back = highest - sequence;
                if (back < WindowSize)
                {
                    _seen[slot] |= 1UL << (int)back;
                }
            }
        }

        /// <summary>
        /// Restores what a driver persisted (a gateway: the newest sequence it stored per node): every
        /// sequence up to <paramref name="highest"/> counts as seen, so a restart does not reopen them.
        /// </summary>
        public void Restore(uint origin, uint highest)
        {
            bool claimed;
            int slot = _slots.FindOrClaim(origin, out claimed);
            if (claimed || highest >= _highest[slot])
            {
                _highest[slot] = highest;
                _seen[slot] = ulong.MaxValue;
            }
        }

        /// <summary>The highest sequence accepted from <paramref name="origin"/>, if it is tracked.</summary>
        public bool TryGetHighest(uint origin, out uint highest)
        {
            int slot = _slots.Find(origin);
            highest = slot >= 0 ? _highest[slot] : 0;
            return slot >= 0;
        }
    }
}
