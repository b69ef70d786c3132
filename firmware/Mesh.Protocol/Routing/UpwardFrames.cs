using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// Upward frames sent to a parent and not yet acknowledged (passively, by hearing the parent forward
    /// them, or by a hop ack): a copy of each frame as sent, its next hop, the retries and parents tried,
    /// and when to give up waiting. Fixed slots, each with its own 250-byte buffer.
    /// </summary>
    public sealed class UpwardFrames
    {
        private readonly byte[][] _frames;
        private readonly int[] _length;
        private readonly uint[] _origin;
        private readonly uint[] _sequence;
        private readonly uint[] _nextHop;
        private readonly byte[] _attempts;
        private readonly byte[] _switches;
        private readonly long[] _deadlineMs;
        private readonly bool[] _used;

        // Whether the kept frame went on air to its current next hop (false: kept while the queue was full).
        private readonly bool[] _sent;

        // When it last went on air (the hop-ack delay a gateway's child measures: Karn's rule, first attempts only).
        private readonly long[] _sentMs;

        public UpwardFrames(int capacity)
        {
            _frames = new byte[capacity][];
            for (int i = 0; i < capacity; i++)
            {
                _frames[i] = new byte[FrameLayout.MaxFrameSize];
            }

            _length = new int[capacity];
            _origin = new uint[capacity];
            _sequence = new uint[capacity];
            _nextHop = new uint[capacity];
            _attempts = new byte[capacity];
            _switches = new byte[capacity];
            _deadlineMs = new long[capacity];
            _used = new bool[capacity];
            _sent = new bool[capacity];
            _sentMs = new long[capacity];
        }

        public int Capacity
        {
            get { return _used.Length; }
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

        public int Find(uint origin, uint sequence)
        {
            for (int i = 0; i < _used.Length; i++)
            {
                if (_used[i] && _origin[i] == origin && _sequence[i] == sequence)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>
        /// A slot for a new frame: a free one, else the one closest to giving up (its frame is the
        /// least likely to still need us). Never -1.
        /// </summary>
        public int Claim()
        {
            int victim = 0;
            for (int i = 0; i < _used.Length; i++)
            {
                if (!_used[i])
                {
                    return i;
                }

                if (_deadlineMs[i] < _deadlineMs[victim])
                {
                    victim = i;
                }
            }

            Evicted++;
            return victim;
        }

        /// <summary>Frames whose retransmission state <see cref="Claim"/> gave up for a new one (every slot was taken).</summary>
        public long Evicted;

        /// <summary>Keeps a copy of <paramref name="length"/> bytes of <paramref name="frame"/>, sent to <paramref name="nextHop"/>.</summary>
        public void Track(int slot, byte[] frame, int offset, int length, uint origin, uint sequence, uint nextHop, long deadlineMs)
        {
            System.Array.Copy(frame, offset, _frames[slot], 0, length);
            _length[slot] = length;
            _origin[slot] = origin;
            _sequence[slot] = sequence;
            _nextHop[slot] = nextHop;
            _attempts[slot] = 0;
            _switches[slot] = 0;
            _deadlineMs[slot] = deadlineMs;
            _sent[slot] = false;
            _used[slot] = true;
        }

        public bool SentOf(int slot)
        {
            return _sent[slot];
        }

        /// <summary>The kept frame went on air (is queued to leave) at <paramref name="atMs"/>.</summary>
        public void MarkSent(int slot, long atMs)
        {
            _sent[slot] = true;
            _sentMs[slot] = atMs;
        }

        public long SentAtOf(int slot)
        {
            return _sentMs[slot];
        }

        public void MarkUnsent(int slot)
        {
            _sent[slot] = false;
        }

        /// <summary>A later deadline without using up a retry (nothing was sent).</summary>
        public void Postpone(int slot, long deadlineMs)
        {
            _deadlineMs[slot] = deadlineMs;
        }

        public void Release(int slot)
        {
            _used[slot] = false;
        }

        public bool IsUsed(int slot)
        {
            return _used[slot];
        }

        public byte[] FrameOf(int slot)
        {
            return _frames[slot];
        }

        public int LengthOf(int slot)
        {
            return _length[slot];
        }

        public uint OriginOf(int slot)
        {
            return _origin[slot];
        }

        public uint SequenceOf(int slot)
        {
            return _sequence[slot];
        }

        public uint NextHopOf(int slot)
        {
            return _nextHop[slot];
        }

        public int AttemptsOf(int slot)
        {
            return _attempts[slot];
        }

        public int SwitchesOf(int slot)
        {
            return _switches[slot];
        }

        public long DeadlineOf(int slot)
        {
            return _deadlineMs[slot];
        }

        /// <summary>One more retransmission to the same next hop.</summary>
        public void Retried(int slot, long deadlineMs)
        {
            _attempts[slot]++;
            _deadlineMs[slot] = deadlineMs;
        }

        /// <summary>The next hop failed; the frame now goes to <paramref name="nextHop"/>, retries counted afresh.</summary>
        public void Switched(int slot, uint nextHop, long deadlineMs)
        {
            _switches[slot]++;
            _attempts[slot] = 0;
            _nextHop[slot] = nextHop;
            _deadlineMs[slot] = deadlineMs;
        }

        public long EarliestDeadline(long orElse)
        {
            long next = orElse;
            for (int i = 0; i < _used.Length; i++)
            {
                if (_used[i] && _deadlineMs[i] < next)
                {
                    next = _deadlineMs[i];
                }
            }

            return next;
        }
    }
}
