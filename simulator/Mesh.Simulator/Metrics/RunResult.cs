using System.Collections.Generic;

namespace Mesh.Simulator.Metrics
{
    /// <summary>Everything a run measured; serialised as the result JSON.</summary>
    public sealed class RunResult
    {
        public string Scenario { get; set; } = "";
        public ulong Seed { get; set; }
        public int Nodes { get; set; }
        public int Links { get; set; }
        public double SimulatedSeconds { get; set; }
        public double WallSeconds { get; set; }

        /// <summary>Spatial shards the run was simulated in, each on its own thread (1: one event loop).</summary>
        public int Shards { get; set; } = 1;
        public long Events { get; set; }

        /// <summary>Frame arrivals the radio model evaluated: every (transmission, receiver in range) pair,
        /// whether it ended decoded, collided or lost.</summary>
        public long FrameArrivals { get; set; }
        public double FrameArrivalsPerSecond { get; set; }

        /// <summary>Calls into MeshNode.Receive (every frame copy a node's radio decoded).</summary>
        public long Receptions { get; set; }
        public double ReceptionsPerSecond { get; set; }
        /// <summary>Radio frames sent: a bundle counts once. The per-class counts (<see cref="ClassMetrics.Transmissions"/>) count each frame a bundle carried.</summary>
        public long Transmissions { get; set; }

        /// <summary>Radio frames that carried more than one frame (PROTOCOL.md, "Bundles"), and the frames that rode behind a bundle's first.</summary>
        public long Bundles { get; set; }
        public long BundledFrames { get; set; }

        /// <summary>
        /// Raw count of frame arrivals corrupted by interference (every copy at every receiver, duplicates
        /// of messages it already had included). What collisions cost in messages is <see cref="CollisionLosses"/>.
        /// </summary>
        public long CollidedArrivals { get; set; }
        public CollisionLossMetrics CollisionLosses { get; set; } = new();
        public long LostToChannel { get; set; }
        public long LostToHalfDuplex { get; set; }

        /// <summary>Frame arrivals overlapped by a jammer on the air (adversaries with a duty cycle).</summary>
        public long LostToJamming { get; set; }
        public long DuplicatesReceived { get; set; }

        /// <summary>The window whose messages the ratios count (warm-up and drain excluded).</summary>
        public MeasuredWindow Measured { get; set; } = new();

        /// <summary>Readings of every sensor but babblers and stuck sensors (see <see cref="Qos"/>).</summary>
        public ClassMetrics Readings { get; set; } = new();
        public ClassMetrics Broadcasts { get; set; } = new();
        public CommandMetrics Commands { get; set; } = new();

        /// <summary>Broadcast transmissions per broadcast over the greedy connected dominating set size.</summary>
        public double BroadcastTransmissionsPerCds { get; set; }
        public int GreedyCdsSize { get; set; }

        public CoverageMetrics Coverage { get; set; } = new();
        public CostMetrics Cost { get; set; } = new();
        public QosMetrics Qos { get; set; } = new();
        public SecurityMetrics Security { get; set; } = new();

        /// <summary>Routes at honest nodes through non-existent or malicious nodes (every run).</summary>
        public RoutePoisoningMetrics RoutePoisoning { get; set; } = new();

        /// <summary>Structured routing's counters summed over the nodes (all zero without structured routing).</summary>
        public RoutingCounters Routing { get; set; } = new();

        /// <summary>Heartbeats sent in the measured window that reached a gateway (a gateway's own: another gateway).</summary>
        public HeartbeatMetrics Heartbeats { get; set; } = new();

        /// <summary>The network key refresh, when the scenario has one (<c>keyRefresh</c>); otherwise absent.</summary>
        public KeyRefreshMetrics? KeyRefresh { get; set; }
        public AirtimeMetrics Airtime { get; set; } = new();
        public Dictionary<string, long> Rejected { get; set; } = new();
        public long ManagedFloodingCancellations { get; set; }
        public long PeakWorkingSetBytes { get; set; }
    }

    public sealed class ClassMetrics
    {
        public long Sent { get; set; }
        public long Delivered { get; set; }

        /// <summary>Readings: reached a gateway. Broadcasts: mean fraction of the live nodes reached.</summary>
        public double DeliveryRatio { get; set; }
        public double LatencyP50Ms { get; set; }
        public double LatencyP90Ms { get; set; }
        public double LatencyP99Ms { get; set; }
        public double HopsMean { get; set; }
        public int HopsMax { get; set; }

        /// <summary>
        /// Broadcasts only: share of the copies delivered (each node's first) that arrived with hops taken equal to
        /// their hop limit, so the node could not pass them on. Well above 0 means the limit binds: the nodes past
        /// those were reachable only if the frame took no detour (simulator/README.md, city-1000's hop limit).
        /// </summary>
        public double AtHopLimitShare { get; set; }
        public long Transmissions { get; set; }
        public double TransmissionsPerDelivered { get; set; }

