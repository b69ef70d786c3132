namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Which command counters this node executed, per commander (a gateway): the highest and a 64-bit
    /// bitmap below it, like the replay window — commands a gateway sends close together may overtake
    /// each other on different paths, and both must run once. The highest counter is persisted by the
    /// application (SettingsChanged / CommandCounter) and handed back at start-up with the whole window
    /// marked executed, so after a restart nothing at or below it runs again.
    /// A handful of slots: only gateways can seal commands to a node. When a new commander needs a slot
    /// and none is free the least recently used one is recycled; that commander's old commands are then
    /// refused by the freshness window alone (PROTOCOL.md).
    /// </summary>
    internal sealed class CommandCounters
    {
        public const int Window = 64;

        // A linear table: a few commanders, so a hashed KeySlots (8 slots at least) would only cost memory.
        private readonly uint[] _commander;
        private readonly uint[] _highest;
        private readonly ulong[] _executed;
        private readonly uint[] _lastUse;
        private uint _clock;

        public CommandCounters(int capacity)
        {
            _commander = new uint[capacity];
            _highest = new uint[capacity];
            _executed = new ulong[capacity];
            _lastUse = new uint[capacity];
        }

        private int Find(uint commander)
        {
            for (int i = 0; i < _commander.Length; i++)
            {
                if (_commander[i] == commander && commander != 0)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The commander's slot, claiming a free or the least recently used one when absent.</summary>
        private int FindOrClaim(uint commander, out bool claimed)
        {
            int s = Find(commander);
            claimed = s < 0;
            if (claimed)
            {
                s = 0;
                for (int i = 0; i < _commander.Length; i++)
                {
                    if (_commander[i] == 0)
                    {
                        s = i;
                        break;
                    }

                    if (_clock - _lastUse[i] > _clock - _lastUse[s])
                    {
                        s = i;
                    }
                }

                _commander[s] = commander;
            }

            _lastUse[s] = ++_clock;
            return s;
        }

        /// <summary>Whether <paramref name="counter"/> from <paramref name="commander"/> was executed (or is too old to tell).</summary>
        public bool WasExecuted(uint commander, uint counter)
        {
            int s = Find(commander);
            if (s < 0 || counter > _highest[s])
            {
                return false;
            }

            uint back = _highest[s] - counter;
            return back >= Window || ((_executed[s] >> (int)back) & 1UL) != 0;
        }

        /// <summary>The highest counter executed from <paramref name="commander"/>, 0 if none is known.</summary>
        public uint Highest(uint commander)
        {
            int s = Find(commander);
            return s < 0 ? 0 : _highest[s];
        }

        public void Record(uint commander, uint counter)
        {
            bool claimed;
            int s = FindOrClaim(commander, out claimed);
            if (claimed)
            {
                _highest[s] = counter;
                _executed[s] = 1UL;
                return;
            }

            if (counter > _highest[s])
            {
                uint shift = counter - _highest[s];
                _executed[s] = shift >= Window ? 1UL : (_executed[s] << (int)shift) | 1UL;
                _highest[s] = counter;
            }
            else if (_highest[s] - counter < Window)
            {
                _executed[s] |= 1UL << (int)(_highest[s] - counter);
            }
        }

        /// <summary>Restores a persisted highest counter: everything at or below it counts as executed.</summary>
        public void Restore(uint commander, uint highest)
        {
            bool claimed;
            int s = FindOrClaim(commander, out claimed);
            if (claimed || highest >= _highest[s])
            {
                _highest[s] = highest;
                _executed[s] = ulong.MaxValue;
            }
        }
    }
}
