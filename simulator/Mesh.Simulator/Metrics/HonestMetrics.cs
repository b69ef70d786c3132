using System.Collections.Generic;

namespace Mesh.Simulator.Metrics
{
    /// <summary>The part of the run the ratios count: messages sent from the warm-up's end until the drain window.</summary>
    public sealed class MeasuredWindow
    {
        public double FromSeconds { get; set; }

        /// <summary>Messages and commands sent after this (the last drainSeconds) had no time to arrive and are not counted.</summary>
        public double ToSeconds { get; set; }
        public double DrainSeconds { get; set; }
    }

    /// <summary>Broadcast coverage against what was reachable at all (issue 13).</summary>
    public sealed class CoverageMetrics
    {
        /// <summary>Mean over broadcasts of the share of the live honest nodes (origin aside) reached: Broadcasts.DeliveryRatio.</summary>
        public double Raw { get; set; }

        /// <summary>
        /// Mean over broadcasts of the share reached among the nodes that were reachable when it was sent:
        /// live honest nodes joined to the origin by some link path through live relaying nodes, within the
        /// hop limit (every link in the table, partitions respected). Broadcasts with nothing reachable are left out.
        /// </summary>
        public double Reachable { get; set; }

        /// <summary>Mean number of reachable nodes per broadcast, and of live honest nodes (origin aside).</summary>
        public double ReachableNodesMean { get; set; }
        public double LiveNodesMean { get; set; }
    }

    /// <summary>What delivery cost, against the least it could have cost (issue 13).</summary>
    public sealed class CostMetrics
    {
        /// <summary>
        /// Mean over delivered readings of (transmissions of that reading) / (hops of the shortest path from
        /// its origin to the nearest gateway), the path over the links of the link table at send time with
        /// at least 50 % reception, through relaying nodes (crashes and partitions not considered). 1 is a
        /// perfect unicast route; a reading carried by luck over weaker, longer links can come in under 1.
        /// </summary>
        public double ReadingPathStretch { get; set; }

        /// <summary>Mean shortest-path hops of those readings, and readings whose origin had no path at all (not counted).</summary>
        public double ReadingShortestHopsMean { get; set; }
        public long ReadingsWithoutPath { get; set; }

        /// <summary>Structured routing's control frames transmitted in the measured window: beacons, and hop acks (explicit acknowledgements of upward frames).</summary>
        public long Beacons { get; set; }
        public long HopAcks { get; set; }

        /// <summary>
        /// Transmissions per delivered reading with control included (issue 13's reading target): every
        /// transmission of the delivered readings plus the beacons and hop acks of the measured window,
        /// divided by the delivered readings; and that over their mean shortest-path hops.
        /// </summary>
        public double ReadingTransmissionsWithControl { get; set; }
        public double ReadingPathStretchWithControl { get; set; }

        /// <summary>
        /// The least a delivered reading could cost on this radio, over its shortest-path hops as the stretch
        /// (Reachability.EtxToNearest, on the link table at the end of the run, collisions not counted): with
        /// acknowledgements free and never lost, and with each hop acknowledged by a frame as lossy as its own.
        /// </summary>
        public double ReadingEtxBound { get; set; }
        public double ReadingEtxBoundAcknowledged { get; set; }

        /// <summary>Broadcast transmissions per broadcast over the greedy connected dominating set size (as RunResult.BroadcastTransmissionsPerCds).</summary>
        public double BroadcastTransmissionsPerCds { get; set; }

        /// <summary>
        /// What a broadcast would cost, over the same greedy CDS, scheduled with knowledge of every link but not
        /// of who received, to 99.5 % expected coverage (BroadcastSchedule, on the link table at the end of the
        /// run, collisions not counted; 0 when the run sent no broadcasts).
        /// </summary>
        public double BroadcastScheduleEstimate { get; set; }

        /// <summary>Share of all airtime spent on control frames: heartbeats, acknowledgements and every type other than readings, commands and broadcast text.</summary>
        public double ControlAirtimeShare { get; set; }

        /// <summary>Airtime per frame class in seconds (reading, broadcast, command, heartbeat, ack, other), adversaries' frames included.</summary>
        public Dictionary<string, double> AirtimeSecondsByClass { get; set; } = new();
    }

    /// <summary>Receptions lost to collisions (issue 13), apart from the raw count of corrupted frame arrivals.</summary>
    public sealed class CollisionLossMetrics
    {
        /// <summary>
        /// (receiver, message) pairs where a copy that would have decoded but for interference arrived
        /// before the receiver had any intact copy; each pair once. "Would have decoded" draws the link's
        /// reception chance from a stream of its own (the run is unchanged); bursty loss is not replayed.
        /// </summary>
        public long ReceptionsLost { get; set; }

        /// <summary>Of those, pairs whose receiver never got an intact copy later either.</summary>
        public long NeverReceived { get; set; }
    }

    /// <summary>Quality of service under misbehaving senders (issue 15).</summary>
    public sealed class QosMetrics
    {
        /// <summary>Babblers (insiders flooding their own traffic) and stuck sensors (reporting faster than the workload): their own messages are not in Readings or Broadcasts.</summary>
        public List<int> Babblers { get; set; } = new();
        public List<int> StuckSensors { get; set; } = new();

        /// <summary>Readings from everyone else, in the measured window (the same as Readings).</summary>
        public long HonestReadingsSent { get; set; }
        public long HonestReadingsDelivered { get; set; }
        public double HonestReadingDelivery { get; set; }

        /// <summary>Messages the babblers and stuck sensors originated in the measured window, and how many reached a gateway (readings) or anyone (broadcasts).</summary>
        public long ExcludedMessagesSent { get; set; }
        public long ExcludedMessagesDelivered { get; set; }

        /// <summary>Frames the babblers put on the air as origin (whole run).</summary>
        public long BabblerFramesOriginated { get; set; }

        /// <summary>Transmissions, by any node, of a babbler's frame as relayed (hops taken ≥ 1), and of those with hops taken &gt; 2 after relaying.</summary>
        public long BabblerRelayTransmissions { get; set; }
        public long BabblerTransmissionsBeyond2Hops { get; set; }

        /// <summary>BabblerTransmissionsBeyond2Hops / BabblerFramesOriginated: how far the mesh carries the babble.</summary>
        public double BabblerBeyond2HopsPerOriginated { get; set; }

        /// <summary>
        /// Distinct babbler frames that any node transmitted with more than 2 hops taken, and their share
        /// of the frames the babblers originated: issue 15's "relayed beyond 2 hops ≤ 1 % of what it sends".
        /// </summary>
        public long BabblerFramesBeyond2Hops { get; set; }
        public double BabblerShareBeyond2Hops { get; set; }

        /// <summary>Command acknowledgement latency (the same as Commands.RoundTripP50Ms/P99Ms), and delivery ratio.</summary>
        public double CommandAckP50Ms { get; set; }
        public double CommandAckP99Ms { get; set; }
        public double CommandDelivery { get; set; }

        /// <summary>Busiest node's busiest fixed window of 10 s and of 1 h (the run when shorter).</summary>
        public DutyWindow DutyCycle10s { get; set; } = new();
        public DutyWindow DutyCycle1h { get; set; } = new();
    }

    public sealed class DutyWindow
    {
        public double WindowSeconds { get; set; }
        public double MaxPercent { get; set; }
        public int Node { get; set; }
    }
}
