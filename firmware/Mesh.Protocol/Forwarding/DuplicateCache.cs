namespace Mesh.Protocol.Forwarding
{
    /// <summary>
    /// Which (origin, sequence) pairs this node has already handled. Set-associative (4 ways a set) with
    /// per-set oldest-first replacement: O(1) lookups and inserts over fixed arrays. Only authenticated
    /// frames are inserted, so a forger cannot poison the cache to suppress a real frame.
    /// </summary>
    public sealed class DuplicateCache
    {
        public const int Ways = 4;

        private readonly uint[] _origins;
        private readonly uint[] _sequences;
        private readonly uint[] _stamps;
        private readonly int _setMask;
        private uint _clock;

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
            _stamps = new uint[sets * Ways];
            _setMask = sets - 1;
        }

        public int Capacity
        {
            get { return _origins.Length; }
        }

        public bool Contains(uint origin, uint sequence)
        {
            int b = SetOf(origin, sequence) * Ways;
            for (int i = b; i < b + Ways; i++)
            {
                // Stamp 0 marks an empty way; the clock starts at 1 and skips 0 on wrap.
                if (_stamps[i] != 0 && _origins[i] == origin && _sequences[i] == sequence)
                {
                    return true;
                }
            }

            return false;
        }

        public void Add(uint origin, uint sequence)
        {
            int b = SetOf(origin, sequence) * Ways;
            int victim = b;
            uint victimAge = 0;
            for (int i = b; i < b + Ways; i++)
            {
                if (_stamps[i] == 0)
                {
                    victim = i;
                    break;
                }

                if (_origins[i] == origin && _sequences[i] == sequence)
                {
                    return;
                }

                uint age = _clock - _stamps[i];
                if (age >= victimAge)
                {
                    victim = i;
                    victimAge = age;
                }
            }

            _origins[victim] = origin;
            _sequences[victim] = sequence;
            if (++_clock == 0)
            {
                _clock = 1;
            }

            _stamps[victim] = _clock;
        }

        private int SetOf(uint origin, uint sequence)
        {
            uint h = (origin * 2654435769u) ^ (sequence * 0x85EBCA6Bu);
            h ^= h >> 15;
            return (int)(h & (uint)_setMask);
        }
    }
}
