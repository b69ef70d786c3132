namespace Mesh.Protocol.Forwarding
{
    /// <summary>
    /// Which messages this node has already handled: per entry the origin, the low 16 bits of the sequence
    /// and the message's payload tag (16 bits of the payload MIC, <see cref="Wire.PayloadTag"/>). Copies of
    /// one message all carry the same tag, so they match; a frame an insider sealed under another node's next
    /// sequence and that node's genuine frame do not, so the forgery heard first does not make the genuine
    /// frame a duplicate at relays, which can open neither. The full sequence is the replay window's to keep
    /// (<see cref="Security.ReplayWindow"/>): two messages of one origin whose sequences differ by a
    /// multiple of 65,536 and whose tags agree (one chance in 65,536) would look alike here, but both would
    /// have to be fresh (no origin sends 65,536 frames within the freshness window) — so the tag costs the
    /// table no memory. Set-associative (4 ways a set, the set chosen by origin and full sequence),
    /// first-in first-out within a set: O(1) lookups and inserts over fixed arrays, 8 bytes and two bits an
    /// entry plus one byte a set. Origin 0 is never a valid node id, so it marks an empty way. Only
    /// authenticated frames are inserted, so an outsider cannot poison the cache to suppress a real frame.
    /// </summary>
    public sealed class DuplicateCache
    {
        public const int Ways = 4;

        private readonly uint[] _origins;

        // (sequence & 0xFFFF) << 16 | tag.
        private readonly uint[] _keys;
        private readonly byte[] _nextVictim;

        // Two bits per entry (bits, not bools, in one array: a board pays for every byte of this table):
        // Overheard — recorded from a directed frame overheard on another node's path (see MeshNode.Receive);
        // Opened — this node opened a message under the entry's (origin, sequence) with the origin's device
        // key, so any other message under that pair is not the origin's (sequences are never reused).
        private const int Overheard = 0;
        private const int Opened = 1;
        private readonly byte[] _flags;
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
            _keys = new uint[sets * Ways];
            _nextVictim = new byte[sets];
            _flags = new byte[(sets * Ways * 2 + 7) / 8];
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

        /// <summary>An entry holding (origin, sequence), whatever its tag, or -1.</summary>
        public int Find(uint origin, uint sequence)
        {
            uint s = (sequence & 0xFFFF) << 16;
            int b = SetOf(origin, sequence) * Ways;
            for (int i = b; i < b + Ways; i++)
            {
                if (_origins[i] == origin && (_keys[i] & 0xFFFF0000u) == s && origin != 0)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The entry holding (origin, sequence) with this payload tag, or -1.</summary>
        public int Find(uint origin, uint sequence, int tag)
        {
            uint key = Key(sequence, tag);
            int b = SetOf(origin, sequence) * Ways;
            for (int i = b; i < b + Ways; i++)
            {
                if (_origins[i] == origin && _keys[i] == key && origin != 0)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Whether the entry was recorded from an overheard directed frame and not yet handled.</summary>
        public bool IsOverheard(int entry)
        {
            return Flag(entry, Overheard);
        }

        public void MarkHandled(int entry)
        {
            SetFlag(entry, Overheard, false);
        }

        /// <summary>This node opened a message under (origin, sequence) with the origin's device key: marks every entry of the pair.</summary>
        public void MarkOpened(uint origin, uint sequence)
        {
            uint s = (sequence & 0xFFFF) << 16;
            int b = SetOf(origin, sequence) * Ways;
            for (int i = b; i < b + Ways; i++)
            {
                if (_origins[i] == origin && (_keys[i] & 0xFFFF0000u) == s && origin != 0)
                {
                    SetFlag(i, Opened, true);
                }
            }
        }

        /// <summary>Whether an entry of (origin, sequence) records that this node opened a message under it with the origin's device key.</summary>
        public bool WasOpened(uint origin, uint sequence)
        {
            uint s = (sequence & 0xFFFF) << 16;
            int b = SetOf(origin, sequence) * Ways;
            for (int i = b; i < b + Ways; i++)
            {
                if (_origins[i] == origin && (_keys[i] & 0xFFFF0000u) == s && origin != 0 && Flag(i, Opened))
                {
                    return true;
                }
            }

            return false;
        }

        public void Add(uint origin, uint sequence)
        {
            Add(origin, sequence, 0, false);
        }

        public void Add(uint origin, uint sequence, bool overheard)
        {
            Add(origin, sequence, 0, overheard);
        }

        public void Add(uint origin, uint sequence, int tag, bool overheard)
        {
            int found = Find(origin, sequence, tag);
            if (found >= 0)
            {
                SetFlag(found, Overheard, IsOverheard(found) && overheard);
                return;
            }

            // Ways fill in order and are then recycled oldest first.
            int set = SetOf(origin, sequence);
            int victim = set * Ways + _nextVictim[set];
            _nextVictim[set] = (byte)((_nextVictim[set] + 1) % Ways);
            _origins[victim] = origin;
            _keys[victim] = Key(sequence, tag);
            SetFlag(victim, Overheard, overheard);
            SetFlag(victim, Opened, false);
        }

        private static uint Key(uint sequence, int tag)
        {
            return ((sequence & 0xFFFF) << 16) | ((uint)tag & 0xFFFF);
        }

        private bool Flag(int entry, int flag)
        {
            int bit = entry * 2 + flag;
            return (_flags[bit >> 3] & (1 << (bit & 7))) != 0;
        }

        private void SetFlag(int entry, int flag, bool on)
        {
            int bit = entry * 2 + flag;
            if (on)
            {
                _flags[bit >> 3] |= (byte)(1 << (bit & 7));
            }
            else
            {
                _flags[bit >> 3] &= (byte)~(1 << (bit & 7));
            }
        }

        private int SetOf(uint origin, uint sequence)
        {
            uint h = (origin * 2654435769u) ^ (sequence * 0x85EBCA6Bu);
            h ^= h >> 15;
            return (int)(h & (uint)_setMask);
        }
    }
}
