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
        private readonly bool[] _used;
        private readonly uint[] _origin;
        private readonly ushort[] _id;
        private readonly uint[] _counter;
        private readonly byte[] _kind;
        private readonly byte[] _status;
        private readonly bool[] _answered;
        private readonly bool[] _flooded;
        private int _next;

        public RecentCommands(int capacity)
        {
            _used = new bool[capacity];
            _origin = new uint[capacity];
            _id = new ushort[capacity];
            _counter = new uint[capacity];
            _kind = new byte[capacity];
            _status = new byte[capacity];
            _answered = new bool[capacity];
            _flooded = new bool[capacity];
        }

        public int Find(uint origin, ushort id, uint counter)
        {
            for (int i = 0; i < _used.Length; i++)
            {
                if (_used[i] && _origin[i] == origin && _id[i] == id && _counter[i] == counter)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The entry for (origin, id), whatever its counter, for the application's acknowledgement.</summary>
        public int Find(uint origin, ushort id)
        {
            for (int i = 0; i < _used.Length; i++)
            {
                if (_used[i] && _origin[i] == origin && _id[i] == id)
                {
                    return i;
                }
            }

            return -1;
        }

        public int Add(uint origin, ushort id, uint counter, CommandKind kind, bool flooded)
        {
            int r = _next;
            _next = (_next + 1) % _used.Length;
            _used[r] = true;
            _origin[r] = origin;
            _id[r] = id;
            _counter[r] = counter;
            _kind[r] = (byte)kind;
            _answered[r] = false;
            _flooded[r] = flooded;
            return r;
        }

        public void Answer(int r, CommandStatus status)
        {
            _status[r] = (byte)status;
            _answered[r] = true;
        }

        public bool IsAnswered(int r)
        {
            return _answered[r];
        }

        public void CameFlooded(int r, bool flooded)
        {
            _flooded[r] = flooded;
        }

        public bool IsFlooded(int r)
        {
            return _flooded[r];
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
