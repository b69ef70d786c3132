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
                if (_origins[i] == origin && _sequences[i] == sequence && origin != 0)
                {
                    return true;
                }
            }

            return false;
        }

        public void Add(uint origin, uint sequence)
        {
            int set = SetOf(origin, sequence);
            int b = set * Ways;
            for (int i = b; i < b + Ways; i++)
            {
                if (_origins[i] == origin && _sequences[i] == sequence)
                {
                    return;
                }
            }

            // Ways fill in order and are then recycled oldest first.
            int victim = b + _nextVictim[set];
            _nextVictim[set] = (byte)((_nextVictim[set] + 1) % Ways);
            _origins[victim] = origin;
            _sequences[victim] = sequence;
        }

        private int SetOf(uint origin, uint sequence)
        {
            uint h = (origin * 2654435769u) ^ (sequence * 0x85EBCA6Bu);
            h ^= h >> 15;
            return (int)(h & (uint)_setMask);
        }
    }
}
