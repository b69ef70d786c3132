using Mesh.Protocol.Tables;

namespace Mesh.Protocol.Forwarding
{
    /// <summary>
    /// Reverse paths learned from traffic: a frame from origin O that reached us from neighbour P after
    /// h relays says "O is h+1 transmissions away via P". Directed frames (commands, acks) follow these
    /// next hops instead of flooding; an entry expires, and is dropped when a path is found broken.
    /// </summary>
    public sealed class RouteTable
    {
        private readonly KeySlots _slots;
        private readonly uint[] _nextHop;
        private readonly byte[] _distance;
        private readonly long[] _updatedMs;
        private readonly long _lifetimeMs;

        public RouteTable(int capacity, long lifetimeMs)
        {
            _slots = new KeySlots(capacity);
            _nextHop = new uint[_slots.Capacity];
            _distance = new byte[_slots.Capacity];
            _updatedMs = new long[_slots.Capacity];
            _lifetimeMs = lifetimeMs;
        }

        public int Capacity
        {
            get { return _slots.Capacity; }
        }

        /// <summary>
        /// Learns from a frame. The first copy of a message sets the route unless it is longer than the
        /// current one; later copies (duplicates) only ever shorten it, so that the next hop does not flap
        /// between equally good neighbours. A route is refreshed by any copy through the same next hop.
        /// </summary>
        public void Learn(uint origin, uint previousHop, int hopsTaken, long nowMs, bool firstCopy)
        {
            int distance = hopsTaken + 1;
            bool claimed;
            int slot = _slots.FindOrClaim(origin, out claimed);
            bool expired = nowMs - _updatedMs[slot] > _lifetimeMs;
            bool better = firstCopy ? distance <= _distance[slot] : distance < _distance[slot];
            if (claimed || expired || better || _nextHop[slot] == previousHop)
            {
                _nextHop[slot] = previousHop;
                _distance[slot] = (byte)(distance > 255 ? 255 : distance);
                _updatedMs[slot] = nowMs;
            }
        }

        /// <summary>Whether a later copy via <paramref name="previousHop"/> would change the route (it is shorter, or the route is stale or absent).</summary>
        public bool WouldShorten(uint origin, uint previousHop, int hopsTaken, long nowMs)
        {
            int slot = _slots.Find(origin);
            if (slot < 0 || nowMs - _updatedMs[slot] > _lifetimeMs)
            {
                return true;
            }

            return hopsTaken + 1 < _distance[slot] && _nextHop[slot] != previousHop;
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

            return _distance[slot];
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
