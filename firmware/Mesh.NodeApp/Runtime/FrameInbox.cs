using Mesh.Protocol.Wire;

namespace Mesh.NodeApp.Runtime
{
    /// <summary>
    /// Received frames waiting for the node loop: a fixed ring of frame-sized slots filled from the radio's
    /// thread and drained by the loop. Nothing is allocated after construction; when the ring is full the
    /// newest frame is dropped and counted (in a flooding mesh a copy usually comes again).
    /// </summary>
    public sealed class FrameInbox
    {
        private readonly object _lock = new object();
        private readonly byte[][] _slots;
        private readonly int[] _lengths;
        private readonly int[] _rssi;
        private int _head;
        private int _count;

        public FrameInbox(int capacity)
        {
            _slots = new byte[capacity][];
            for (int i = 0; i < capacity; i++)
            {
                _slots[i] = new byte[FrameLayout.MaxFrameSize];
            }

            _lengths = new int[capacity];
            _rssi = new int[capacity];
        }

        public long Dropped { get; private set; }

        public long Accepted { get; private set; }

        public int Count
        {
            get
            {
                lock (_lock)
                {
                    return _count;
                }
            }
        }

        /// <summary>Copies the frame in; false (and counted) when full or when the frame is too long to be one.</summary>
        public bool TryPut(byte[] frame, int offset, int length, int rssi)
        {
            lock (_lock)
            {
                if (_count == _slots.Length || length <= 0 || length > FrameLayout.MaxFrameSize)
                {
                    Dropped++;
                    return false;
                }

                int tail = (_head + _count) % _slots.Length;
                System.Array.Copy(frame, offset, _slots[tail], 0, length);
                _lengths[tail] = length;
                _rssi[tail] = rssi;
                _count++;
                Accepted++;
                return true;
            }
        }

        /// <summary>Copies the oldest frame into <paramref name="into"/>; false when empty.</summary>
        public bool TryTake(byte[] into, out int length, out int rssi)
        {
            lock (_lock)
            {
                if (_count == 0)
                {
                    length = 0;
                    rssi = 0;
                    return false;
                }

                length = _lengths[_head];
                rssi = _rssi[_head];
                System.Array.Copy(_slots[_head], 0, into, 0, length);
                _head = (_head + 1) % _slots.Length;
                _count--;
                return true;
            }
        }
    }
}
