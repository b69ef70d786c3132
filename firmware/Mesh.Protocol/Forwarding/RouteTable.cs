using Mesh.Protocol.Tables;

namespace Mesh.Protocol.Forwarding
{
    /// <summary>
    /// Reverse paths learned from traffic: a frame from origin O that reached us from neighbour P after
    /// h relays says "O is h+1 transmissions away via P". Directed frames (commands, acks) follow these
    /// next hops instead of flooding; an entry expires, and is dropped when a path is found broken.
    /// A path is ranked by its cost, h hops at one transmission each plus the expected transmissions
    /// (ETX) of the link to P as this node measures it: a shorter path over a link that loses most
    /// frames is worse than a longer one over good links. Hop count alone picks exactly those links —
    /// managed flooding lets the farthest relay speak first — and directed commands along them fail
    /// (measured on the demo's grid: 39 of 85 pings needed the flooded retry; see MeshNode.Receive).
    /// </summary>
    public sealed class RouteTable
    {
        private readonly KeySlots _slots;
        private readonly uint[] _nextHop;
        // Cost (low 10 bits, at most 1023) and hop distance (high 6 bits, at most 63) in one ushort: the
        // 16 KB state budget has no room for a second array.
        private readonly ushort[] _metric;
        private const int CostBits = 10;
        private const int MaxCost = (1 << CostBits) - 1;
        private const int MaxDistance = 63;
        private readonly long[] _updatedMs;
        private readonly long _lifetimeMs;

        /// <summary>One transmission in cost units (ETX × 16, as in the beacon's cost field).</summary>
        public const int HopCost = 16;

        /// <summary>A new path must be cheaper by this much to replace a known one, so routes do not flap between near-equal paths.</summary>
        public const int Hysteresis = 4;

        public RouteTable(int capacity, long lifetimeMs)
        {
            _slots = new KeySlots(capacity);
            _nextHop = new uint[_slots.Capacity];
            _metric = new ushort[_slots.Capacity];
            _updatedMs = new long[_slots.Capacity];
            _lifetimeMs = lifetimeMs;
        }

        public int Capacity
        {
            get { return _slots.Capacity; }
        }

        /// <summary>
        /// Learns from a copy of a frame that reached this node via <paramref name="previousHop"/> after
        /// <paramref name="hopsTaken"/> relays, over a link costing <paramref name="linkCost"/>. The first
        /// copy of a message takes over the route unless it is dearer (so a route through a neighbour
        /// that died is replaced by the next message that arrives another way); a later copy only when
        /// cheaper by <see cref="Hysteresis"/>. A copy through the current next hop refreshes the route
        /// and its cost; an absent or stale route is always replaced.
        /// </summary>
        public void Learn(uint origin, uint previousHop, int hopsTaken, int linkCost, long nowMs, bool firstCopy)
        {
            int cost = PathCost(hopsTaken, linkCost);
            bool claimed;
            int slot = _slots.FindOrClaim(origin, out claimed);
            bool expired = nowMs - _updatedMs[slot] > _lifetimeMs;
            int known = _metric[slot] & MaxCost;
            bool better = firstCopy ? cost <= known : cost + Hysteresis <= known;
            if (claimed || expired || better || _nextHop[slot] == previousHop)
            {
                int distance = hopsTaken + 1 > MaxDistance ? MaxDistance : hopsTaken + 1;
                _nextHop[slot] = previousHop;
                _metric[slot] = (ushort)((distance << CostBits) | cost);
                _updatedMs[slot] = nowMs;
            }
        }

        /// <summary>Whether a copy via <paramref name="previousHop"/> would change the route (cheaper, or the route is stale or absent).</summary>
        public bool WouldImprove(uint origin, uint previousHop, int hopsTaken, int linkCost, long nowMs)
        {
            int slot = _slots.Find(origin);
            if (slot < 0 || nowMs - _updatedMs[slot] > _lifetimeMs)
            {
                return true;
            }

            return _nextHop[slot] != previousHop && PathCost(hopsTaken, linkCost) + Hysteresis <= (_metric[slot] & MaxCost);
        }

        private static int PathCost(int hopsTaken, int linkCost)
        {
            int cost = hopsTaken * HopCost + linkCost;
            return cost > MaxCost ? MaxCost : cost;
        }

        /// <summary>The neighbour to hand a frame for <paramref name="destination"/> to, or 0 when unknown.</summary>
        public uint NextHop(uint destination, long nowMs)
        {
            int slot = _slots.Find(destination);
            if (slot < 0 || nowMs - _updatedMs[slot] > _lifetimeMs)
            {
                return 0;
            }

            return _nextHop[slot];
        }

        public int Distance(uint destination, long nowMs)
        {
            int slot = _slots.Find(destination);
            if (slot < 0 || nowMs - _updatedMs[slot] > _lifetimeMs)
            {
                return -1;
            }

            return _metric[slot] >> CostBits;
        }

        public void Forget(uint destination)
        {
            int slot = _slots.Find(destination);
            if (slot >= 0)
            {
                _slots.Release(slot);
            }
        }
    }
}
