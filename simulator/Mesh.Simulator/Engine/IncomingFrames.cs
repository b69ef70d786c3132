using System;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// The frames arriving at every receiver, in one array of structs: node i's frames are the
    /// <see cref="Count"/>(i) entries from i·capacity. A frame arrival touches this array and nothing
    /// else per receiver (no node object, no list object). When a receiver needs more room than any
    /// before, every row grows together. Removal swaps the last entry in, as a list's would.
    /// </summary>
    public sealed class IncomingFrames
    {
        private Incoming[] _slots;
        private readonly int[] _count;
        private int _capacity;

        public IncomingFrames(int nodes, int capacity = 8)
        {
            _capacity = capacity;
            _count = new int[nodes];
            _slots = new Incoming[nodes * capacity];
        }

        public int Count(int node) => _count[node];

        /// <summary>The frames on the air at <paramref name="node"/>, to read and update in place.</summary>
        public Span<Incoming> Of(int node) => _slots.AsSpan(node * _capacity, _count[node]);

        public void Add(int node, in Incoming frame)
        {
            if (_count[node] == _capacity)
            {
                Grow();
            }

            _slots[node * _capacity + _count[node]++] = frame;
        }

        public void RemoveAt(int node, int k)
        {
            int last = --_count[node];
            _slots[node * _capacity + k] = _slots[node * _capacity + last];
        }

        public void Clear(int node) => _count[node] = 0;

        /// <summary>
        /// Takes transmission <paramref name="tx"/>'s frame out of <paramref name="node"/>'s row (the
        /// last entry moves into its place); false when it is not there. One pass over the row, in place:
        /// the end of every transmission does this once per link.
        /// </summary>
        public bool TryRemove(int node, int tx, out Incoming found)
        {
            int start = node * _capacity;
            int count = _count[node];
            Incoming[] slots = _slots;
            for (int k = start; k < start + count; k++)
            {
                if (slots[k].Transmission == tx)
                {
                    found = slots[k];
                    int last = start + count - 1;
                    slots[k] = slots[last];
                    _count[node] = count - 1;
                    return true;
                }
            }

            found = default;
            return false;
        }

        private void Grow()
        {
            int capacity = _capacity * 2;
            var slots = new Incoming[_count.Length * capacity];
            for (int i = 0; i < _count.Length; i++)
            {
                Array.Copy(_slots, i * _capacity, slots, i * capacity, _count[i]);
            }

            _slots = slots;
            _capacity = capacity;
        }
    }
}
