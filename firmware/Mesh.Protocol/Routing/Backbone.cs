using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;

namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// The broadcast backbone (PROTOCOL.md "Structured routing", backbone): what this node knows of its
    /// neighbours' neighbour lists (from their beacons), its relay decision by Wu–Li Rule k with priority
    /// (degree, id), and the broadcasts it is waiting on (coverage heard, the one retransmission).
    /// It keeps its own table of the strongest neighbours (by RSSI; the neighbour table is least-recently-
    /// used and churns in a dense mesh, where a node hears far more nodes than it has slots), each with
    /// a reception quality from gaps in its sequence numbers; rows hold bit sets over the same slots, so
    /// the two-hop view costs a few words per neighbour; a slot that changes hands is cleared everywhere.
    /// Fixed arrays, no allocation after construction.
    /// </summary>
    public sealed partial class Backbone
    {
        /// <summary>A link counts for the backbone only when heard at least this well both ways (≥ 50 %).</summary>
        public const int StrongQuality = 128;

        /// <summary>A newcomer takes the weakest member's slot only when heard this much louder (dB): membership stays put.</summary>
        public const int ReplaceMarginDb = 3;

        /// <summary>Frames a neighbour must have originated in our hearing before its quality counts.</summary>
        public const int MinSamples = 3;

        /// <summary>
        /// Hysteresis of the well-heard set (the strong neighbours a decision rests on, and what a beacon is
        /// forced for): a neighbour joins it at quality StrongQuality + this and leaves below StrongQuality −
        /// this. The estimator moves by 1/8 per frame, so a link near 50 % crossed StrongQuality every few
        /// frames, flipped relay decisions and forced beacons.
        /// </summary>
        public const int WellHeardHysteresis = 32;

        /// <summary>
        /// Tags kept per neighbour for the ids it lists well that this node does not keep. Half a beacon's
        /// list: the members it lists are bits, so in backbone-200's field (~81 nodes heard, 32 kept, ~22
        /// listed well) few lists have more outsiders than this; 1 KB less than a tag for every listed id.
        /// </summary>
        public const int ListedTags = 16;

        private readonly int _capacity;
        private readonly int _words;
        private readonly long _expiryMs;

        // Per slot: RSSI (EWMA), reception quality 0–255 (EWMA over sequence gaps, as NeighbourTable), samples, last sequence, last heard.
        private readonly short[] _rssi;
        private readonly byte[] _quality;
        private readonly byte[] _samples;
        private readonly uint[] _lastSequence;
        private readonly long[] _lastHeardMs;
        private long _nowMs;
        private bool _advertisedOnce;

        // What the last beacon told the neighbours: the slots this node heard well then (bit s), whether a
        // slot among them has since been emptied, and whether it was a relay.
        private uint _advertisedWell;
        private bool _advertisedWellLost;
        private bool _advertisedRelay;

        // Per slot: the neighbour's id (0: free), whether that neighbour has
        // beaconed, its quality for this node (0: it does not list us), its strong degree (priority), its
        // backbone flag, whether it relays at all, and the slots it lists with quality ≥ StrongQuality.
        private readonly uint[] _ids;
        private readonly bool[] _beaconed;
        private readonly byte[] _qOut;
        private readonly byte[] _degree;
        private readonly bool[] _relayFlag;
        private readonly bool[] _canRelay;
        private readonly uint[] _hears;

        // Per slot: 16-bit tags of the ids the neighbour lists at ≥ 50 % that are not members of our table
        // (members are bits in _hears), so a copy from a node we do not keep still covers the neighbours that
        // hear it well. At most ListedTags each: a tag left out only makes a copy cover less (one more
        // transmission, never a neighbour wrongly taken as covered).
        private readonly ushort[] _listed;
        private readonly byte[] _listedCount;

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
        private readonly uint[] _pFrom;
        private readonly uint[] _pCovered;
        private readonly bool[] _pUsed;
        private int _pNext;

        private bool _isRelay = true;
        private int _advertisedDegree;

        // Counters (the simulator sums them: where a broadcast's copies go).
        public long RelayDecisions;

        /// <summary>Copies scheduled as a relay / as a non-relay's late fallback.</summary>
        public long Scheduled;
        public long FallbacksScheduled;

        /// <summary>New broadcasts not scheduled at all: the copy that brought them covered every strong neighbour.</summary>
        public long Covered;

        /// <summary>Scheduled copies cancelled before leaving: the copies heard covered every strong neighbour / C relayers were heard.</summary>
        public long CancelledCovered;
        public long CancelledCounted;

        /// <summary>Of the cancelled copies, the non-relays' fallbacks (a fallback not cancelled was sent: a relay left someone uncovered).</summary>
        public long FallbacksCancelled;

        /// <summary>Second copies scheduled, and cancelled (a forward heard, or the first copy cancelled); the rest were sent.</summary>
        public long RetransmissionsScheduled;
        public long RetransmissionsCancelled;

        public Backbone(int neighbourCapacity, int slots, long expiryMs)
        {
            _expiryMs = expiryMs;
            _rssi = new short[neighbourCapacity];
            _quality = new byte[neighbourCapacity];
            _samples = new byte[neighbourCapacity];
            _lastSequence = new uint[neighbourCapacity];
            _lastHeardMs = new long[neighbourCapacity];
            _capacity = neighbourCapacity;
            _words = (neighbourCapacity + 31) / 32;
            _ids = new uint[neighbourCapacity];
            _beaconed = new bool[neighbourCapacity];
            _qOut = new byte[neighbourCapacity];
            _degree = new byte[neighbourCapacity];
            _relayFlag = new bool[neighbourCapacity];
            _canRelay = new bool[neighbourCapacity];
            _hears = new uint[neighbourCapacity * _words];
            _listed = new ushort[neighbourCapacity * ListedTags];
            _listedCount = new byte[neighbourCapacity];
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
            _pFrom = new uint[n];
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
            uint well = 0;
            for (int s = 0; s < _capacity; s++)
            {
                if (WellHeardSince(s, AdvertisedWell(s)))
                {
                    well |= 1u << s;
                }
            }

            _advertisedWell = well;
            _advertisedWellLost = false;
            _advertisedRelay = _isRelay;
            _advertisedOnce = true;
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

        public int Capacity
        {
            get { return _capacity; }
        }

        /// <summary>
        /// A frame whose network MIC verified, transmitted by <paramref name="neighbour"/> at <paramref name="rssi"/>;
        /// <paramref name="originatedSequence"/> is its sequence when the neighbour originated it (hops taken 0), else 0.
        /// A newcomer gets a free or expired slot, or the weakest member's when it is heard louder by
        /// <see cref="ReplaceMarginDb"/>; otherwise it is not kept.
        /// </summary>
        public void Heard(uint neighbour, int rssi, uint originatedSequence, long nowMs)
        {
            _nowMs = nowMs;
            int s = SlotOf(neighbour);
            if (s < 0)
            {
                int weakest = -1;
                for (int i = 0; i < _capacity; i++)
                {
                    if (_ids[i] == 0 || nowMs - _lastHeardMs[i] > _expiryMs)
                    {
                        weakest = i;
                        break;
                    }

                    if (weakest < 0 || _rssi[i] < _rssi[weakest])
                    {
                        weakest = i;
                    }
                }

                if (weakest < 0 || (_ids[weakest] != 0 && nowMs - _lastHeardMs[weakest] <= _expiryMs && rssi < _rssi[weakest] + ReplaceMarginDb))
                {
                    return;
                }

                s = weakest;
                Clear(s);
                _ids[s] = neighbour;
                _rssi[s] = (short)rssi;
                _quality[s] = (byte)Node.NeighbourTable.InitialQuality;
            }
            else
            {
                _rssi[s] = (short)((_rssi[s] * 3 + rssi) / 4);
            }

            _lastHeardMs[s] = nowMs;
            if (originatedSequence == 0)
            {
                return;
            }

            // Reception quality from sequence gaps (NeighbourTable's estimator).
            int q = _quality[s];
            if (_lastSequence[s] != 0)
            {
                if (originatedSequence <= _lastSequence[s])
                {
                    return;
                }

                uint gap = originatedSequence - _lastSequence[s];
                int missed = gap - 1 > 16 ? 16 : (int)(gap - 1);
                for (int i = 0; i < missed; i++)
                {
                    q = q * 7 / 8;
                }
            }

            q = (q * 7 + 255) / 8;
            _quality[s] = (byte)(q > 255 ? 255 : q);
            _lastSequence[s] = originatedSequence;
            if (_samples[s] < 255)
            {
                _samples[s]++;
            }
        }

        /// <summary>Empties slot s and its bit in every row.</summary>
        private void Clear(int s)
        {
            if (AdvertisedWell(s))
            {
                _advertisedWell &= ~(1u << s);
                _advertisedWellLost = true;
            }

            uint id = _ids[s];
            _ids[s] = 0;
            _beaconed[s] = false;
            _qOut[s] = 0;
            _degree[s] = 0;
            _relayFlag[s] = false;
            _canRelay[s] = false;
            _samples[s] = 0;
            _lastSequence[s] = 0;
            _listedCount[s] = 0;
            int row = s * _words;
            for (int w = 0; w < _words; w++)
            {
                _hears[row + w] = 0;
            }

            // The neighbours that listed the member leaving keep it as a tag: it is an outsider now.
            int word = s >> 5;
            uint bit = 1u << (s & 31);
            ushort leaving = Tag(id);
            for (int r = 0; r < _capacity; r++)
            {
                if ((_hears[r * _words + word] & bit) != 0)
                {
                    _hears[r * _words + word] &= ~bit;
                    AddTag(r, leaving);
                }
            }

            for (int p = 0; p < _pUsed.Length; p++)
            {
                _pCovered[p * _words + word] &= ~bit;
            }
        }

        /// <summary>Whether slot s holds a neighbour heard within the expiry.</summary>
        private bool Live(int s)
        {
            return _ids[s] != 0 && _nowMs - _lastHeardMs[s] <= _expiryMs;
        }

        /// <summary>The beacon's neighbour list: every live member with the quality this node hears it at (at most the beacon's 32).</summary>
        public int FillBeacon(Beacon b)
        {
            int n = 0;
            for (int s = 0; s < _capacity && n < Beacon.MaxNeighbours; s++)
            {
                if (Live(s))
                {
                    b.NeighbourIds[n] = _ids[s];
                    b.NeighbourQuality[n] = _samples[s] >= MinSamples ? _quality[s] : (byte)0;
                    n++;
                }
            }

            b.NeighbourCount = n;
            return n;
        }

        /// <summary>
        /// Whether this node's beacon should not be suppressed: it never beaconed, it stepped down as a relay
        /// (neighbours counting on it must hear that), or the set of neighbours it hears well (what its
        /// neighbours' decisions rest on) changed beyond the hysteresis since its last beacon. Becoming a
        /// relay is not forced: until the neighbours hear it they keep relaying themselves, which is safe.
        /// </summary>
        public bool NeedsBeacon
        {
            get
            {
                if (!_advertisedOnce || _advertisedWellLost || (_advertisedRelay && !_isRelay))
                {
                    return true;
                }

                for (int s = 0; s < _capacity; s++)
                {
                    bool was = AdvertisedWell(s);
                    if (WellHeardSince(s, was) != was)
                    {
                        return true;
                    }
                }

                return false;
            }
        }

        /// <summary>Whether slot s was in the well-heard set at this node's last beacon.</summary>
        private bool AdvertisedWell(int s)
        {
            return (_advertisedWell & (1u << s)) != 0;
        }

        /// <summary>Whether slot s belongs in the well-heard set, given whether it was in it at the last beacon (hysteresis).</summary>
        private bool WellHeardSince(int s, bool was)
        {
            if (!Live(s) || _samples[s] < MinSamples)
            {
                return false;
            }

            return _quality[s] >= (was ? StrongQuality - WellHeardHysteresis : StrongQuality + WellHeardHysteresis);
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
        public void Update(uint from, Beacon b, uint self)
        {
            int s = SlotOf(from);
            if (s < 0)
            {
                return; // not kept (weaker than every member): nothing to key it on
            }

            int row = s * _words;
            for (int w = 0; w < _words; w++)
            {
                _hears[row + w] = 0;
            }

            _qOut[s] = 0;
            _listedCount[s] = 0;
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
                if (t < 0)
                {
                    AddTag(s, Tag(id));
                }
                else if (t != s)
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

        /// <summary>The 16-bit tag an id is kept as in the listed arrays (Fibonacci hashing).</summary>
        public static ushort Tag(uint id)
        {
            return (ushort)((id * 2654435761u) >> 16);
        }

        /// <summary>Keeps <paramref name="tag"/> for slot s's list of outsiders while there is room.</summary>
        private void AddTag(int s, ushort tag)
        {
            int n = _listedCount[s];
            if (n < ListedTags)
            {
                _listed[s * ListedTags + n] = tag;
                _listedCount[s] = (byte)(n + 1);
            }
        }

        /// <summary>
        /// Whether the neighbour in slot s listed <paramref name="id"/> at ≥ 50 % in its last beacon: a member (its
        /// slot <paramref name="slotOfId"/>, -1 for none) by its bit, an outsider — or a member that joined since — by tag.
        /// </summary>
        private bool Lists(int s, uint id, int slotOfId)
        {
            if (slotOfId >= 0 && Bit(_hears, s * _words, slotOfId))
            {
                return true;
            }

            ushort tag = Tag(id);
            int at = s * ListedTags;
            for (int i = 0; i < _listedCount[s]; i++)
            {
                if (_listed[at + i] == tag)
                {
                    return true;
                }
            }

            return false;
        }

        private bool Bit(uint[] set, int at, int slot)
        {
            return (set[at + (slot >> 5)] & (1u << (slot & 31))) != 0;
        }
    }
}