        /// <summary>
        /// Readings only: those sent while a partition cut their origin off from every gateway (no path
        /// through live relays with the cut respected), and how many of them reached a gateway by the end —
        /// what store and forward delivers after the partition heals. Included in Sent/Delivered too.
        /// </summary>
        public long CutOffSent { get; set; }
        public long CutOffDelivered { get; set; }

        /// <summary>
        /// Readings only: delivered as a store-and-forward copy (a later frame carrying the original's
        /// measured-at, traced back to it), and copies of readings a gateway already had (what the gateway's
        /// deduplication on node, measured-at and items removes).
        /// </summary>
        public long StoreForwardedDelivered { get; set; }
        public long StoreForwardedDuplicates { get; set; }

        /// <summary>
        /// Readings only: reports the schedule (each sensor's report interval) asked for in the measured window
        /// that report spacing (PROTOCOL.md, congestion control) took away, rounded — never sent, so in neither
        /// Sent nor Delivered — and reports the core refused to queue. Sent + SpacedAway + RefusedAtSend is what
        /// the schedule asked for; Delivered over that is <see cref="DeliveredOfSchedule"/>.
        /// </summary>
        public long SpacedAway { get; set; }
        public long RefusedAtSend { get; set; }
        public double DeliveredOfSchedule { get; set; }

        /// <summary>Readings only: what the schedule asked for in the window, Sent + SpacedAway + RefusedAtSend (not serialised: the three are).</summary>
        [System.Text.Json.Serialization.JsonIgnore]
        public long Scheduled => Sent + SpacedAway + RefusedAtSend;
    }

    public sealed class CommandMetrics
    {
        public long Sent { get; set; }
        public long Acknowledged { get; set; }
        public long TimedOut { get; set; }
        public double SuccessRatio { get; set; }
        public double RoundTripP50Ms { get; set; }
        public double RoundTripP99Ms { get; set; }
        public long Retries { get; set; }
    }

    public sealed class SecurityMetrics
    {
        public long AdversarialFramesSent { get; set; }

        /// <summary>
        /// Transmissions of replayers and forgers that any node (relays included) accepted. A replay of a
        /// frame the node had missed, arriving within the freshness window, is indistinguishable from a
        /// late copy and counts here; see <see cref="AcceptedTwice"/> for replays proper.
        /// </summary>
        public long AdversarialAccepted { get; set; }

        /// <summary>
        /// Of <see cref="AdversarialAccepted"/>, beacons and hop acks: a one-hop frame played back where its
        /// sender cannot be heard makes a distant node look like a neighbour. The one-hop leash refuses those
        /// played back more than a few seconds late (PROTOCOL.md, "Freshness").
        /// </summary>
        public long AdversarialOneHopAccepted { get; set; }

        /// <summary>Messages a node (relays included) accepted a second time: replays that worked. Counted in runs with a replayer. Must be 0.</summary>
        public long AcceptedTwice { get; set; }

        /// <summary>
        /// Of <see cref="AcceptedTwice"/>, the second takings of a copy an adversary transmitted (replayer,
        /// echo, ...): replays proper. The rest are honest late copies a node had forgotten it took (board
        /// tables cycling in a large mesh). Counted in runs with a replayer.
        /// </summary>
        public long AcceptedTwiceFromAdversaries { get; set; }

        /// <summary>Messages handed to an application that no honest node originated. Must be 0.</summary>
        public long ForgedDelivered { get; set; }

        /// <summary>Messages handed to one node's application twice. Must be 0.</summary>
        public long ReplayedDelivered { get; set; }
        public long RejectedBadMic { get; set; }
        public long RejectedReplay { get; set; }

        /// <summary>Tamperers (no key): hop-field-altered copies sent; taken by any node (must be 0); refused BadMic, and for another reason (duplicate, stale) before the MIC was checked.</summary>
        public long TamperedSent { get; set; }
        public long TamperedTaken { get; set; }
        public long TamperedRefusedBadMic { get; set; }
        public long TamperedRefusedOther { get; set; }

        /// <summary>(node, id) pairs ever found in a neighbour table or as a route's next hop that are a tamperer's or an invented id. Must be 0.</summary>
        public long InventedIdsInTables { get; set; }

        /// <summary>Echoes: verbatim re-transmissions; copies first taken from an echo (late first copies, not a violation).</summary>
        public long EchoesSent { get; set; }
        public long EchoesTaken { get; set; }

        /// <summary>
        /// Of <see cref="EchoesTaken"/>, beacons and hop acks: an echo re-sends at once, within the one-hop leash,
        /// so these are the wormhole the leash cannot stop (PROTOCOL.md, "Freshness").
        /// </summary>
        public long EchoOneHopTaken { get; set; }

        /// <summary>Reboot replayers: targets power-cycled, captured commands re-sent after the restart.</summary>
        public long RebootTargets { get; set; }
        public long RebootReplaysSent { get; set; }

        /// <summary>Commands a node executed a second time (same commander and counter), any cause. Must be 0.</summary>
        public long CommandsExecutedTwice { get; set; }

