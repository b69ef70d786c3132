using Mesh.Protocol.Messages;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// A gateway's hop acks waiting to leave as one frame (PROTOCOL.md "7 · Hop ack", bundles): every
    /// upward frame a gateway consumes costs an explicit hop ack — the last hop has no forward to overhear —
    /// so a gateway collects the entries for up to <c>HopAckBundleMs</c> (or until 8 are waiting) and sends
    /// them together, addressed to their one previous hop or, when they are for several, to every neighbour.
    /// Children of a gateway wait that much longer for it. Fixed arrays.
    /// </summary>
    public sealed class HopAckBundle
    {
        private readonly uint[] _to = new uint[HopAck.MaxEntries];
        private readonly uint[] _origin = new uint[HopAck.MaxEntries];
        private readonly uint[] _sequence = new uint[HopAck.MaxEntries];
        private int _count;
        private long _dueMs = long.MaxValue;

        public int Count
        {
            get { return _count; }
        }

        /// <summary>When the bundle must leave (long.MaxValue while empty).</summary>
        public long DueMs
        {
            get { return _dueMs; }
        }

        public bool IsFull
        {
            get { return _count == HopAck.MaxEntries; }
        }

        /// <summary>Adds an entry for <paramref name="to"/> (a repeat of one waiting is not added twice); the first entry sets the due time.</summary>
        public void Add(uint to, uint origin, uint sequence, long dueMs)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_to[i] == to && _origin[i] == origin && _sequence[i] == sequence)
                {
                    return;
                }
            }

            if (_count == 0)
            {
                _dueMs = dueMs;
            }

            _to[_count] = to;
            _origin[_count] = origin;
            _sequence[_count] = sequence;
            _count++;
        }

        /// <summary>Moves the entries into <paramref name="into"/> and empties the bundle; returns the destination (the one previous hop, or broadcast).</summary>
        public uint TakeInto(HopAck into)
        {
            uint to = _count > 0 ? _to[0] : NodeAddress.Broadcast;
            for (int i = 0; i < _count; i++)
            {
                into.Origins[i] = _origin[i];
                into.Sequences[i] = _sequence[i];
                if (_to[i] != to)
                {
                    to = NodeAddress.Broadcast;
                }
            }

            into.Count = _count;
            _count = 0;
            _dueMs = long.MaxValue;
            return to;
        }
    }
}
