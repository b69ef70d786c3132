using Mesh.Protocol.Routing;
using Mesh.Simulator.Engine;

namespace Mesh.Simulator.Metrics
{
    /// <summary>
    /// Structured routing's own counters summed over every node that routes (the whole run, warm-up
    /// included): what the control traffic was spent on and where upward frames needed help. All zero
    /// when no node routes structured.
    /// </summary>
    public sealed class RoutingCounters
    {
        public long Beacons { get; set; }
        public long HopAcks { get; set; }
        public long HopAckEntries { get; set; }
        public long PassiveAcks { get; set; }
        public long UpwardForwarded { get; set; }
        public long Retransmissions { get; set; }
        /// <summary>Retransmissions that reached a node which already had the frame (it answered with a hop ack): the sender had missed the forward or the ack.</summary>
        public long RetransmissionsAnswered { get; set; }
        /// <summary>Of those, the ones a gateway answered (its hop-ack bundle was missed).</summary>
        public long RetransmissionsAnsweredByGateways { get; set; }
        public long LinkFailures { get; set; }
        public long ParentChanges { get; set; }
        public long FloodFallbacks { get; set; }

        /// <summary>Copies of flooded upward readings not relayed by a node no nearer a gateway than their sender.</summary>
        public long FloodsNotRelayedUphill { get; set; }
        public long LoopsDetected { get; set; }

        /// <summary>Of the loops, upward frames that came back to a node that had relayed them (the rest: a sender no farther from a gateway than its next hop, by its last beacon).</summary>
        public long LoopReturns { get; set; }

        /// <summary>Origins' own flooded upward frames sent on along the gradient by a neighbour instead of flooded on (StructuredRouting.FloodsRejoined).</summary>
        public long FloodsRejoined { get; set; }

        /// <summary>Rejoin copies cancelled on hearing another node's directed copy (StructuredRouting.RejoinsCancelled).</summary>
        public long RejoinsCancelled { get; set; }

        /// <summary>Parents left because they retransmitted their own earlier copy of a frame handed to them: it came round a loop (StructuredRouting.LoopsLeft).</summary>
        public long LoopsLeft { get; set; }

        /// <summary>Upward frames whose retransmission state was given up for a newer frame (all slots taken).</summary>
        public long UpwardEvicted { get; set; }

        /// <summary>Evicted upward frames sent once more to their next hop (StructuredRouting.EvictionResends).</summary>
        public long EvictionResends { get; set; }

        /// <summary>Beacons not sent for want of duty-cycle budget (StructuredRouting.BeaconsDutySkipped).</summary>
        public long BeaconsDutySkipped { get; set; }

        /// <summary>Hop-ack waits restarted because the duty cycle still held the frame (StructuredRouting.DutyHeldWaits).</summary>
        public long DutyHeldWaits { get; set; }

        /// <summary>Times a node's upward slots filled and it advertised the load penalty (StructuredRouting.Load).</summary>
        public long LoadSpells { get; set; }

        /// <summary>
        /// The broadcast backbone (flooded frames other than upward readings: broadcasts, flooded heartbeats,
        /// commands without a route): copies scheduled by relays and as non-relays' fallbacks, new frames whose
        /// arriving copy already covered every strong neighbour, scheduled copies cancelled as covered or by the
        /// count of relayers heard, and second copies scheduled and cancelled.
        /// </summary>
        public long BackboneRelayCopies { get; set; }
        public long BackboneFallbacks { get; set; }
        public long BackboneCoveredOnArrival { get; set; }
        public long BackboneCancelledCovered { get; set; }
        public long BackboneCancelledCounted { get; set; }

        /// <summary>Of the cancelled copies, fallbacks: BackboneFallbacks minus this were sent (a frame dropped from a full queue aside).</summary>
        public long BackboneFallbacksCancelled { get; set; }
        public long BackboneRetransmissionsScheduled { get; set; }
        public long BackboneRetransmissionsCancelled { get; set; }

        public static RoutingCounters Sum(SimNode[] nodes)
        {
            var c = new RoutingCounters();
            foreach (SimNode n in nodes)
            {
                StructuredRouting? r = n.Core?.Routing;
                if (r == null)
                {
                    continue;
                }

                c.Beacons += r.BeaconsSent;
                c.HopAcks += r.HopAcksSent;
                c.HopAckEntries += r.HopAckEntriesSent;
                c.PassiveAcks += r.PassiveAcks;
                c.UpwardForwarded += r.UpwardForwarded;
                c.Retransmissions += r.Retransmissions;
                c.RetransmissionsAnswered += r.RetransmissionsAnswered;
                if (r.IsGateway)
                {
                    c.RetransmissionsAnsweredByGateways += r.RetransmissionsAnswered;
                }
                c.LinkFailures += r.LinkFailures;
                c.ParentChanges += r.ParentChanges;
                c.FloodFallbacks += r.FloodFallbacks;
                c.FloodsNotRelayedUphill += r.FloodsNotRelayedUphill;
                c.LoopsDetected += r.LoopsDetected;
                c.LoopReturns += r.LoopReturns;
                c.FloodsRejoined += r.FloodsRejoined;
                c.RejoinsCancelled += r.RejoinsCancelled;
                c.LoopsLeft += r.LoopsLeft;
                c.UpwardEvicted += r.Upward.Evicted;
                c.EvictionResends += r.EvictionResends;
                c.BeaconsDutySkipped += r.BeaconsDutySkipped;
                c.DutyHeldWaits += r.DutyHeldWaits;
                c.LoadSpells += r.Load.Spells;
                if (r.Backbone is Backbone b)
                {
                    c.BackboneRelayCopies += b.Scheduled;
                    c.BackboneFallbacks += b.FallbacksScheduled;
                    c.BackboneCoveredOnArrival += b.Covered;
                    c.BackboneCancelledCovered += b.CancelledCovered;
                    c.BackboneCancelledCounted += b.CancelledCounted;
                    c.BackboneFallbacksCancelled += b.FallbacksCancelled;
                    c.BackboneRetransmissionsScheduled += b.RetransmissionsScheduled;
                    c.BackboneRetransmissionsCancelled += b.RetransmissionsCancelled;
                }
            }

            return c;
        }
    }
}