        /// <summary>Insiders: forged frames sent; forgeries a gateway opened (readings, heartbeats, acks claiming another origin, or an evicted key's own). Must be 0.</summary>
        public long InsiderFramesSent { get; set; }
        public long InsiderForgeriesAccepted { get; set; }

        /// <summary>Insiders' forged commands a target executed. Must be 0.</summary>
        public long InsiderCommandsExecuted { get; set; }

        /// <summary>Insiders' forgeries refused by the node they were for (gateway or command target): bad payload MIC, unknown device, unsealed.</summary>
        public long InsiderRefusedAtConsumer { get; set; }

        /// <summary>
        /// Genuine messages (distinct origin, sequence) of an origin an insider claimed, refused at a gateway
        /// because a forgery took their sequence number (duplicate) or pushed the window past it (replayed,
        /// too old): the forgery's network MIC verifies, so every node that takes it — relays, and the
        /// gateway before it opens the payload — commits its sequence to the replay window and duplicate cache.
        /// </summary>
        public long InsiderVictimFramesRefused { get; set; }
    }

    /// <summary>
    /// Route poisoning: of the routes honest nodes (gateways included) hold — reverse routes (route table
    /// entries towards every honest node, and towards any invented id) and, under structured routing,
    /// gradient parents — the share whose next hop (parent) is a node that does not exist or an adversary
    /// (any kind but honest), or whose destination does not exist. Sampled every 30 s after warm-up and
    /// when the result is built.
    /// </summary>
    public sealed class RoutePoisoningMetrics
    {
        /// <summary>At the end of the run: routes held, and poisoned ones (through a non-existent id, through an adversary).</summary>
        public long Routes { get; set; }
        public long Poisoned { get; set; }
        public long ThroughNonExistent { get; set; }
        public long ThroughAdversaries { get; set; }
        public double Share { get; set; }

        /// <summary>Gradient parents (structured routing) at the end: honest nodes with a parent, and those whose parent is non-existent or an adversary.</summary>
        public long Parents { get; set; }
        public long PoisonedParents { get; set; }

        /// <summary>Over the samples (routes and parents together): mean and highest poisoned share, and how many samples.</summary>
        public double MeanShare { get; set; }
        public double MaxShare { get; set; }
        public int Samples { get; set; }
    }

    /// <summary>A network key refresh with eviction driven by a gateway (scenario <c>keyRefresh</c>).</summary>
    public sealed class KeyRefreshMetrics
    {
        public double StartedSeconds { get; set; }

        /// <summary>When phase 3 ended (null: the run ended first, or it stalled).</summary>
        public double? FinishedSeconds { get; set; }

        /// <summary>The phase reached: 3 when finished, -1 stalled.</summary>
        public int Phase { get; set; }
        public string? Stalled { get; set; }
        public List<uint> Evicted { get; set; } = new();

        /// <summary>Provisioned nodes running a core, not evicted: sent phase 1.</summary>
        public int Targets { get; set; }
        public List<KeyRefreshPhaseMetrics> Phases { get; set; } = new();
        public long CommandsSent { get; set; }
        public long CommandsTimedOut { get; set; }

        /// <summary>Command 6 sent again to a node that answered phase 2 or 3 without the new key (restarted).</summary>
        public long KeysSentAgain { get; set; }

        /// <summary>Honest non-gateway nodes at the end holding only the new key, and those still holding the old one.</summary>
        public int NodesOnNewKeyOnly { get; set; }
        public int NodesStillHoldingOldKey { get; set; }

        /// <summary>Honest readings sent between the start and the end of the refresh, and delivered to a gateway.</summary>
        public long ReadingsSentDuring { get; set; }
        public long ReadingsDeliveredDuring { get; set; }
        public double ReadingDeliveryDuring { get; set; }

        /// <summary>Evicted nodes' injections (insider forgeries) sent while the refresh ran (from its start) / after it finished.</summary>
        public long EvictedInjectionsDuring { get; set; }
        public long EvictedInjectionsAfter { get; set; }

        /// <summary>(node, injection) pairs an honest core took (relays included): of those sent while the refresh ran, and of those sent after it (must be 0).</summary>
        public long EvictedInjectionsTakenDuring { get; set; }
        public long EvictedInjectionsTakenAfter { get; set; }

        /// <summary>Receptions of injections sent after the refresh refused as unknown_key.</summary>
        public long EvictedRefusedUnknownKeyAfter { get; set; }
    }

    public sealed class KeyRefreshPhaseMetrics
    {
        public int Phase { get; set; }
        public int Targets { get; set; }
        public int Acknowledged { get; set; }
        public double EndedSeconds { get; set; }
        public bool DeadlinePassed { get; set; }
        public List<uint> NotAcknowledged { get; set; } = new();
    }

    public sealed class AirtimeMetrics
    {
        public double MeanDutyCyclePercent { get; set; }
        public double MaxDutyCyclePercent { get; set; }
        public int BusiestNode { get; set; }
    }
}
