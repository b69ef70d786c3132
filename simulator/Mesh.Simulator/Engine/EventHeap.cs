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
    }

    public struct SimEvent
    {
        public long TimeUs;
        public long Order;
        public EventKind Kind;
        public int Node;
        public int Arg;
    }

    /// <summary>
    /// Binary min-heap of events by (time, insertion order): ties resolve in the order events were
    /// scheduled, so a run is a pure function of its scenario and seed.
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

            var e = new SimEvent { TimeUs = timeUs, Order = _order++, Kind = kind, Node = node, Arg = arg };
            int i = _count++;
            while (i > 0)
            {
                int parent = (i - 1) >> 1;
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
            SimEvent last = _items[--_count];
            int i = 0;
            while (true)
            {
                int child = 2 * i + 1;
                if (child >= _count)
                {
                    break;
                }

                if (child + 1 < _count && Less(_items[child + 1], _items[child]))
                {
                    child++;
                }

                if (!Less(_items[child], last))
                {
                    break;
                }

                _items[i] = _items[child];
                i = child;
            }

            if (_count > 0)
            {
                _items[i] = last;
            }

            return top;
        }

        public long PeekTime => _items[0].TimeUs;

        private static bool Less(in SimEvent a, in SimEvent b)
        {
            return a.TimeUs < b.TimeUs || (a.TimeUs == b.TimeUs && a.Order < b.Order);
        }
    }
}
