namespace Mesh.Protocol.Tables
{
    /// <summary>
    /// A fixed-capacity map from a non-zero 32-bit key (a node id) to a slot number, for tables that keep
    /// their values in parallel arrays. Key 0 marks a free slot. Open addressing with a bounded probe window: lookups touch at most
    /// <see cref="ProbeWindow"/> slots (O(1)), and when the window is full the least recently used slot
    /// in it is recycled. Lookups scan the whole window, so releasing a slot never breaks a chain.
    /// </summary>
    public sealed class KeySlots
    {
        public const int ProbeWindow = 8;

        private readonly uint[] _keys;
        private readonly uint[] _lastUse;
        private readonly int _mask;
        private uint _clock;

        public KeySlots(int capacity)
        {
            int size = 1;
            while (size < capacity)
            {
                size <<= 1;
            }

            if (size < ProbeWindow)
            {
                size = ProbeWindow;
            }

            _keys = new uint[size];
            _lastUse = new uint[size];
            _mask = size - 1;
        }

        public int Capacity
        {
            get { return _keys.Length; }
        }

        public bool IsUsed(int slot)
        {
            return _keys[slot] != 0;
        }

        public uint KeyAt(int slot)
        {
            return _keys[slot];
        }

        public int Find(uint key)
        {
            int start = Home(key);
            for (int i = 0; i < ProbeWindow; i++)
            {
                int s = (start + i) & _mask;
                if (_keys[s] == key && key != 0)
                {
                    return s;
                }
            }

            return -1;
        }

        /// <summary>
        /// Returns the slot holding <paramref name="key"/>, claiming one if absent. When a slot is claimed,
        /// <paramref name="claimed"/> is true and the caller must initialise its values (a recycled slot
        /// still holds the evicted key's values).
        /// </summary>
        /// <remarks>Key 0 is reserved for free slots; callers pass valid node ids only.</remarks>
        public int FindOrClaim(uint key, out bool claimed)
        {
            return FindOrClaim(key, 0, out claimed);
        }

        /// <summary>
        /// As <see cref="FindOrClaim(uint, out bool)"/>, but the slot holding <paramref name="keep"/> (0: none) is
        /// never the one recycled: a table pins the entry the node relies on (its parent) against a crowd of newcomers.
        /// </summary>
        public int FindOrClaim(uint key, uint keep, out bool claimed)
        {
            int start = Home(key);
            int free = -1;
            int oldest = -1;
            uint oldestAge = 0;
            for (int i = 0; i < ProbeWindow; i++)
            {
                int s = (start + i) & _mask;
                if (_keys[s] != 0)
                {
                    if (_keys[s] == key)
                    {
                        claimed = false;
                        _lastUse[s] = ++_clock;
                        return s;
                    }

                    uint age = _clock - _lastUse[s];
                    if ((oldest < 0 || age > oldestAge) && _keys[s] != keep)
                    {
                        oldest = s;
                        oldestAge = age;
                    }
                }
                else if (free < 0)
                {
                    free = s;
                }
            }

            int slot = free >= 0 ? free : oldest;
            _keys[slot] = key;
            _lastUse[slot] = ++_clock;
            claimed = true;
            return slot;
        }

        public void Touch(int slot)
        {
            _lastUse[slot] = ++_clock;
        }

        public void Release(int slot)
        {
            _keys[slot] = 0;
        }

        private int Home(uint key)
        {
            // Fibonacci hashing spreads sequential node ids across the table.
            return (int)((key * 2654435769u) >> 8) & _mask;
        }
    }
}
