using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;

namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// The broadcast backbone (PROTOCOL.md "Structured routing", backbone): what this node knows of its
    /// neighbours' neighbour lists (from their beacons), its relay decision by Wu–Li Rule k with priority
    /// (degree, id), and the broadcasts it is waiting on (coverage heard, the one retransmission).
    /// Rows are keyed by the neighbour table's slots and hold bit sets over the same slots, so the whole
    /// two-hop view costs a few words per neighbour; a slot that changes hands is cleared everywhere.
    /// Fixed arrays, no allocation after construction.
    /// </summary>
    public sealed class Backbone
    {
        /// <summary>A link counts for the backbone only when heard at least this well both ways (≥ 50 %).</summary>
        public const int StrongQuality = 128;

        private readonly int _capacity;
        private readonly int _words;

        // Per neighbour-table slot: the id its row was written for (0: none), whether that neighbour has
        // beaconed, its quality for this node (0: it does not list us), its strong degree (priority), its
        // backbone flag, whether it relays at all, and the slots it lists with quality ≥ StrongQuality.
        private readonly uint[] _ids;
        private readonly bool[] _beaconed;
        private readonly byte[] _qOut;
        private readonly byte[] _degree;
        private readonly bool[] _relayFlag;
        private readonly bool[] _canRelay;
        private readonly uint[] _hears;

        // Scratch bit sets (words each).
        private readonly uint[] _strong;
        private readonly uint[] _higher;
        private readonly uint[] _component;
        private readonly uint[] _covered;
        private readonly uint[] _seen;
        private readonly uint[] _sym;

        // Broadcasts waiting: origin, sequence, the transmit-queue slots of the first copy and of the
        // retransmission (-1 none), and the neighbour slots covered by the copies heard so far.
        private readonly uint[] _pOrigin;
        private readonly uint[] _pSequence;
        private readonly int[] _pFirst;
        private readonly int[] _pSecond;
        private readonly uint[] _pCovered;
        private readonly bool[] _pUsed;
        private int _pNext;

        private bool _isRelay = true;
        private int _advertisedDegree;

        // Counters.
        public long RelayDecisions;
        public long Scheduled;
        public long FallbacksScheduled;
        public long Covered;
        public long CancelledCovered;
        public long RetransmissionsScheduled;
        public long RetransmissionsCancelled;

        public Backbone(int neighbourTableSize, int slots)
        {
            // The neighbour table rounds its size up to a power of two (KeySlots): so do its rows here.
            int neighbourCapacity = 1;
            while (neighbourCapacity < neighbourTableSize)
            {
                neighbourCapacity *= 2;
            }

            _capacity = neighbourCapacity;
            _words = (neighbourCapacity + 31) / 32;
            _ids = new uint[neighbourCapacity];
            _beaconed = new bool[neighbourCapacity];
            _qOut = new byte[neighbourCapacity];
            _degree = new byte[neighbourCapacity];
            _relayFlag = new bool[neighbourCapacity];
            _canRelay = new bool[neighbourCapacity];
            _hears = new uint[neighbourCapacity * _words];
            _strong = new uint[_words];
            _higher = new uint[_words];
            _component = new uint[_words];
            _covered = new uint[_words];
            _seen = new uint[_words];
            _sym = new uint[neighbourCapacity * _words];
            int n = slots < 1 ? 1 : slots;
            _pOrigin = new uint[n];
            _pSequence = new uint[n];
            _pFirst = new int[n];
            _pSecond = new int[n];
            _pCovered = new uint[n * _words];
            _pUsed = new bool[n];
        }

        /// <summary>Whether this node is a backbone relay (its last decision; true until it knows better).</summary>
        public bool IsRelay
        {
            get { return _isRelay; }
        }

        /// <summary>The strong degree this node put in its last beacon (its priority as its neighbours see it).</summary>
        public int AdvertisedDegree
        {
            get { return _advertisedDegree; }
        }

        public int PendingCapacity
        {
            get { return _pUsed.Length; }
        }

        /// <summary>Notes the strong degree this node just advertised (the count of listed neighbours heard at ≥ 50 %).</summary>
        public void Advertised(int degree)
        {
            _advertisedDegree = degree;
        }

        /// <summary>The strong degree a beacon advertises: its listed neighbours with quality ≥ <see cref="StrongQuality"/>.</summary>
        public static int DegreeOf(Beacon b)
        {
            int d = 0;
            for (int i = 0; i < b.NeighbourCount; i++)
            {
                if (b.NeighbourQuality[i] >= StrongQuality)
                {
                    d++;
                }
            }

            return d;
        }

        /// <summary>Priority (degree, id): true when a ranks above b.</summary>
        public static bool Outranks(int degreeA, uint idA, int degreeB, uint idB)
        {
            return degreeA > degreeB || (degreeA == degreeB && idA > idB);
        }

        // ---------------------------------------------------------------- two-hop view

        /// <summary>Clears the rows and bits of neighbour-table slots that changed hands since they were written.</summary>
        public void Sync(NeighbourTable table)
        {
            for (int s = 0; s < _capacity; s++)
            {
                uint id = s < table.Capacity && table.IsUsed(s) ? table.IdAt(s) : 0;
                if (id == _ids[s])
                {
                    continue;
                }

                _ids[s] = id;
                _beaconed[s] = false;
                _qOut[s] = 0;
                _degree[s] = 0;
                _relayFlag[s] = false;
                _canRelay[s] = false;
                int row = s * _words;
                for (int w = 0; w < _words; w++)
                {
                    _hears[row + w] = 0;
                }

                int word = s >> 5;
                uint clear = ~(1u << (s & 31));
                for (int r = 0; r < _capacity; r++)
                {
                    _hears[r * _words + word] &= clear;
                }

                for (int p = 0; p < _pUsed.Length; p++)
                {
                    _pCovered[p * _words + word] &= clear;
                }
            }
        }

        private int SlotOf(uint id)
        {
            if (id == 0)
            {
                return -1;
            }

            for (int s = 0; s < _capacity; s++)
            {
                if (_ids[s] == id)
                {
                    return s;
                }
            }

            return -1;
        }

        /// <summary>Records a neighbour's beacon: whom it hears well, how well it hears us, its degree and flags.</summary>
        public void Update(NeighbourTable table, uint from, Beacon b, uint self)
        {
            Sync(table);
            int s = SlotOf(from);
            if (s < 0)
            {
                return; // not in our neighbour table (it was just replaced): nothing to key it on
            }

            int row = s * _words;
            for (int w = 0; w < _words; w++)
            {
                _hears[row + w] = 0;
            }

            _qOut[s] = 0;
            for (int i = 0; i < b.NeighbourCount; i++)
            {
                uint id = b.NeighbourIds[i];
                int q = b.NeighbourQuality[i];
                if (id == self)
                {
                    _qOut[s] = (byte)q;
                    continue;
                }

                if (q < StrongQuality)
                {
                    continue;
                }

                int t = SlotOf(id);
                if (t >= 0 && t != s)
                {
                    _hears[row + (t >> 5)] |= 1u << (t & 31);
                }
            }

            int degree = DegreeOf(b);
            _degree[s] = (byte)(degree > 255 ? 255 : degree);
            _relayFlag[s] = (b.Flags & Beacon.FlagBackbone) != 0;
            _canRelay[s] = NodeRoles.Relays((NodeRole)b.Role) || b.IsGateway;
            _beaconed[s] = true;
        }

        private bool Bit(uint[] set, int at, int slot)
        {
            return (set[at + (slot >> 5)] & (1u << (slot & 31))) != 0;
        }

        /// <summary>Strong neighbours: heard at ≥ 50 % and, once they beaconed, hearing us at ≥ 50 %; into _strong. Also the symmetric rows.</summary>
        private int FillStrong(NeighbourTable table)
        {
            int count = 0;
            for (int w = 0; w < _words; w++)
            {
                _strong[w] = 0;
            }

            for (int s = 0; s < _capacity; s++)
            {
                if (_ids[s] == 0 || table.QualityAt(s) < StrongQuality || (_beaconed[s] && _qOut[s] < StrongQuality))
                {
                    continue;
                }

                _strong[s >> 5] |= 1u << (s & 31);
                count++;
            }

            // Symmetric strong edges among the neighbours: u–w when each lists the other at ≥ 50 %.
            for (int u = 0; u < _capacity; u++)
            {
                int row = u * _words;
                for (int w = 0; w < _words; w++)
                {
                    _sym[row + w] = 0;
                }

                if (!_beaconed[u])
                {
                    continue;
                }

                for (int v = 0; v < _capacity; v++)
                {
                    if (v != u && _beaconed[v] && Bit(_hears, row, v) && Bit(_hears, v * _words, u))
                    {
                        _sym[row + (v >> 5)] |= 1u << (v & 31);
                    }
                }
            }

            return count;
        }

        /// <summary>
        /// Wu–Li Rule k with priority (degree, id) on the strong links: this node is not a relay when its
        /// strong neighbours are pairwise joined (marking process), or when they are all covered by one
        /// connected set of strong neighbours that outrank it and relay; otherwise it is. With no strong
        /// neighbour it stays a relay (it knows too little to step back). True when the decision changed.
        /// </summary>
        public bool Decide(NeighbourTable table, uint self)
        {
            Sync(table);
            RelayDecisions++;
            bool before = _isRelay;
            _isRelay = ComputeRelay(table, self);
            return _isRelay != before;
        }

        private bool ComputeRelay(NeighbourTable table, uint self)
        {
            int strong = FillStrong(table);
            if (strong == 0)
            {
                return true;
            }

            // Marking process: a node whose neighbours all hear each other joins no one.
            bool clique = true;
            for (int u = 0; u < _capacity && clique; u++)
            {
                if (!Bit(_strong, 0, u))
                {
                    continue;
                }

                for (int v = u + 1; v < _capacity; v++)
                {
                    if (Bit(_strong, 0, v) && !Bit(_sym, u * _words, v))
                    {
                        clique = false;
                        break;
                    }
                }
            }

            if (clique)
            {
                return false;
            }

            // The neighbours that outrank this node and can relay.
            for (int w = 0; w < _words; w++)
            {
                _higher[w] = 0;
                _seen[w] = 0;
            }

            for (int u = 0; u < _capacity; u++)
            {
                if (Bit(_strong, 0, u) && _beaconed[u] && _canRelay[u] && Outranks(_degree[u], _ids[u], _advertisedDegree, self))
                {
                    _higher[u >> 5] |= 1u << (u & 31);
                }
            }

            // Each connected component of them: does it cover every strong neighbour?
            for (int start = 0; start < _capacity; start++)
            {
                if (!Bit(_higher, 0, start) || Bit(_seen, 0, start))
                {
                    continue;
                }

                for (int w = 0; w < _words; w++)
                {
                    _component[w] = 0;
                }

                _component[start >> 5] |= 1u << (start & 31);
                bool grew = true;
                while (grew)
                {
                    grew = false;
                    for (int u = 0; u < _capacity; u++)
                    {
                        if (!Bit(_component, 0, u))
                        {
                            continue;
                        }

                        int row = u * _words;
                        for (int w = 0; w < _words; w++)
                        {
                            uint add = _sym[row + w] & _higher[w] & ~_component[w];
                            if (add != 0)
                            {
                                _component[w] |= add;
                                grew = true;
                            }
                        }
                    }
                }

                for (int w = 0; w < _words; w++)
                {
                    _seen[w] |= _component[w];
                    _covered[w] = _component[w];
                }

                for (int u = 0; u < _capacity; u++)
                {
                    if (Bit(_component, 0, u))
                    {
                        int row = u * _words;
                        for (int w = 0; w < _words; w++)
                        {
                            _covered[w] |= _sym[row + w];
                        }
                    }
                }

                bool all = true;
                for (int w = 0; w < _words; w++)
                {
                    if ((_strong[w] & ~_covered[w]) != 0)
                    {
                        all = false;
                    }
                }

                if (all)
                {
                    return false;
                }
            }

            return true;
        }

        // ---------------------------------------------------------------- broadcasts waiting

        /// <summary>The pending entry for (origin, sequence), or -1.</summary>
        public int Find(uint origin, uint sequence)
        {
            for (int p = 0; p < _pUsed.Length; p++)
            {
                if (_pUsed[p] && _pOrigin[p] == origin && _pSequence[p] == sequence)
                {
                    return p;
                }
            }

            return -1;
        }

        /// <summary>Takes a pending entry (a free one, else round robin: the oldest gives up its coverage tracking).</summary>
        public int Claim(uint origin, uint sequence, int firstSlot, int secondSlot)
        {
            int p = -1;
            for (int i = 0; i < _pUsed.Length; i++)
            {
                if (!_pUsed[i])
                {
                    p = i;
                    break;
                }
            }

            if (p < 0)
            {
                p = _pNext;
                _pNext = (_pNext + 1) % _pUsed.Length;
            }

            _pUsed[p] = true;
            _pOrigin[p] = origin;
            _pSequence[p] = sequence;
            _pFirst[p] = firstSlot;
            _pSecond[p] = secondSlot;
            for (int w = 0; w < _words; w++)
            {
                _pCovered[p * _words + w] = 0;
            }

            return p;
        }

        public void Release(int p)
        {
            _pUsed[p] = false;
        }

        public int FirstSlotOf(int p)
        {
            return _pFirst[p];
        }

        public int SecondSlotOf(int p)
        {
            return _pSecond[p];
        }

        public void SetFirst(int p, int slot)
        {
            _pFirst[p] = slot;
        }

        public void SetSecond(int p, int slot)
        {
            _pSecond[p] = slot;
        }

        public void ClearFirst(int p)
        {
            _pFirst[p] = -1;
        }

        /// <summary>
        /// A copy transmitted by <paramref name="transmitter"/> was heard: it and the strong neighbours it
        /// hears (both ways) count as covered for entry p. True when every strong neighbour of this node is
        /// now covered.
        /// </summary>
        public bool NoteCopy(int p, NeighbourTable table, uint transmitter)
        {
            Sync(table);
            FillStrong(table);
            int s = SlotOf(transmitter);
            int at = p * _words;
            if (s >= 0)
            {
                _pCovered[at + (s >> 5)] |= 1u << (s & 31);
                if (_beaconed[s])
                {
                    for (int w = 0; w < _words; w++)
                    {
                        _pCovered[at + w] |= _sym[s * _words + w];
                    }
                }
            }

            for (int w = 0; w < _words; w++)
            {
                if ((_strong[w] & ~_pCovered[at + w]) != 0)
                {
                    return false;
                }
            }

            return true;
        }

        /// <summary>Whether a strong neighbour not covered yet for entry p advertises the backbone flag (it should forward what this node sends).</summary>
        public bool UncoveredRelayNeighbour(int p, NeighbourTable table)
        {
            Sync(table);
            FillStrong(table);
            int at = p * _words;
            for (int s = 0; s < _capacity; s++)
            {
                if (Bit(_strong, 0, s) && !Bit(_pCovered, at, s) && _relayFlag[s] && _canRelay[s])
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Test and tooling view: whether the neighbour in table slot s advertised the backbone flag.</summary>
        public bool NeighbourIsRelay(int s)
        {
            return _relayFlag[s];
        }
    }
}
