using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Structured routing, relaying (PROTOCOL.md "Structured routing", upward data and loops): an upward frame
    /// sent to this node as next hop goes on to its parent, or is flooded when it has no route, its parent is the
    /// sender, or the hop budget is spent.
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>
        /// Whether a flooded upward frame — a reading or a heartbeat (a fallback: its origin had no route, or a relay's
        /// route kept failing) — should not be flooded on from here: this node has a route and is no nearer a gateway
        /// than the node it heard the copy from, which advertised a route. A flood of one reading reached the whole
        /// 3,000-node mesh (~1,360 transmissions; 28 such floods were 19 % of the reading transmissions on
        /// random-3000-one-gateway seed 31); relayed only downhill it runs towards the gateways in a band. Heartbeats
        /// too since stop 41: they ride the backbone when flooded, and each still reached the whole mesh (~670–1,080
        /// transmissions; on the 3,000-node, 10 %, one-gateway cell's seed 2, 1,171 heartbeat floods were 0.78 of its
        /// 7.56 million transmissions). A sender that advertises no route, or that this node has not heard beaconing,
        /// is relayed as before, and so is everything at a node without a route, so a broken gradient still floods
        /// everywhere it has to. A gateway's own heartbeat is no fallback — a gateway has no parent, and its heartbeat
        /// is the mesh's time beacon and how the other gateways see it — so a heartbeat from a gateway this node knows
        /// of (<see cref="GradientTable.KnowsGateway"/>) floods on as before; one from a gateway it does not know still
        /// runs downhill, towards the gateways. Not with FallbackEcho: there the flood is also how a reading's origin learns it was
        /// given up (store and forward), and the origin is uphill (farm-200-partition, seeds 11–15: 1,086 of 1,230
        /// cut-off readings delivered with the rule, 1,227 without).
        /// </summary>
        private bool UphillOfUpwardFlood(FrameHeader h, long nowMs)
        {
            if (!IsUpward(h.Type, h.Destination) || !RoutingActive || _routing.IsGateway || _routing.FallbackEcho)
            {
                return false;
            }

            GradientTable g = _routing.Gradient;
            if (!g.HasRoute || (h.Type == MessageType.Heartbeat && g.KnowsGateway(h.Origin)))
            {
                return false;
            }

            int senderCost = g.AdvertisedCost(h.PreviousHop, nowMs);
            if (senderCost < 0 || senderCost == Beacon.NoCost || g.Cost < senderCost)
            {
                return false;
            }

            _routing.FloodsNotRelayedUphill++;
            return true;
        }

        /// <summary>
        /// An upward frame sent to us as next hop: forward it to our parent (loop rule first), or flood it
        /// by managed flooding when we have no route. Returns false when not an upward frame for the gradient.
        /// </summary>
        private bool RelayUpward(FrameHeader h, NetworkKey net, byte[] frame, int offset, int rssi, long nowMs)
        {
            if (_routing == null || h.Destination != NodeAddress.Gateways)
            {
                return false;
            }

            StructuredRouting r = _routing;
            if (r.IsGateway)
            {
                return true; // consumed here and hop-acked (AfterAccepted)
            }

            if (!RoutingActive)
            {
                return false;
            }

            GradientTable g = r.Gradient;
            uint sender = h.PreviousHop;
            bool flood = false;
            // The cost the sender wrote in this copy, not the one its last beacon said: a loop lives on a stale cost,
            // and the copy's is the cost of now (RPL's rank in the data packet).
            int senderCost = h.SenderCost;
            if (g.HasRoute && senderCost != Beacon.NoCost && senderCost <= g.Cost)
            {
                // The sender is no farther from a gateway than we are: a loop or a stale gradient.
                r.LoopsDetected++;
                r.Trickle.Reset(nowMs, _random);
                if (sender == g.Parent)
                {
                    // A loop through our own parent: its route is forgotten, and the frame goes to the parent we
                    // choose without it, as CTP and RPL keep forwarding while they repair; flooded only when no route
                    // is left. Flooded every time, these were 122 floods in random-3000 seed 35, and its flooded
                    // reading copies fell from 39,041 to 17,916 without them.
                    g.DropRouteOf(sender, nowMs);
                    RecomputeRoute(nowMs);
                    flood = !g.HasRoute;
                }
            }

            uint next = flood ? NodeAddress.None : g.Parent;
            if (next == sender)
            {
                next = NodeAddress.None;
            }

            // Hop budget (FallbackEcho): the frame has too few hops left to climb this node's gradient, so it
            // wandered a longer path than the gradient says — a stale one, as in a partition. Forwarded, it would
            // die at the hop limit with no hops left to flood it back to its origin; flooded from here, its
            // origin hears it and keeps the reading (store and forward).
            if (next != NodeAddress.None && r.FallbackEcho && h.HopsTaken + g.Hops > h.HopLimit)
            {
                next = NodeAddress.None;
                r.HopBudgetFloods++;
            }

            int delay;
            int cancelAfter = 0;
            if (next == NodeAddress.None)
            {
                delay = _policy.RebroadcastDelay(h, rssi, _random);
                if (delay < 0)
                {
                    return true;
                }

                cancelAfter = _policy.CancelThreshold;
                r.FloodFallbacks++;
            }
            else
            {
                delay = RandomExtensions.NextBelow(_random, _policy.Settings.JitterMs + 1);
            }

            // The fair share applies up the gradient as on a flood: a babbler's frames must not climb to
            // the gateway hop by hop past its neighbours (retransmissions of a frame already taken are
            // duplicates and never get here).
            if (!TakeFairShare(h.Origin, h.Type, h.FrameLength, nowMs))
            {
                return true;
            }

            r.Relayed.Add(h.Origin, h.Sequence, h.HopsTaken);
            if (next == NodeAddress.None)
            {
                r.Relayed.MarkEchoed(h.Origin, h.Sequence); // flooded from here already
            }

            int length = h.FrameLength;
            int slot = AcquireSlot(h.Type);
            if (slot < 0)
            {
                if (next == NodeAddress.None)
                {
                    _counters.RelaysDroppedQueueFull++;
                    return true;
                }

                // Queue full: keep the frame as an upward frame due now; it is sent when the queue has room
                // (ServiceUpward). Dropping it would be silent loss: the sender is hop-acked on its retry.
                int u = ClaimUpward(length, nowMs);
                r.Upward.Track(u, frame, offset, length, h.Origin, h.Sequence, next, nowMs);
                FrameCodec.WriteHopFields(r.Upward.FrameOf(u), r.Upward.OffsetOf(u), h.HopsTaken + 1, _id, next);
                r.UpwardForwarded++;
                return true;
            }

            byte[] buffer = ScheduleRelayCopy(slot, h, net, frame, offset, next, nowMs + delay, cancelAfter);
            if (next != NodeAddress.None)
            {
                r.UpwardForwarded++;
                TrackUpward(buffer, length, h.Origin, h.Sequence, next, nowMs, nowMs + delay);
            }

            return true;
        }
    }
}
