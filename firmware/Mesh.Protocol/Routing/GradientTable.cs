using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tables;

namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// What this node knows of its neighbours' gradients (from their beacons) and its own place in it:
    /// cost, hops, parent and gateway (PROTOCOL.md "Structured routing", gradient). Fixed arrays, one
    /// entry per neighbour heard beaconing, least recently used replaced.
    /// </summary>
    public sealed class GradientTable
    {
        /// <summary>A parent is replaced only by a route cheaper by at least this much (1.5 transmissions).</summary>
        public const int Hysteresis = 24;

        /// <summary>Routes longer than the largest hop limit are useless: a neighbour advertising this many hops or more is not a candidate (bounds counting to infinity).</summary>
        public const int MaxHops = Wire.FrameLayout.MaxHopLimit;

        /// <summary>
        /// A cost change of at least this (one transmission) and at least 1/<see cref="RelativeCostChange"/>
        /// of the cost last advertised is news for the neighbours: Trickle resets. The ETX estimate of a
        /// 50–70 % link moves by more than one transmission within a few frames, so an absolute threshold
        /// alone kept resetting Trickle (farm-200: 1,700 resets an hour, each ~5 beacons).
        /// </summary>
        public const int SignificantCostChange = 16;

        public const int RelativeCostChange = 4;

        /// <summary>
        /// A cost that rose by at least 1/this of the cost last advertised is bad news (Trickle resets); news of a
        /// smaller rise, like a fall, is minor (one prompt beacon). Every rise a reset cost loss30 its gain; every
        /// rise a prompt let the 3,000-node mesh's loops last (seed 44: 99.20 %).
        /// </summary>
        public const int RelativeBadNews = 2;

        private bool _newsIsMinor;

        private readonly KeySlots _slots;
        private readonly ushort[] _cost;
        private readonly byte[] _hops;
        private readonly uint[] _parentOf;
        private readonly uint[] _gatewayOf;
        private readonly byte[] _qOut;
        private readonly byte[] _failures;
        private readonly long[] _beaconMs;
        private readonly uint _self;
        private readonly bool _isGateway;
        private readonly long _routeLossMs;
        private readonly long _failedSilenceMs;
        private readonly long _holdDownMs;

        // Feasibility after losing the parent (EIGRP's feasible-successor condition): until _holdUntilMs only
        // neighbours advertising a cost below _holdCost (our cost when the parent was lost) may become
        // parent, so a node never adopts one of its own descendants, whose costs still derive from ours.
        private int _holdCost;
        private long _holdUntilMs = long.MinValue;

        private uint _parent;
        private int _ownCost = Beacon.NoCost;
        private int _ownHops = Beacon.NoHops;
        private uint _gateway;

        // The cost this node last put in a beacon.
        private int _advertised = Beacon.NoCost;

        /// <param name="failedSilenceMs">A neighbour whose link failed and that has been silent this long is no candidate (<c>NodeConfig.FailedParentSilenceMs</c>).</param>
        public GradientTable(int capacity, uint self, bool isGateway, long routeLossMs, long holdDownMs, long failedSilenceMs)
        {
            _failedSilenceMs = failedSilenceMs;
            _holdDownMs = holdDownMs;
            _slots = new KeySlots(capacity);
            int n = _slots.Capacity;
            _cost = new ushort[n];
            _hops = new byte[n];
            _parentOf = new uint[n];
            _gatewayOf = new uint[n];
            _qOut = new byte[n];
            _failures = new byte[n];
            _beaconMs = new long[n];
            _self = self;
            _isGateway = isGateway;
            _routeLossMs = routeLossMs;
            if (isGateway)
            {
                _ownCost = 0;
                _ownHops = 0;
                _gateway = self;
            }
        }

        public bool IsGateway
        {
            get { return _isGateway; }
        }

        /// <summary>The neighbour upward frames go to; 0 when there is no route (or this node is a gateway).</summary>
        public uint Parent
        {
            get { return _parent; }
        }

        /// <summary>ETX × 16 to the nearest gateway along parents; <see cref="Beacon.NoCost"/> without a route.</summary>
        public int Cost
        {
            get { return _ownCost; }
        }

        public int Hops
        {
            get { return _ownHops; }
        }

        public uint Gateway
        {
            get { return _gateway; }
        }

        public bool HasRoute
        {
            get { return _isGateway || _parent != 0; }
        }

        public int Capacity
        {
            get { return _slots.Capacity; }
        }

        /// <summary>Notes the cost this node just advertised in a beacon (cost news is relative to it).</summary>
        public void Advertised(int cost)
        {
            _advertised = cost;
        }

        /// <summary>Records a neighbour's beacon; true when the neighbour is new to the table.</summary>
        public bool Update(uint neighbour, Beacon beacon, int qOut, long nowMs)
        {
            // A newcomer never recycles the parent's entry: in a neighbourhood larger than the table every beacon
            // from a newcomer recycles one, and losing the parent's made the node choose afresh (CrowdedNeighbourhoodTests).
            bool claimed;
            int s = _slots.FindOrClaim(neighbour, _parent, out claimed);
            if (claimed)
            {
                _failures[s] = 0;
            }
            else if (!HasRoute && qOut > 0)
            {
                // A route-less node forgives a neighbour's failed link when that neighbour's beacon lists it
                // (it hears this node again, e.g. after a partition healed): it has no route to lose by trying
                // the link again, and without this the doubled cost kept a healed link unused for ~half an hour.
                _failures[s] = 0;
            }

            // A gateway's cost is 0 whatever its beacon says; a beacon claiming a route with no hops is malformed state.
            bool gateway = beacon.IsGateway;
            _cost[s] = (ushort)(gateway ? 0 : beacon.Cost);
            _hops[s] = (byte)(gateway ? 0 : beacon.Hops);
            _parentOf[s] = beacon.Parent;
            _gatewayOf[s] = gateway ? neighbour : beacon.Gateway;
            _qOut[s] = (byte)(qOut < 0 ? 0 : qOut);
            _beaconMs[s] = nowMs;
            return claimed;
        }

        /// <summary>
        /// Whether the last <see cref="Recompute"/>'s news is minor: the route kept, the cost below the one last
        /// advertised or above it by less than 1/<see cref="RelativeBadNews"/> of it.
        /// </summary>
        public bool NewsIsMinor
        {
            get { return _newsIsMinor; }
        }

        /// <summary>The cost a neighbour advertised in its last beacon; -1 when it has not beaconed, <see cref="Beacon.NoCost"/> for no route.</summary>
        public int AdvertisedCost(uint neighbour, long nowMs)
        {
            int s = _slots.Find(neighbour);
            if (s < 0)
            {
                return -1;
            }

            return nowMs - _beaconMs[s] > _routeLossMs ? Beacon.NoCost : _cost[s];
        }

        /// <summary>
        /// Whether <paramref name="node"/> is a gateway this node knows of: the gateway of its own route, or of a route a
        /// neighbour advertised in its last beacon (a gateway neighbour is its own).
        /// </summary>
        public bool KnowsGateway(uint node)
        {
            if (node == 0)
            {
                return false;
            }

            if (node == _gateway)
            {
                return true;
            }

            for (int s = 0; s < _slots.Capacity; s++)
            {
                if (_slots.IsUsed(s) && _gatewayOf[s] == node)
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Whether <paramref name="neighbour"/>'s last beacon made it a gateway (cost 0, hops 0): it bundles its hop acks.</summary>
        public bool IsGatewayNeighbour(uint neighbour)
        {
            int s = _slots.Find(neighbour);
            return s >= 0 && _hops[s] == 0 && _cost[s] == 0;
        }

        /// <summary>The upward link to <paramref name="neighbour"/> failed: its ETX doubles.</summary>
        public void LinkFailed(uint neighbour)
        {
            int s = _slots.Find(neighbour);
            if (s >= 0 && _failures[s] < LinkEstimate.MaxFailures)
            {
                _failures[s]++;
            }
        }

        /// <summary>
        /// The link to the parent failed (PROTOCOL.md: after every retry): its ETX doubles and the parent is
        /// chosen afresh without hysteresis. True when that is news for the neighbours.
        /// </summary>
        public bool ParentFailed(uint parent, NeighbourTable neighbours, long nowMs)
        {
            LinkFailed(parent);
            if (_parent == parent)
            {
                HoldDown(nowMs);
                _parent = 0;
            }

            return Recompute(neighbours, nowMs) || _parent != parent;
        }

        /// <summary>An upward frame over the link was acknowledged: its failure penalty is forgiven.</summary>
        public void LinkWorked(uint neighbour)
        {
            int s = _slots.Find(neighbour);
            if (s >= 0)
            {
                _failures[s] = 0;
            }
        }

        /// <summary>Forgets a neighbour's route until its next beacon (a loop through it was detected).</summary>
        public void DropRouteOf(uint neighbour, long nowMs)
        {
            int s = _slots.Find(neighbour);
            if (neighbour == _parent && _parent != 0)
            {
                HoldDown(nowMs);
            }

            if (s >= 0)
            {
                _cost[s] = Beacon.NoCost;
                _hops[s] = Beacon.NoHops;
            }
        }

        /// <summary>
        /// The cost a neighbour carried in a frame it transmitted (its sender cost): fresher than its last beacon. A
        /// route lost is taken at once; a route gained waits for a beacon, which brings its hops, parent and gateway.
        /// True when this was the parent's cost and it changed.
        /// </summary>
        public bool HeardCost(uint neighbour, int cost)
        {
            int s = _slots.Find(neighbour);
            if (s < 0 || _isGateway || _gatewayOf[s] == neighbour || _cost[s] == cost || _cost[s] == Beacon.NoCost)
            {
                return false;
            }

            _cost[s] = (ushort)cost;
            if (cost == Beacon.NoCost)
            {
                _hops[s] = Beacon.NoHops;
            }

            return neighbour == _parent;
        }

        /// <summary>Any authenticated frame this neighbour transmitted: it is alive (a beacon suppressed by Trickle does not make its route stale).</summary>
        public void Heard(uint neighbour, long nowMs)
        {
            int s = _slots.Find(neighbour);
            if (s >= 0 && _cost[s] != Beacon.NoCost)
            {
                _beaconMs[s] = nowMs;
            }
        }

        /// <summary>Whether parent choice is restricted to feasible neighbours (cost below ours when the parent was lost).</summary>
        public bool InHoldDown(long nowMs)
        {
            return nowMs < _holdUntilMs;
        }

        private void HoldDown(long nowMs)
        {
            if (_ownCost != Beacon.NoCost)
            {
                _holdCost = _ownCost;
                _holdUntilMs = nowMs + _holdDownMs;
            }
        }

        /// <summary>
        /// Re-chooses the parent: the neighbour m minimising cost(m) + 16 × ETX(m) among neighbours with a
        /// live route whose parent is not this node; the current parent is kept unless another is cheaper
        /// by at least <see cref="Hysteresis"/>. True when that is news for the neighbours (parent change,
        /// route gained or lost, cost change of at least 16).
        /// </summary>
        public bool Recompute(NeighbourTable neighbours, long nowMs)
        {
            if (_isGateway)
            {
                return false;
            }

            int best = -1;
            int bestCost = Beacon.NoCost;
            int current = -1;
            int currentCost = Beacon.NoCost;
            for (int s = 0; s < _slots.Capacity; s++)
            {
                if (!_slots.IsUsed(s))
                {
                    continue;
                }

                int c = CandidateCost(s, neighbours, nowMs);
                if (c < 0)
                {
                    continue;
                }

                uint id = _slots.KeyAt(s);
                if (id == _parent)
                {
                    current = s;
                    currentCost = c;
                }

                if (c < bestCost || (c == bestCost && best >= 0 && id < _slots.KeyAt(best)))
                {
                    best = s;
                    bestCost = c;
                }
            }

            if (current < 0 && _parent != 0)
            {
                HoldDown(nowMs); // the parent's route is gone (lost, stale or unusable): only feasible successors
                best = -1;
                bestCost = Beacon.NoCost;
                for (int s = 0; s < _slots.Capacity; s++)
                {
                    int c = _slots.IsUsed(s) ? CandidateCost(s, neighbours, nowMs) : -1;
                    if (c >= 0 && c < bestCost)
                    {
                        best = s;
                        bestCost = c;
                    }
                }
            }

            int chosen = current >= 0 && bestCost + Hysteresis > currentCost ? current : best;
            int oldCost = _ownCost;
            if (chosen < 0)
            {
                _parent = 0;
                _ownCost = Beacon.NoCost;
                _ownHops = Beacon.NoHops;
                _gateway = 0;
            }
            else
            {
                _parent = _slots.KeyAt(chosen);
                _ownCost = chosen == current ? currentCost : bestCost;
                int hops = _hops[chosen] + 1;
                _ownHops = hops >= Beacon.NoHops ? Beacon.NoHops - 1 : hops;
                _gateway = _gatewayOf[chosen];
            }

            // Cost news is measured against what the neighbours were last told (Advertised), so an
            // estimate that wobbles and comes back is no news; a route gained or lost is. A parent change
            // alone is not (RPL resets its DIO Trickle timer on rank changes, not on parent changes): what
            // the neighbours act on is the cost, and the loop rules do not rest on a prompt beacon.
            int delta = _ownCost - _advertised;
            bool routeChanged = (oldCost == Beacon.NoCost) != (_ownCost == Beacon.NoCost);
            int significant = _advertised / RelativeCostChange;
            if (significant < SignificantCostChange)
            {
                significant = SignificantCostChange;
            }

            _newsIsMinor = !routeChanged && delta < _advertised / RelativeBadNews;
            return routeChanged || delta >= significant || -delta >= significant;
        }

        private int CandidateCost(int s, NeighbourTable neighbours, long nowMs)
        {
            uint id = _slots.KeyAt(s);
            if (_cost[s] == Beacon.NoCost || _hops[s] >= MaxHops || _parentOf[s] == _self
                || nowMs - _beaconMs[s] > _routeLossMs
                || (_failures[s] > 0 && nowMs - _beaconMs[s] > _failedSilenceMs)
                || (nowMs < _holdUntilMs && _cost[s] >= _holdCost))
            {
                return -1;
            }

            int rssi;
            int qIn;
            if (!neighbours.TryGet(id, out rssi, out qIn))
            {
                qIn = NeighbourTable.InitialQuality;
            }

            // A neighbour whose beacon does not list us (a full list, or it has not heard us since it
            // beaconed) is taken as symmetric: q_out = q_in. Failures still double the cost of a bad link.
            int qOut = _qOut[s] > 0 ? _qOut[s] : qIn;
            int etx = LinkEstimate.Etx16(qIn, qOut, _failures[s]);
            if (etx < 0)
            {
                return -1;
            }

            int c = _cost[s] + etx;
            return c >= Beacon.NoCost ? Beacon.NoCost - 1 : c;
        }
    }
}
