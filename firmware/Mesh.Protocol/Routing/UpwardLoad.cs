using Mesh.Protocol.Messages;

namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// Load on a relay's upward slots, advertised in its cost (PROTOCOL.md "Structured routing", gradient): while
    /// all but one of its upward slots are taken its beacons advertise its cost plus <see cref="Penalty"/>, until half
    /// of them are free again. Its children with another route within the penalty move there at their next
    /// recompute, so the gateway's busiest child stops evicting frames it could not forward in time (3,000 nodes,
    /// one gateway: seed 34 lost 178 readings at one child of the gateway, each evicted after three copies).
    /// No Trickle reset: the penalty rides the next beacon Trickle schedules, which the neighbours' consistent
    /// beacons do not suppress; resetting on it moved whole subtrees at once (seed 32: 97.7 % against 99.6 %). The node's own cost, its cost news and its loop checks
    /// use the cost without the penalty: a loaded node must not take its children's frames for loops. A gateway
    /// consumes upward frames and keeps none in upward slots, so it is never loaded.
    /// </summary>
    public sealed class UpwardLoad
    {
        /// <summary>Cost added while loaded: 3 transmissions (twice the parent-change hysteresis).</summary>
        public const int Penalty = 48;

        private bool _loaded;

        /// <summary>Whether the node is advertising the penalty.</summary>
        public bool Loaded
        {
            get { return _loaded; }
        }

        /// <summary>Times the node became loaded (the simulator's counter).</summary>
        public long Spells;

        /// <summary>Updates the state from the slots in use out of <paramref name="capacity"/>; true when the node has just become loaded.</summary>
        public bool Track(int used, int capacity)
        {
            if (!_loaded && capacity > 1 && used >= capacity - 1)
            {
                _loaded = true;
                Spells++;
                return true;
            }

            if (_loaded && used <= capacity / 2)
            {
                _loaded = false;
            }

            return false;
        }

        /// <summary>The cost to put in a beacon for own cost <paramref name="cost"/> (no route stays no route).</summary>
        public int Advertise(int cost)
        {
            if (!_loaded || cost == Beacon.NoCost)
            {
                return cost;
            }

            int c = cost + Penalty;
            return c >= Beacon.NoCost ? Beacon.NoCost - 1 : c;
        }
    }
}
