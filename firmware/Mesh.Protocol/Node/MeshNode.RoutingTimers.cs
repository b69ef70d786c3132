using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Structured routing, originating and timers: this node's beacons (Trickle-paced, with the backbone table) and
    /// the routing work due at each step (hop-ack bundles, lost routes, overdue upward frames, stored readings).
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>
        /// Share of the duty-cycle budget, permille, that beacons leave to other frames: a beacon is not sent when it
        /// would take the airtime of this node's beacons in the window past 1/8 of the budget (counted
        /// BeaconsDutySkipped; StructuredRouting.BeaconAir keeps that airtime, as the node's DutyCycle keeps all of it).
        /// </summary>
        public const int BeaconReservePermille = 875;

        private void SendBeacon(long nowMs)
        {
            StructuredRouting r = _routing;
            GradientTable g = r.Gradient;
            Beacon b = r.Beacon;
            bool canRoute = r.IsGateway || NodeRoles.Relays(_role);
            b.Flags = (r.IsGateway ? Beacon.FlagGateway : 0) | (IsCongested(nowMs) ? Beacon.FlagCongested : 0)
                | (r.Store != null && r.Store.Count > 0 ? Beacon.FlagStoring : 0) | BackboneBeaconFlags(nowMs);
            b.Role = (int)_role;
            b.Cost = AdvertisedCostNow(); // the cost every frame this node sends carries (SealForAir)
            b.Hops = canRoute ? g.Hops : Beacon.NoHops;
            b.Parent = g.Parent;
            b.Gateway = canRoute ? g.Gateway : 0;
            // Quality of service (PROTOCOL.md): how busy the channel is here, and the origin this node
            // throttled most since its last beacon — that origin hears it and spaces its own reports.
            b.Utilisation = Utilisation(nowMs);
            int throttledCount;
            b.Throttled = TakeMostThrottled(out throttledCount);
            b.ThrottledCount = throttledCount;
            if (!FillBackboneNeighbours(b))
            {
                int count = 0;
                for (int s = 0; s < _neighbours.Capacity && count < Beacon.MaxNeighbours; s++)
                {
                    if (_neighbours.IsUsed(s))
                    {
                        b.NeighbourIds[count] = _neighbours.IdAt(s);
                        b.NeighbourQuality[count] = (byte)_neighbours.QualityAt(s);
                        count++;
                    }
                }

                b.NeighbourCount = count;
            }
            int n = b.Encode(_txPayload, 0);

            // A beacon is control, a reading is data: beacons may use only part of the duty-cycle budget, so
            // Trickle resets (which an insider can provoke) never spend what this node's data needs. Counted on
            // the beacons' own airtime, not the window's: counted on all of it, a relay busy with data (over
            // 1.25 % of the time on ESP-NOW's 10 %) stopped beaconing — 183,290 beacons skipped in a 3,000-node run.
            int beaconAir = _airtime.Of(FrameLayout.HeaderSize + n + FrameLayout.NetMicSize);
            if (!r.BeaconAir.AllowsKeeping(nowMs, beaconAir, BeaconReservePermille))
            {
                r.BeaconsDutySkipped++;
                return;
            }

            if (Originate(MessageType.Beacon, NodeAddress.Broadcast, NodeAddress.None, n, nowMs, 0) == SendResult.Queued)
            {
                r.BeaconAir.Spend(nowMs, beaconAir);
                r.BeaconsSent++;
                g.Advertised(canRoute ? g.Cost : Beacon.NoCost); // cost news is about the cost, not the load
                if (r.Backbone != null)
                {
                    r.Backbone.Advertised(Backbone.DegreeOf(b));
                }
            }
        }

        /// <summary>Beacons due, routes lost, upward frames whose acknowledgement is overdue.</summary>
        private void ServiceRouting(long nowMs)
        {
            if (_routing != null && _routing.AckBundle != null && _routing.AckBundle.DueMs <= nowMs)
            {
                FlushHopAcks(nowMs);
            }

            if (!RoutingActive)
            {
                return;
            }

            StructuredRouting r = _routing;
            if (r.Load.Track(r.Upward.Count, r.Upward.Capacity))
            {
                r.Trickle.Unsuppress(); // the next beacon carries the load, whatever the neighbours said meanwhile
            }

            RecomputeRoute(nowMs); // a parent silent for RouteLossMs is lost here
            BackboneBeforeTrickle();
            if (r.Trickle.Poll(nowMs, _random))
            {
                SendBeacon(nowMs);
            }

            UpwardFrames up = r.Upward;
            for (int u = 0; u < up.Capacity; u++)
            {
                if (up.IsUsed(u) && up.DeadlineOf(u) <= nowMs)
                {
                    ServiceUpward(u, nowMs);
                }
            }

            ForwardStored(nowMs);
        }
    }
}
