namespace Mesh.Simulator.Engine
{
    public enum EventKind : byte
    {
        Wake = 0,
        TransmissionEnd = 1,
        Crash = 2,
        Restart = 3,
        Broadcast = 4,
        Command = 5,
        ReplayFrame = 6,
        Forge = 7,
        Move = 8,
        Babble = 9,

        /// <summary>Tamperer, echo, reboot replayer and insider actions (Simulation.AdversaryKinds).</summary>
        Adversary = 10,
    }

    /// <summary>One scheduled event: 24 bytes, with kind, node and argument packed into one word.</summary>
    public readonly struct SimEvent
    {
        public readonly long TimeUs;
        public readonly long Order;
        private readonly ulong _packed;

        public SimEvent(long timeUs, long order, EventKind kind, int node, int arg)
        {
            TimeUs = timeUs;
            Order = order;
            _packed = (ulong)kind << 56 | (ulong)(uint)node << 32 | (uint)arg;
        }

        public EventKind Kind => (EventKind)(_packed >> 56);

        /// <summary>Node index (up to 2^24, far above the scenario limit of 100,000).</summary>
        public int Node => (int)((_packed >> 32) & 0xFF_FFFF);

        public int Arg => (int)(uint)_packed;
    }

    /// <summary>
    /// Four-ary min-heap of events by (time, insertion order): ties resolve in the order events were
    /// scheduled, so a run is a pure function of its scenario and seed. Four children per node halve
    /// the depth of a binary heap, and the four sit in one or two cache lines.
    /// </summary>
    public sealed class EventHeap
    {
        private SimEvent[] _items = new SimEvent[1024];
        private int _count;
        private long _order;

        public int Count => _count;

        public void Push(long timeUs, EventKind kind, int node, int arg)
        {
            if (_count == _items.Length)
            {
                System.Array.Resize(ref _items, _items.Length * 2);
            }

            var e = new SimEvent(timeUs, _order++, kind, node, arg);
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 2;
                if (!Less(e, _items[parent]))
                {
                    break;
                }

                _items[i] = _items[parent];
                i = parent;
            }

            _items[i] = e;
        }

        public SimEvent Pop()
        {
            SimEvent top = _items[0];
            int count = --_count;
            if (count == 0)
            {
                return top;
            }

            SimEvent last = _items[count];
            int i = 0;
            while (true)
            {
                int first = (i << 2) + 1;
                if (first >= count)
                {
                    break;
                }

                int best = first;
                int end = first + 4 < count ? first + 4 : count;
                for (int c = first + 1; c < end; c++)
                {
                    if (Less(_items[c], _items[best]))
                    {
                        best = c;
                    }
                }

                if (!Less(_items[best], last))
                {
                    break;
                }

                _items[i] = _items[best];
                i = best;
            }

            _items[i] = last;
            return top;
        }

        public long PeekTime => _items[0].TimeUs;

        /// <summary>
        /// Drops every event <paramref name="isStale"/> says will be ignored when popped, and rebuilds the
        /// heap. Events keep their (time, order) keys, which are unique, so the events that remain pop in
        /// exactly the order they would have. Returns how many dropped events were due at or before
        /// <paramref name="countUntil"/> (those a run to that time would have popped).
        /// </summary>
        public long RemoveWhere(System.Func<SimEvent, bool> isStale, long countUntil)
        {
            long dueRemoved = 0;
            int kept = 0;
            for (int i = 0; i < _count; i++)
            {
                SimEvent e = _items[i];
                if (isStale(e))
                {
                    if (e.TimeUs <= countUntil)
                    {
                        dueRemoved++;
                    }

                    continue;
                }

                _items[kept++] = e;
            }

            _count = kept;
            for (int i = (kept - 2) >> 2; i >= 0; i--)
            {
                SiftDown(i);
            }

            return dueRemoved;
        }

        private void SiftDown(int i)
        {
            SimEvent item = _items[i];
            while (true)
            {
                int first = (i << 2) + 1;
                if (first >= _count)
                {
                    break;
                }

                int best = first;
                int end = first + 4 < _count ? first + 4 : _count;
                for (int c = first + 1; c < end; c++)
                {
                    if (Less(_items[c], _items[best]))
                    {
                        best = c;
                    }
                }

                if (!Less(_items[best], item))
                {
                    break;
                }

                _items[i] = _items[best];
                i = best;
            }

            _items[i] = item;
        }

        private static bool Less(in SimEvent a, in SimEvent b)
        {
            return a.TimeUs < b.TimeUs || (a.TimeUs == b.TimeUs && a.Order < b.Order);
        }
    }
}
