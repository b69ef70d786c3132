namespace Mesh.Protocol.Forwarding
{
    /// <summary>
    /// Which (origin, sequence) pairs this node has already handled. Set-associative (4 ways a set),
    /// first-in first-out within a set: O(1) lookups and inserts over fixed arrays, 8 bytes an entry plus
    /// one byte a set. Origin 0 is never a valid node id, so it marks an empty way. Only authenticated
    /// frames are inserted, so a forger cannot poison the cache to suppress a real frame.
    /// </summary>
    public sealed class DuplicateCache
    {
        public const int Ways = 4;

        private readonly uint[] _origins;
        private readonly uint[] _sequences;
        private readonly byte[] _nextVictim;

        // One bit per entry: recorded from a directed frame overheard on another node's path (see
        // MeshNode.Receive). Bits, not bools: a board pays for every byte of this table.
        private readonly byte[] _overheard;
        private readonly int _setMask;

        /// <param name="capacity">Entries; rounded up to a power of two, at least 4.</param>
        public DuplicateCache(int capacity)
        {
            int sets = 1;
            while (sets * Ways < capacity)
            {
                sets <<= 1;
            }

            _origins = new uint[sets * Ways];
            _sequences = new uint[sets * Ways];
            _nextVictim = new byte[sets];
            _overheard = new byte[(sets * Ways + 7) / 8];
            _setMask = sets - 1;
        }

        public int Capacity
        {
            get { return _origins.Length; }
        }

        public bool Contains(uint origin, uint sequence)
        {
            return Find(origin, sequence) >= 0;
        }

        /// <summary>The entry holding (origin, sequence), or -1.</summary>
        public int Find(uint origin, uint sequence)
        {
            int b = SetOf(origin, sequence) * Ways;
            for (int i = b; i < b + Ways; i++)
            {
                if (_origins[i] == origin && _sequences[i] == sequence && origin != 0)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Whether the entry was recorded from an overheard directed frame and not yet handled.</summary>
        public bool IsOverheard(int entry)
        {
            return (_overheard[entry >> 3] & (1 << (entry & 7))) != 0;
        }

        public void MarkHandled(int entry)
        {
            SetOverheard(entry, false);
        }

        private void SetOverheard(int entry, bool overheard)
        {
            if (overheard)
            {
                _overheard[entry >> 3] |= (byte)(1 << (entry & 7));
            }
            else
            {
                _overheard[entry >> 3] &= (byte)~(1 << (entry & 7));
            }
        }

        public void Add(uint origin, uint sequence)
        {
            Add(origin, sequence, false);
        }

        public void Add(uint origin, uint sequence, bool overheard)
        {
            int found = Find(origin, sequence);
            if (found >= 0)
            {
                SetOverheard(found, IsOverheard(found) && overheard);
                return;
            }

            // Ways fill in order and are then recycled oldest first.
            int set = SetOf(origin, sequence);
            int victim = set * Ways + _nextVictim[set];
            _nextVictim[set] = (byte)((_nextVictim[set] + 1) % Ways);
            _origins[victim] = origin;
            _sequences[victim] = sequence;
            SetOverheard(victim, overheard);
        }

        private int SetOf(uint origin, uint sequence)
        {
            uint h = (origin * 2654435769u) ^ (sequence * 0x85EBCA6Bu);
            h ^= h >> 15;
            return (int)(h & (uint)_setMask);
        }
    }
}
