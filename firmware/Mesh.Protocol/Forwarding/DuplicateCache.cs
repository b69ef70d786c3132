namespace Mesh.Protocol.Forwarding
{
    /// <summary>
    /// Which messages this node has already taken, for as long as a copy of them could still be fresh, and
    /// a bound below which it has forgotten (PROTOCOL.md, "Freshness": the duplicate cache).
    /// <para>
    /// An entry is the origin, the low 16 bits of the sequence and the message's payload tag (16 bits of the
    /// payload MIC, <see cref="Wire.PayloadTag"/>), plus the message's network time. Copies of one message
    /// all carry the same tag, so they match; a frame an insider sealed under another node's next sequence
    /// and that node's genuine frame do not, so the forgery heard first does not make the genuine frame a
    /// duplicate at relays, which can open neither. The full sequence is the replay window's to keep: two
    /// messages of one origin 65,536 sequences apart with equal tags would look alike, but both would have
    /// to be fresh, and no origin sends 65,536 frames within the freshness window.
    /// </para>
    /// <para>
    /// Why a floor: a board's table cannot hold every message a 1,000-node mesh floods within the freshness
    /// window W, and a copy of a message the cache has pushed out must not be taken again. So each set
    /// keeps the newest network time of any entry it pushed out while that entry was still fresh, and a
    /// 16-bit filter of the entries it pushed out stamped exactly that second; a message the set does not
    /// hold is refused (<see cref="Forgot"/>) when its time is below the floor, or equal to it and its bit
    /// is set in the filter (network time has whole seconds, and a burst — a key refresh's commands — fills
    /// a set within one). Entries older than W are free for reuse before any fresh one (a copy of them is
    /// stale anyway), so the floor rises only when a set really overflows within W; what that costs is
    /// first copies that arrive later than the set's turnover (and one in sixteen of those of the floor's
    /// own second, at most), never a message taken twice.
    /// </para>
    /// <para>
    /// Set-associative (4 ways a set, the set chosen by origin and full sequence); an empty way first, else
    /// the way holding the oldest message: O(1) lookups and inserts over fixed arrays. Per entry 8 bytes and
    /// 2 bytes of time and the overheard flag; per set 4 bytes: floor, where the next scan starts, filter. Times are kept as 14-bit offsets from a base
    /// that moves forward (all offsets with it) long before they overflow. Origin 0 is never a valid node
    /// id, so it marks an empty way. Only authenticated frames are inserted, so an outsider cannot poison
    /// the cache to suppress a real frame.
    /// </para>
    /// </summary>
    public sealed class DuplicateCache
    {
        public const int Ways = 4;

        private readonly uint[] _origins;

        // (sequence & 0xFFFF) << 16 | tag.
        private readonly uint[] _keys;

        // One array (a board pays an object header per array). Per entry: the message's network time as an
        // offset from _base (TimeMask bits) and a flag, Overheard: recorded from a directed frame overheard on
        // another node's path (see MeshNode.Receive). Then per set two words: the floor as an offset
        // (0: none; a real floor is at least 1) with the way the next scan starts at in the top two bits;
        // and the filter of the entries pushed out at the floor's second.
        private readonly ushort[] _stamps;
        private const int TimeMask = 0x3FFF;
        private const int Overheard = 0x4000;
        private const int StartShift = 14;
        private readonly int _entries;
        private readonly int _setMask;
        private uint _base;

        // Offsets are moved down when one would pass this (well inside 14 bits).
        private const uint Rebase = 16000;

        // Kept when the base moves: entries and floors older than this are stale (the window is far shorter).
        private const uint Kept = 64;

        /// <param name="capacity">Entries; rounded up to a power of two, at least 4.</param>
        public DuplicateCache(int capacity)
        {
            int sets = 1;
            while (sets * Ways < capacity)
            {
                sets <<= 1;
            }

            _entries = sets * Ways;
            _origins = new uint[_entries];
            _keys = new uint[_entries];
            _stamps = new ushort[_entries + 2 * sets];
            _setMask = sets - 1;
        }

        public int Capacity
        {
            get { return _entries; }
        }

        /// <summary>Whether an entry holds (origin, sequence), whatever its tag. The receive path asks with the tag (<see cref="Find"/>); this is for tests.</summary>
        internal bool Contains(uint origin, uint sequence)
        {
            uint s = (sequence & 0xFFFF) << 16;
            int b = SetOf(Hash(origin, sequence)) * Ways;
            for (int i = b; i < b + Ways; i++)
            {
                if (_origins[i] == origin && (_keys[i] & 0xFFFF0000u) == s && origin != 0)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>The entry holding (origin, sequence) with this payload tag, or -1.</summary>
        public int Find(uint origin, uint sequence, int tag)
        {
            uint key = Key(sequence, tag);
            int b = SetOf(Hash(origin, sequence)) * Ways;
            for (int i = b; i < b + Ways; i++)
            {
                if (_origins[i] == origin && _keys[i] == key && origin != 0)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>
        /// Whether a message the cache does not hold may nevertheless have been taken and pushed out: it is
        /// older than a still-fresh entry its set pushed out, or as old and its filter bit is set. Such a frame
        /// is refused (TooOld); PROTOCOL.md, "Freshness".
        /// </summary>
        public bool Forgot(uint origin, uint sequence, uint time)
        {
            int w = _entries + 2 * SetOf(Hash(origin, sequence));
            int floor = _stamps[w] & TimeMask;
            if (floor == 0)
            {
                return false;
            }

            uint at = _base + (uint)floor;
            return time < at || (time == at && (_stamps[w + 1] & FilterBit(origin, sequence & 0xFFFF)) != 0);
        }

        /// <summary>Whether the entry was recorded from an overheard directed frame and not yet handled.</summary>
        public bool IsOverheard(int entry)
        {
            return (_stamps[entry] & Overheard) != 0;
        }

        public void MarkHandled(int entry)
        {
            _stamps[entry] = (ushort)(_stamps[entry] & ~Overheard);
        }

        /// <summary>
        /// Records a message taken (or overheard) with its network time <paramref name="time"/>.
        /// <paramref name="staleBelow"/> is the oldest time a copy could still be fresh at (the clock minus
        /// the freshness window; 0 while the node has no time): entries older are free for reuse.
        /// </summary>
        public void Add(uint origin, uint sequence, int tag, bool overheard, uint time, uint staleBelow)
        {
            int found = Find(origin, sequence, tag);
            if (found >= 0)
            {
                if (!overheard)
                {
                    MarkHandled(found);
                }

                return;
            }

            Follow(time > staleBelow ? time : staleBelow);
            int set = SetOf(Hash(origin, sequence));
            int b = set * Ways;
            int w = _entries + 2 * set;

            // The scan starts where the last insert into this set stopped, so among messages of the same
            // second the oldest inserted goes first (ways of one second are recycled in order).
            int start = _stamps[w] >> StartShift;
            int victim = b + start;
            for (int k = 0; k < Ways; k++)
            {
                int i = b + ((start + k) & (Ways - 1));
                if (_origins[i] == 0)
                {
                    victim = i;
                    break;
                }

                if ((_stamps[i] & TimeMask) < (_stamps[victim] & TimeMask))
                {
                    victim = i;
                }
            }

            int floor = _stamps[w] & TimeMask;
            if (_origins[victim] != 0 && _base + (uint)(_stamps[victim] & TimeMask) >= staleBelow)
            {
                // Pushed out while a copy of it could still be fresh: remember that much.
                int pushed = _stamps[victim] & TimeMask;
                if (pushed == 0)
                {
                    pushed = 1;
                }

                int bit = FilterBit(_origins[victim], _keys[victim] >> 16);
                if (pushed > floor)
                {
                    floor = pushed;
                    _stamps[w + 1] = (ushort)bit;
                }
                else if (pushed == floor)
                {
                    _stamps[w + 1] = (ushort)(_stamps[w + 1] | bit);
                }
            }

            _stamps[w] = (ushort)(floor | (((victim - b + 1) & (Ways - 1)) << StartShift));
            _origins[victim] = origin;
            _keys[victim] = Key(sequence, tag);
            _stamps[victim] = (ushort)(Offset(time) | (overheard ? Overheard : 0));
        }

        /// <summary>Moves the base forward (and every offset down) before <paramref name="newest"/> would overflow an offset.</summary>
        private void Follow(uint newest)
        {
            if (_base == 0)
            {
                _base = newest > Kept ? newest - Kept : 1;
                return;
            }

            if (newest <= _base || newest - _base < Rebase)
            {
                return;
            }

            uint shift = newest - Kept - _base;
            _base += shift;
            for (int i = 0; i < _entries; i++)
            {
                _stamps[i] = (ushort)((_stamps[i] & ~TimeMask) | Shifted(_stamps[i] & TimeMask, shift));
            }

            for (int w = _entries; w < _stamps.Length; w += 2)
            {
                int floor = Shifted(_stamps[w] & TimeMask, shift);
                _stamps[w] = (ushort)((_stamps[w] & ~TimeMask) | floor);
                if (floor == 0)
                {
                    _stamps[w + 1] = 0;
                }
            }
        }

        private static int Shifted(int offset, uint shift)
        {
            return (uint)offset > shift ? offset - (int)shift : 0;
        }

        private int Offset(uint time)
        {
            if (time <= _base)
            {
                return 0;
            }

            uint d = time - _base;
            return d > TimeMask ? TimeMask : (int)d;
        }

        private static uint Key(uint sequence, int tag)
        {
            return ((sequence & 0xFFFF) << 16) | ((uint)tag & 0xFFFF);
        }

        private static uint Hash(uint origin, uint sequence)
        {
            uint h = (origin * 2654435769u) ^ (sequence * 0x85EBCA6Bu);
            return h ^ (h >> 15);
        }

        private int SetOf(uint hash)
        {
            return (int)(hash & (uint)_setMask);
        }

        /// <summary>One of 16 bits, from the origin and the sequence's low 16 bits (all an entry keeps of it).</summary>
        private static int FilterBit(uint origin, uint sequenceLow)
        {
            uint h = (origin ^ (sequenceLow << 16) ^ sequenceLow) * 0x9E3779B1u;
            return 1 << (int)(h >> 28);
        }
    }
}
