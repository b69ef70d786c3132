using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// Upward frames sent to a parent and not yet acknowledged (passively, by hearing the parent forward
    /// them, or by a hop ack): a copy of each frame as sent, its next hop, the retries and parents tried,
    /// and when to give up waiting. Fixed slots whose copies share one buffer of NodeConfig.UpwardBytes
    /// (the core: 48 slots in the bytes of sixteen full frames): a reading frame is 40–90 bytes, not the 250 a
    /// frame may take, so a board keeps six slots in the bytes of two full frames and a long frame
    /// evicts, as a new frame does when every slot is taken. Copies are packed when a new one does not
    /// fit after the last (at most the buffer moved, once per such frame).
    /// </summary>
    public sealed class UpwardFrames
    {
        private readonly byte[] _bytes;
        private readonly int[] _offset;
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

        // The first byte after the copy placed last; bytes below it may be free (released copies) until packed.
        private int _end;

        /// <param name="capacity">Slots (frames awaited at once).</param>
        /// <param name="bytes">The shared buffer; at least one full frame (FrameLayout.MaxFrameSize), else capacity full frames.</param>
        public UpwardFrames(int capacity, int bytes)
        {
            _bytes = new byte[bytes >= FrameLayout.MaxFrameSize ? bytes : capacity * FrameLayout.MaxFrameSize];
            _offset = new int[capacity];
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

        /// <summary>Bytes the copies share.</summary>
        public int Bytes
        {
            get { return _bytes.Length; }
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

        /// <summary>Whether a copy of <paramref name="length"/> bytes can be kept now: a slot is free and the copies leave room for it.</summary>
        public bool HasRoom(int length)
        {
            bool free = false;
            int taken = 0;
            for (int i = 0; i < _used.Length; i++)
            {
                if (_used[i])
                {
                    taken += _length[i];
                }
                else
                {
                    free = true;
                }
            }

            return free && taken + length <= _bytes.Length;
        }

        /// <summary>The frame to give up for a new one when there is no room: the one closest to giving up (the least likely to still need us). -1 when none is kept.</summary>
        public int Victim()
        {
            int victim = -1;
            for (int i = 0; i < _used.Length; i++)
            {
                if (_used[i] && (victim < 0 || _deadlineMs[i] < _deadlineMs[victim]))
                {
                    victim = i;
                }
            }

            return victim;
        }

        /// <summary>Gives up slot <paramref name="slot"/>'s retransmission state for a new frame (counted in <see cref="Evicted"/>).</summary>
        public void Evict(int slot)
        {
            Evicted++;
            Release(slot);
        }

        /// <summary>A free slot (call after <see cref="HasRoom"/>).</summary>
        public int FreeSlot()
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

        /// <summary>Frames whose retransmission state was given up for a new one (no slot or no room: <see cref="Evict"/>).</summary>
        public long Evicted;

        /// <summary>Keeps a copy of <paramref name="length"/> bytes of <paramref name="frame"/>, sent to <paramref name="nextHop"/>.</summary>
        public void Track(int slot, byte[] frame, int offset, int length, uint origin, uint sequence, uint nextHop, long deadlineMs)
        {
            if (_end + length > _bytes.Length)
            {
                Pack();
            }

            _offset[slot] = _end;
            _end += length;
            System.Array.Copy(frame, offset, _bytes, _offset[slot], length);
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

        /// <summary>The buffer holding slot <paramref name="slot"/>'s copy, at <see cref="OffsetOf"/>; valid until the next <see cref="Track"/>.</summary>
        public byte[] FrameOf(int slot)
        {
            return _bytes;
        }

        public int OffsetOf(int slot)
        {
            return _offset[slot];
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

        /// <summary>Moves the kept copies to the front of the buffer in their order, leaving the free bytes after them.</summary>
        private void Pack()
        {
            int to = 0;
            int from = -1;
            while (true)
            {
                // The used copy lowest in the buffer above the last one moved.
                int next = -1;
                for (int i = 0; i < _used.Length; i++)
                {
                    if (_used[i] && _offset[i] > from && (next < 0 || _offset[i] < _offset[next]))
                    {
                        next = i;
                    }
                }

                if (next < 0)
                {
                    break;
                }

                from = _offset[next];
                if (from != to)
                {
                    System.Array.Copy(_bytes, from, _bytes, to, _length[next]);
                    _offset[next] = to;
                }

                to += _length[next];
            }

            _end = to;
        }
    }
}
