using Mesh.Protocol.Tables;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// The last command counter this node executed, per commander (a gateway). Persisted by the
    /// application (SettingsChanged / CommandCounter) and handed back at start-up, so no command is
    /// executed twice across restarts. A handful of slots: only gateways can seal commands to a node.
    /// When a new commander needs a slot and none is free the least recently used one is recycled; that
    /// commander's old commands are then refused by the freshness window alone (PROTOCOL.md).
    /// </summary>
    internal sealed class CommandCounters
    {
        private readonly KeySlots _slots;
        private readonly uint[] _counter;

        public CommandCounters(int capacity)
        {
            _slots = new KeySlots(capacity);
            _counter = new uint[_slots.Capacity];
        }

        /// <summary>The last counter executed from <paramref name="commander"/>, 0 if none is known.</summary>
        public uint Last(uint commander)
        {
            int s = _slots.Find(commander);
            return s < 0 ? 0 : _counter[s];
        }

        public void Record(uint commander, uint counter)
        {
            bool claimed;
            int s = _slots.FindOrClaim(commander, out claimed);
            if (claimed || counter > _counter[s])
            {
                _counter[s] = counter;
            }
        }
    }
}
