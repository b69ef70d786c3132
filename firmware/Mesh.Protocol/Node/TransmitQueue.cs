using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Frames waiting for their send time, in preallocated 250-byte slots. A relayed frame may be
    /// cancelled while it waits (managed flooding); the earliest due frame leaves first, ties in
    /// insertion order so runs are deterministic.
    /// </summary>
    public sealed class TransmitQueue
    {
        /// <summary>Distinct relayers remembered per waiting frame; a cancel threshold above it acts as this many.</summary>
        public const int TrackedRelayers = 4;

        private readonly byte[][] _buffers;
        private readonly int[] _length;
        private readonly long[] _dueMs;
        private readonly uint[] _origin;
        private readonly uint[] _sequence;
        private readonly int[] _heard;

        // The distinct relayers heard per slot: two echoes of one relayer's copy must not cancel a relay.
        private readonly uint[] _heardFrom;
        private readonly int[] _cancelAfter;
        private readonly uint[] _order;
        private readonly bool[] _used;
        private uint _stamp;

        public TransmitQueue(int capacity)
        {
            _buffers = new byte[capacity][];
            for (int i = 0; i < capacity; i++)
            {
                _buffers[i] = new byte[FrameLayout.MaxFrameSize];
            }

            _length = new int[capacity];
            _dueMs = new long[capacity];
            _origin = new uint[capacity];
            _sequence = new uint[capacity];
            _heard = new int[capacity];
            _heardFrom = new uint[capacity * TrackedRelayers];
            _cancelAfter = new int[capacity];
            _order = new uint[capacity];
            _used = new bool[capacity];
        }

        public int Capacity
        {
            get { return _buffers.Length; }
        }

        public int Count
        {
            get
            {
                int n = 0;
                for (int i = 0; i < _used.Length; i++)
                {
                    if (_used[i])
                    {
                        n++;
                    }
                }

                return n;
            }
        }

        /// <summary>A free slot index, or -1. The slot is not taken until <see cref="Schedule"/>.</summary>
        public int FindFree()
        {
            for (int i = 0; i < _used.Length; i++)
            {
                if (!_used[i])
                {
                    return i;
                }
            }

            return -1;
        }

        public byte[] BufferOf(int slot)
        {
            return _buffers[slot];
        }

        /// <param name="cancelAfter">Copies heard from others that cancel this frame; 0 never.</param>
        public void Schedule(int slot, int length, long dueMs, uint origin, uint sequence, int cancelAfter)
        {
            _length[slot] = length;
            _dueMs[slot] = dueMs;
            _origin[slot] = origin;
            _sequence[slot] = sequence;
            _heard[slot] = 0;
            _cancelAfter[slot] = cancelAfter;
            _order[slot] = _stamp++;
            _used[slot] = true;
        }

        /// <summary>The waiting slot that carries (origin, sequence) and can still be cancelled, or -1.</summary>
        public int FindCancellable(uint origin, uint sequence)
        {
            for (int i = 0; i < _used.Length; i++)
            {
                if (_used[i] && _cancelAfter[i] > 0 && _origin[i] == origin && _sequence[i] == sequence)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>
        /// Counts a copy heard from <paramref name="relayer"/> (an authenticated previous hop); true when
        /// that cancelled the frame. A relayer already counted for this frame counts once only.
        /// </summary>
        public bool NoteHeard(int slot, uint relayer)
        {
            int b = slot * TrackedRelayers;
            int n = _heard[slot];
            for (int i = 0; i < n && i < TrackedRelayers; i++)
            {
                if (_heardFrom[b + i] == relayer)
                {
                    return false;
                }
            }

            _heardFrom[b + n] = relayer;
            _heard[slot] = n + 1;
            if (_heard[slot] >= _cancelAfter[slot] || _heard[slot] == TrackedRelayers)
            {
                _used[slot] = false;
                return true;
            }

            return false;
        }

        public long NextDueMs
        {
            get
            {
                long next = long.MaxValue;
                for (int i = 0; i < _used.Length; i++)
                {
                    if (_used[i] && _dueMs[i] < next)
                    {
                        next = _dueMs[i];
                    }
                }

                return next;
            }
        }

        /// <summary>Copies out the earliest frame due at <paramref name="nowMs"/> and frees its slot.</summary>
        public bool TryTake(long nowMs, byte[] output, int outputOffset, out int length)
        {
            int best = -1;
            for (int i = 0; i < _used.Length; i++)
            {
                if (_used[i] && _dueMs[i] <= nowMs
                    && (best < 0 || _dueMs[i] < _dueMs[best] || (_dueMs[i] == _dueMs[best] && (int)(_order[i] - _order[best]) < 0)))
                {
                    best = i;
                }
            }

            if (best < 0)
            {
                length = 0;
                return false;
            }

            length = _length[best];
            System.Array.Copy(_buffers[best], 0, output, outputOffset, length);
            _used[best] = false;
            return true;
        }
    }
}
