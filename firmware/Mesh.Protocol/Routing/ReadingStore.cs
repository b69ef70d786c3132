using Mesh.Protocol.Messages;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// Store and forward (PROTOCOL.md, "Structured routing"): this node's own readings kept while it has no
    /// route to a gateway, each as its plaintext items and the network time they were measured. A ring of
    /// <c>StoreSlots</c> fixed slots of <see cref="SlotBytes"/>; when full the oldest is dropped (counted).
    /// Allocated only with the rest of the routing state, on structured nodes that are not gateways.
    /// </summary>
    public sealed class ReadingStore
    {
        /// <summary>Item bytes a slot holds (the count byte and the measured-at item are not stored): 12 standard items.</summary>
        public const int SlotBytes = 64;

        private readonly byte[] _items;
        private readonly byte[] _itemCount;
        private readonly byte[] _length;
        private readonly uint[] _time;
        private readonly uint[] _sequence;
        private readonly int _capacity;
        private int _head;
        private int _count;

        /// <summary>When the next stored reading may be forwarded (they are paced).</summary>
        public long NextForwardMs;

        /// <summary>
        /// Consecutive forwarded stored readings that came back as a fallback flood (the route they took
        /// was broken again): each doubles the forwarding spacing, up to 2^<see cref="MaxBackoffDoublings"/>.
        /// </summary>
        public int Backoff;

        /// <summary>The last forwarded stored reading has not come back (yet): when the next is due, the backoff ends.</summary>
        public bool ForwardOutstanding;

        /// <summary>The forwarding spacing doubles at most this many times while forwarded readings keep coming back.</summary>
        public const int MaxBackoffDoublings = 3;

        // Counters.
        public long Stored;
        public long Dropped;
        public long Forwarded;

        /// <summary>Readings stored again because a relay's fallback flood brought them back (PROTOCOL.md, store and forward).</summary>
        public long Recovered;

        public ReadingStore(int capacity)
        {
            _capacity = capacity;
            _items = new byte[capacity * SlotBytes];
            _itemCount = new byte[capacity];
            _length = new byte[capacity];
            _time = new uint[capacity];
            _sequence = new uint[capacity];
        }

        public int Capacity
        {
            get { return _capacity; }
        }

        public int Count
        {
            get { return _count; }
        }

        /// <summary>The measured-at time of the oldest stored reading (Count must be positive).</summary>
        public uint OldestTime
        {
            get { return _time[_head]; }
        }

        /// <summary>Whether a stored reading was sent (or is about to be) as frame <paramref name="sequence"/> of this node.</summary>
        public bool Holds(uint sequence)
        {
            for (int i = 0; i < _count; i++)
            {
                if (_sequence[(_head + i) % _capacity] == sequence)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>
        /// Keeps a well-formed readings payload measured at network time <paramref name="time"/>, sent as this
        /// node's frame <paramref name="sequence"/>; a payload that already begins with a measured-at item keeps
        /// that item's time instead (a stored reading that failed on its way up again). Oldest dropped when
        /// full. False (counted as dropped) when it does not fit a slot or is not well formed.
        /// </summary>
        public bool Add(byte[] payload, int offset, int length, uint time, uint sequence)
        {
            if (_capacity == 0 || !ReadingSet.IsWellFormed(payload, offset, length))
            {
                Dropped++;
                return false;
            }

            int items = payload[offset];
            int p = offset + 1;
            if (items > 0 && payload[p] == ReadingSet.MeasuredAtCode)
            {
                time = LittleEndian.ReadUInt32(payload, p + 1);
                p += ReadingSet.MeasuredAtItemSize;
                items--;
            }

            int n = offset + length - p;
            if (items == 0 || n > SlotBytes || items >= ReadingSet.MaxItems)
            {
                Dropped++;
                return false;
            }

            if (_count == _capacity)
            {
                RemoveOldest();
                Dropped++;
            }

            int s = (_head + _count) % _capacity;
            System.Array.Copy(payload, p, _items, s * SlotBytes, n);
            _itemCount[s] = (byte)items;
            _length[s] = (byte)n;
            _time[s] = time;
            _sequence[s] = sequence;
            _count++;
            Stored++;
            return true;
        }

        /// <summary>Writes the oldest reading as a readings payload beginning with its measured-at item; its length.</summary>
        public int CopyOldest(byte[] into, int offset)
        {
            int s = _head;
            int n = _length[s];
            into[offset] = (byte)(_itemCount[s] + 1);
            into[offset + 1] = ReadingSet.MeasuredAtCode;
            LittleEndian.WriteUInt32(into, offset + 2, _time[s]);
            System.Array.Copy(_items, s * SlotBytes, into, offset + 1 + ReadingSet.MeasuredAtItemSize, n);
            return 1 + ReadingSet.MeasuredAtItemSize + n;
        }

        public void RemoveOldest()
        {
            if (_count == 0)
            {
                return;
            }

            _head = (_head + 1) % _capacity;
            _count--;
        }
    }
}
