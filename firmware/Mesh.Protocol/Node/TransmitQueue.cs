using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Frames waiting for their send time, in preallocated 250-byte slots. A relayed frame may be
    /// cancelled while it waits (managed flooding). Among the frames due, the lowest traffic class
    /// leaves first, then the earliest due, then the oldest (insertion order), so runs are deterministic.
    /// A frame that finds the queue full evicts the waiting frame of the highest class strictly above
    /// its own, the latest due (then the newest) among them (PROTOCOL.md, "Priority").
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
        private readonly byte[] _class;
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
            _class = new byte[capacity];
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

        /// <summary>
        /// A slot for a frame of <paramref name="trafficClass"/>: a free one, else the one whose frame it
        /// evicts (its class in <paramref name="evictedClass"/>, otherwise -1), else -1 (the new frame is
        /// dropped). The slot is not taken until <see cref="Schedule"/>.
        /// </summary>
        public int Acquire(int trafficClass, out int evictedClass)
        {
            evictedClass = -1;
            int free = FindFree();
            if (free >= 0)
            {
                return free;
            }

            int victim = -1;
            for (int i = 0; i < _used.Length; i++)
            {
                if (_class[i] <= trafficClass)
                {
                    continue;
                }

                if (victim < 0 || _class[i] > _class[victim]
                    || (_class[i] == _class[victim]
                        && (_dueMs[i] > _dueMs[victim] || (_dueMs[i] == _dueMs[victim] && (int)(_order[i] - _order[victim]) > 0))))
                {
                    victim = i;
                }
            }

            if (victim >= 0)
            {
                evictedClass = _class[victim];
                _used[victim] = false;
            }

            return victim;
        }

        public byte[] BufferOf(int slot)
        {
            return _buffers[slot];
        }

        /// <param name="cancelAfter">Copies heard from others that cancel this frame; 0 never.</param>
        public void Schedule(int slot, int length, long dueMs, uint origin, uint sequence, int cancelAfter, int trafficClass)
        {
            _class[slot] = (byte)trafficClass;
            _length[slot] = length;
            _dueMs[slot] = dueMs;
            _origin[slot] = origin;
            _sequence[slot] = sequence;
            _heard[slot] = 0;
            _cancelAfter[slot] = cancelAfter;
            _order[slot] = _stamp++;
            _used[slot] = true;
        }

        /// <summary>The waiting slot that carries (origin, sequence), or -1; with <paramref name="cancellableOnly"/>, only one that copies heard from others can still cancel.</summary>
        public int Find(uint origin, uint sequence, bool cancellableOnly)
        {
            for (int i = 0; i < _used.Length; i++)
            {
                if (_used[i] && (!cancellableOnly || _cancelAfter[i] > 0) && _origin[i] == origin && _sequence[i] == sequence)
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

        /// <summary>Whether <paramref name="slot"/> still waits with (origin, sequence) in it (not yet sent, cancelled or reused).</summary>
        public bool Holds(int slot, uint origin, uint sequence)
        {
            return slot >= 0 && slot < _used.Length && _used[slot] && _origin[slot] == origin && _sequence[slot] == sequence;
        }

        /// <summary>Drops the frame waiting in <paramref name="slot"/> (the broadcast backbone's coverage rule).</summary>
        public void Cancel(int slot)
        {
            _used[slot] = false;
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

        /// <summary>
        /// The slot that leaves next at <paramref name="nowMs"/>: among the frames due, the lowest class,
        /// then the earliest due, then the oldest; -1 when none is due.
        /// </summary>
        public int PeekDue(long nowMs)
        {
            int best = -1;
            for (int i = 0; i < _used.Length; i++)
            {
                if (!_used[i] || _dueMs[i] > nowMs)
                {
                    continue;
                }

                if (best < 0 || LeavesBefore(i, best))
                {
                    best = i;
                }
            }

            return best;
        }

        /// <summary>
        /// The waiting frame that may ride in a bundle leaving at <paramref name="nowMs"/> (PROTOCOL.md, "Bundles"): at
        /// most <paramref name="maxLength"/> bytes, and a frame for <paramref name="nextHop"/> (not 0), not a one-hop
        /// frame, due by <paramref name="dueByMs"/>, or — with <paramref name="anyDue"/> — any frame due now; among those
        /// the one <see cref="PeekDue"/> would take first. -1 when none.
        /// </summary>
        public int PeekBundlePart(long nowMs, long dueByMs, uint nextHop, int maxLength, bool anyDue)
        {
            int best = -1;
            for (int i = 0; i < _used.Length; i++)
            {
                if (!_used[i] || _dueMs[i] > dueByMs || _length[i] > maxLength || _length[i] < FrameLayout.MinFrameSize)
                {
                    continue;
                }

                byte[] b = _buffers[i];
                if ((!anyDue || _dueMs[i] > nowMs) && (nextHop == 0 || LittleEndian.ReadUInt32(b, FrameLayout.OffsetNextHop) != nextHop
                    || MessageTypes.IsOneHop((MessageType)b[FrameLayout.OffsetType])))
                {
                    continue;
                }

                if (best < 0 || LeavesBefore(i, best))
                {
                    best = i;
                }
            }

            return best;
        }

        /// <summary>Whether the frame in slot <paramref name="a"/> leaves before the one in <paramref name="b"/>: the lower class, then the earlier due, then the older.</summary>
        private bool LeavesBefore(int a, int b)
        {
            return _class[a] < _class[b]
                || (_class[a] == _class[b]
                    && (_dueMs[a] < _dueMs[b] || (_dueMs[a] == _dueMs[b] && (int)(_order[a] - _order[b]) < 0)));
        }

        public int LengthOf(int slot)
        {
            return _length[slot];
        }

        public int ClassOf(int slot)
        {
            return _class[slot];
        }

        public long DueOf(int slot)
        {
            return _dueMs[slot];
        }

        public uint OriginOf(int slot)
        {
            return _origin[slot];
        }

        public uint SequenceOf(int slot)
        {
            return _sequence[slot];
        }

        /// <summary>Copies out the frame in <paramref name="slot"/> (unless <paramref name="output"/> is null: then it stays in <see cref="BufferOf"/> until the slot is reused) and frees it; its length.</summary>
        public int Take(int slot, byte[] output, int outputOffset)
        {
            int length = _length[slot];
            if (output != null)
            {
                System.Array.Copy(_buffers[slot], 0, output, outputOffset, length);
            }

            _used[slot] = false;
            return length;
        }

        /// <summary>Copies out the frame that leaves next at <paramref name="nowMs"/> (<see cref="PeekDue"/>) and frees its slot.</summary>
        public bool TryTake(long nowMs, byte[] output, int outputOffset, out int length)
        {
            int best = PeekDue(nowMs);
            if (best < 0)
            {
                length = 0;
                return false;
            }

            length = Take(best, output, outputOffset);
            return true;
        }
    }
}
