using Mesh.Protocol.Messages;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Commands this node sent and awaits acknowledgements for (the commander side): what to resend, to
    /// whom, when the current attempt times out, and the counter every attempt carries.
    /// </summary>
    internal sealed class PendingCommands
    {
        private readonly uint[] _target;
        private readonly ushort[] _id;
        private readonly byte[] _kind;
        private readonly uint[] _counter;
        private readonly byte[][] _args;
        private readonly int[] _argLength;
        private readonly int[] _attempts;
        private readonly long[] _deadlineMs;

        // When the first attempt was queued, for the round-trip sample (low 32 bits of the node's ms clock:
        // differences stay exact for 24 days).
        private readonly int[] _sentMs;

        public PendingCommands(int capacity)
        {
            _target = new uint[capacity];
            _id = new ushort[capacity];
            _kind = new byte[capacity];
            _counter = new uint[capacity];
            _args = new byte[capacity][];
            for (int i = 0; i < capacity; i++)
            {
                _args[i] = new byte[CommandCodec.MaxArgs];
            }

            _argLength = new int[capacity];
            _attempts = new int[capacity];
            _sentMs = new int[capacity];
            _deadlineMs = new long[capacity];
        }

        public int Capacity
        {
            get { return _attempts.Length; }
        }

        /// <summary>A slot is in use while it has attempts (Release sets them to 0).</summary>
        public bool IsUsed(int slot)
        {
            return _attempts[slot] > 0;
        }

        public uint TargetAt(int slot)
        {
            return _target[slot];
        }

        public ushort IdAt(int slot)
        {
            return _id[slot];
        }

        public CommandKind KindAt(int slot)
        {
            return (CommandKind)_kind[slot];
        }

        public int AttemptsAt(int slot)
        {
            return _attempts[slot];
        }

        public long DeadlineAt(int slot)
        {
            return _deadlineMs[slot];
        }

        public int FindFree()
        {
            for (int i = 0; i < _attempts.Length; i++)
            {
                if (_attempts[i] == 0)
                {
                    return i;
                }
            }

            return -1;
        }

        public int Find(uint target, ushort id)
        {
            for (int i = 0; i < _attempts.Length; i++)
            {
                if (_attempts[i] > 0 && _target[i] == target && _id[i] == id)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>Fills a slot without taking it: <see cref="Start"/> takes it once the first attempt is queued.</summary>
        public void Prepare(int slot, uint target, ushort id, CommandKind kind, byte[] args, int argOffset, int argLength)
        {
            _target[slot] = target;
            _id[slot] = id;
            _kind[slot] = (byte)kind;
            if (argLength > 0)
            {
                System.Array.Copy(args, argOffset, _args[slot], 0, argLength);
            }

            _argLength[slot] = argLength;
        }

        /// <summary>The counter is the sequence number of the first attempt: unique and rising per commander.</summary>
        public void Start(int slot, uint counter, long nowMs, long deadlineMs)
        {
            _counter[slot] = counter;
            _attempts[slot] = 1;
            _sentMs[slot] = (int)nowMs;
            _deadlineMs[slot] = deadlineMs;
        }

        /// <summary>Time since the first attempt was queued.</summary>
        public long SinceFirstAttempt(int slot, long nowMs)
        {
            return unchecked((int)nowMs - _sentMs[slot]);
        }

        public void Retried(int slot, long deadlineMs)
        {
            _attempts[slot]++;
            _deadlineMs[slot] = deadlineMs;
        }

        public void Postpone(int slot, long deadlineMs)
        {
            _deadlineMs[slot] = deadlineMs;
        }

        public void Release(int slot)
        {
            _attempts[slot] = 0;
        }

        /// <summary>Encodes the command payload of <paramref name="slot"/>; counter 0 before the first attempt is numbered.</summary>
        public int Encode(int slot, uint counter, byte[] into)
        {
            return CommandCodec.Encode(into, 0, _id[slot], (CommandKind)_kind[slot], counter, _args[slot], 0, _argLength[slot]);
        }

        public uint CounterAt(int slot)
        {
            return _counter[slot];
        }

        public long EarliestDeadline(long notAfter)
        {
            long next = notAfter;
            for (int i = 0; i < _attempts.Length; i++)
            {
                if (_attempts[i] > 0 && _deadlineMs[i] < next)
                {
                    next = _deadlineMs[i];
                }
            }

            return next;
        }
    }
}
