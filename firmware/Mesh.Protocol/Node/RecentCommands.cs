using Mesh.Protocol.Messages;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Commands this node received recently (the target side): a retry of one of them — a new frame
    /// carrying the same command id and counter — is answered with the stored outcome instead of being
    /// run again, and the answer goes the way the retry came (directed or flooded). A ring: the oldest
    /// entry is recycled; the persisted counters (<see cref="CommandCounters"/>) cover what it forgets.
    /// </summary>
    internal sealed class RecentCommands
    {
        private const byte Used = 1;
        private const byte Answered = 2;
        private const byte Flooded = 4;

        // Used / answered / flooded bits in one array: a board pays an object header per array.
        private readonly byte[] _flags;
        private readonly uint[] _origin;
        private readonly ushort[] _id;
        private readonly uint[] _counter;
        private readonly byte[] _kind;
        private readonly byte[] _status;
        private int _next;

        public RecentCommands(int capacity)
        {
            _flags = new byte[capacity];
            _origin = new uint[capacity];
            _id = new ushort[capacity];
            _counter = new uint[capacity];
            _kind = new byte[capacity];
            _status = new byte[capacity];
        }

        public int Find(uint origin, ushort id, uint counter)
        {
            for (int i = 0; i < _flags.Length; i++)
            {
                if ((_flags[i] & Used) != 0 && _origin[i] == origin && _id[i] == id && _counter[i] == counter)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The entry for (origin, id), whatever its counter, for the application's acknowledgement.</summary>
        public int Find(uint origin, ushort id)
        {
            for (int i = 0; i < _flags.Length; i++)
            {
                if ((_flags[i] & Used) != 0 && _origin[i] == origin && _id[i] == id)
                {
                    return i;
                }
            }

            return -1;
        }

        public int Add(uint origin, ushort id, uint counter, CommandKind kind, bool flooded)
        {
            int r = _next;
            _next = (_next + 1) % _flags.Length;
            _origin[r] = origin;
            _id[r] = id;
            _counter[r] = counter;
            _kind[r] = (byte)kind;
            _flags[r] = (byte)(Used | (flooded ? Flooded : 0));
            return r;
        }

        public void Answer(int r, CommandStatus status)
        {
            _status[r] = (byte)status;
            _flags[r] |= Answered;
        }

        public bool IsAnswered(int r)
        {
            return (_flags[r] & Answered) != 0;
        }

        public void CameFlooded(int r, bool flooded)
        {
            _flags[r] = (byte)(flooded ? _flags[r] | Flooded : _flags[r] & ~Flooded);
        }

        public bool IsFlooded(int r)
        {
            return (_flags[r] & Flooded) != 0;
        }

        public uint OriginAt(int r)
        {
            return _origin[r];
        }

        public ushort IdAt(int r)
        {
            return _id[r];
        }

        public CommandKind KindAt(int r)
        {
            return (CommandKind)_kind[r];
        }

        public CommandStatus StatusAt(int r)
        {
            return (CommandStatus)_status[r];
        }
    }
}
