namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// The last few upward frames this node relayed, with the hops they had taken when they reached it
    /// (PROTOCOL.md "Structured routing", loops on the data path). A copy of one of them sent to this node
    /// again with more hops taken did not come from the neighbour that handed it over (that one would
    /// retransmit the same copy): it went round a loop. Answering it with a hop ack, as a retransmission is
    /// answered, would end it silently — the nodes of the loop have all passed custody on.
    /// It also carries a relay's fallback flood back down the path: a node that relayed the frame upward
    /// floods it once more when it hears the flood, so the flood reaches the origin (store and forward)
    /// even where no node off the path hears both.
    /// A ring of fixed slots, oldest overwritten: a frame forgotten here is answered as a retransmission.
    /// </summary>
    public sealed class RelayedUpward
    {
        private readonly uint[] _origin;
        private readonly uint[] _sequence;
        private readonly byte[] _hops;
        private readonly bool[] _echoed;
        private int _next;

        // Bit 7 of a slot's hops: the frame was taken from its origin's flood onto the gradient here (hops taken are
        // at most 32, FrameLayout.MaxHopLimit), so a board keeps no array more for it.
        private const byte RejoinedBit = 0x80;

        public RelayedUpward(int capacity)
        {
            _origin = new uint[capacity];
            _sequence = new uint[capacity];
            _hops = new byte[capacity];
            _echoed = new bool[capacity];
        }

        public void Add(uint origin, uint sequence, int hopsTaken)
        {
            if (_origin.Length == 0)
            {
                return;
            }

            _origin[_next] = origin;
            _sequence[_next] = sequence;
            _hops[_next] = (byte)(hopsTaken & ~RejoinedBit);
            _echoed[_next] = false;
            _next = (_next + 1) % _origin.Length;
        }

        /// <summary>The slot remembering the frame; -1 when it is not remembered.</summary>
        public int IndexOf(uint origin, uint sequence)
        {
            for (int i = 0; i < _origin.Length; i++)
            {
                if (_origin[i] == origin && _sequence[i] == sequence && origin != 0)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>The hops the frame in slot <paramref name="index"/> had taken when this node relayed it.</summary>
        public int HopsAt(int index)
        {
            return _hops[index] & ~RejoinedBit;
        }

        /// <summary>Whether this node already flooded the frame in slot <paramref name="index"/> back down its path.</summary>
        public bool EchoedAt(int index)
        {
            return _echoed[index];
        }

        /// <summary>Marks the frame as taken from its origin's flood onto the gradient here (MeshNode.RejoinGradient): another node's directed copy heard first cancels ours.</summary>
        public void MarkRejoined(uint origin, uint sequence)
        {
            int i = IndexOf(origin, sequence);
            if (i >= 0)
            {
                _hops[i] |= RejoinedBit;
            }
        }

        /// <summary>Whether this node took the frame from its origin's flood onto the gradient (and still remembers it).</summary>
        public bool Rejoined(uint origin, uint sequence)
        {
            int i = IndexOf(origin, sequence);
            return i >= 0 && (_hops[i] & RejoinedBit) != 0;
        }

        /// <summary>Marks the frame as flooded from here (by this node's fallback or echo): its flood needs no echo from this node.</summary>
        public void MarkEchoed(uint origin, uint sequence)
        {
            int i = IndexOf(origin, sequence);
            if (i >= 0)
            {
                _echoed[i] = true;
            }
        }
    }
}
