using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// The state of structured routing (policy kind 4) on one node: gradient, beacon timer, upward frames
    /// awaiting acknowledgement, its settings and counters. A node allocates it only when it is built
    /// structured or as a gateway, or is switched to structured by command, so nodes that flood pay nothing.
    /// </summary>
    public sealed class StructuredRouting
    {
        public readonly GradientTable Gradient;
        public readonly TrickleTimer Trickle;
        public readonly UpwardFrames Upward;

        /// <summary>Load on the upward slots, advertised in the beacons' cost (<see cref="UpwardLoad"/>).</summary>
        public readonly UpwardLoad Load = new UpwardLoad();

        /// <summary>Whether the fallback echo and loop-return rules apply (NodeConfig.FallbackEcho).</summary>
        public readonly bool FallbackEcho;

        /// <summary>Upward frames relayed lately, to tell a copy that went round a loop from a retransmission.</summary>
        public readonly RelayedUpward Relayed;

        /// <summary>
        /// Hops beyond its gradient's hop count that an upward frame's origin leaves it (MeshNode.UpwardHopLimit):
        /// room for a parent change or two on the way.
        /// </summary>
        public const int UpwardHopSlack = 2;

        /// <summary>Relayed upward frames remembered for loop detection (a few seconds' worth at a busy relay).</summary>
        public const int RelayedSlots = 8;

        /// <summary>This node's own readings kept while it has no route (store and forward); null on a gateway or with StoreSlots 0.</summary>
        public readonly ReadingStore Store;

        /// <summary>Spacing between stored readings forwarded once a route is back.</summary>
        public readonly long StoreForwardSpacingMs;
        /// <summary>The broadcast backbone's two-hop view, relay decision and waiting broadcasts; null when NodeConfig.Backbone is off.</summary>
        public readonly Backbone Backbone;

        /// <summary>Backbone: a relay's wait for its broadcast to be forwarded before retransmitting; a non-relay's before its fallback.</summary>
        public readonly long BackboneAckMs;
        public readonly Beacon Beacon = new Beacon();
        public readonly HopAck HopAck = new HopAck();

        public readonly bool IsGateway;
        public readonly long HopAckTimeoutMs;

        /// <summary>How long a gateway bundles hop acks (NodeConfig.HopAckBundleMs).</summary>
        public readonly long HopAckBundleMs;

        /// <summary>A gateway's hop acks waiting to leave together; null on other nodes or with HopAckBundleMs 0.</summary>
        public readonly HopAckBundle AckBundle;

        /// <summary>
        /// How long to wait for a gateway's hop ack (<see cref="Routing.GatewayAckTimer"/>): at 3,000 nodes a
        /// fixed 1.25-s wait held the slots of frames whose bundle was lost so long that 6,105 were evicted
        /// from full slots (1,087 before bundles). Null on a gateway or with HopAckBundleMs 0.
        /// </summary>
        public readonly GatewayAckTimer GatewayAckTimer;
        public readonly int HopRetries;
        public readonly int ParentSwitches;

        /// <summary>Routes are forgotten after this long without a beacon from the parent: 3 × the largest beacon interval.</summary>
        public readonly long RouteLossMs;

        /// <summary>After losing its parent a node takes only feasible parents (cost below its own) for this many smallest beacon intervals.</summary>
        public const int HoldDownIntervals = 16;

        public readonly long HoldDownMs;

        // Counters (what the simulator and tests measure).
        public long BeaconsSent;
        public long BeaconsHeard;
        public long HopAcksSent;

        /// <summary>Hop-ack entries sent (HopAcksSent counts frames; a bundle carries up to 8 entries).</summary>
        public long HopAckEntriesSent;
        public long HopAcksHeard;
        public long PassiveAcks;
        public long UpwardForwarded;
        public long Retransmissions;

        /// <summary>
        /// Copies of upward frames this node had already handled, sent to it again as next hop and answered with
        /// a hop ack: each is a retransmission that was not needed, its sender having missed the forward or the
        /// hop ack (farm-200: most retransmissions, PROTOCOL.md *7 · Hop ack*).
        /// </summary>
        public long RetransmissionsAnswered;
        public long ParentChanges;
        public long LinkFailures;
        public long FloodFallbacks;

        /// <summary>Flooded upward readings and heartbeats this node did not flood on, being no nearer a gateway than their sender (MeshNode.UphillOfUpwardFlood).</summary>
        public long FloodsNotRelayedUphill;
        public long LoopsDetected;

        /// <summary>Upward frames that came back round a loop and were not acknowledged (with FallbackEcho: flooded from here).</summary>
        public long LoopReturns;

        /// <summary>Copies in which the parent retransmitted its own earlier copy of an upward frame this node sent it (the frame came round a loop through this node): the parent's route was forgotten and, with another parent left, the frame sent there (MeshNode.LeaveLoopingParent).</summary>
        public long LoopsLeft;

        /// <summary>Origins' own flooded upward frames this node sent on to its parent instead of flooding them (MeshNode.RejoinGradient).</summary>
        public long FloodsRejoined;

        /// <summary>Of those, copies cancelled before they left: another node's directed copy was heard first.</summary>
        public long RejoinsCancelled;

        /// <summary>Fallback floods of frames this node relayed upward, flooded once more so they reach their origin.</summary>
        public long FallbackEchoes;

        /// <summary>Upward frames flooded instead of forwarded because the hops they had left could not climb this node's gradient (FallbackEcho).</summary>
        public long HopBudgetFloods;

        /// <summary>Upward frames sent once more to their next hop when their retransmission state was evicted for a new frame (every upward slot taken).</summary>
        public long EvictionResends;

        /// <summary>Upward frames whose acknowledgement was due while the duty cycle still held them in the transmit queue (the wait restarted, no retry used).</summary>
        public long DutyHeldWaits;

        /// <summary>Beacons Trickle asked for and not sent: they would have taken the duty-cycle window past its beacon share.</summary>
        public long BeaconsDutySkipped;

        /// <summary>This node's beacons' airtime in the duty-cycle window, against their share of the budget (MeshNode.BeaconReservePermille).</summary>
        public readonly DutyCycle BeaconAir;

        public StructuredRouting(NodeConfig config, long nowMs, IRandomSource random)
        {
            IsGateway = config.IsGateway;
            HopAckTimeoutMs = config.HopAckTimeoutMs;
            HopAckBundleMs = BundleMs(config);
            BeaconAir = new DutyCycle(config.DutyCyclePermille, config.DutyCycleWindowMs);
            AckBundle = config.IsGateway && HopAckBundleMs > 0 ? new HopAckBundle() : null;
            GatewayAckTimer = !config.IsGateway && HopAckBundleMs > 0 ? new GatewayAckTimer(config.HopAckTimeoutMs, HopAckBundleMs) : null;
            HopRetries = config.HopRetries;
            ParentSwitches = config.ParentSwitches;
            RouteLossMs = 3 * config.BeaconMaxMs;
            HoldDownMs = HoldDownIntervals * config.BeaconMinMs;
            Gradient = new GradientTable(config.NeighbourTableSize, config.NodeId, config.IsGateway, RouteLossMs, HoldDownMs, config.FailedParentSilenceMs);

            // A gateway's beacons are where every gradient starts: they are never suppressed.
            Trickle = new TrickleTimer(config.BeaconMinMs, config.BeaconMaxMs, config.IsGateway ? int.MaxValue : config.BeaconRedundancy);
            Trickle.Start(nowMs, random);
            Upward = new UpwardFrames(config.UpwardSlots, config.UpwardBytes);
            // Every relay tells a frame come round a loop from a retransmission (a gateway relays nothing).
            Relayed = new RelayedUpward(config.IsGateway ? 0 : RelayedSlots);
            Store = config.IsGateway || config.StoreSlots == 0 ? null : new ReadingStore(config.StoreSlots);
            StoreForwardSpacingMs = config.StoreForwardSpacingMs;
            FallbackEcho = config.FallbackEcho;
            Backbone = config.Backbone ? new Backbone(config.BackboneNeighbours, config.BackboneSlots, BackboneExpiryMs(config)) : null;
            BackboneAckMs = config.BackboneAckMs;
        }

        /// <summary>Full hop-ack bundles sent back to back at the bundle wait take at most 1/BundleDutyShare of the duty-cycle budget.</summary>
        public const int BundleDutyShare = 2;

        /// <summary>
        /// A gateway's hop-ack bundle wait: NodeConfig.HopAckBundleMs, but at least long enough that full bundles, one
        /// per wait, take no more than 1/<see cref="BundleDutyShare"/> of the duty-cycle budget (PROTOCOL.md *7 · Hop
        /// ack*). Under a 1 % duty cycle a gateway that acknowledged every few readings spent its whole budget on hop
        /// acks; ESP-NOW's 10 % leaves the configured wait as it is. Senders wait for a gateway's ack by the same
        /// figure, so both ends must share the radio and duty-cycle settings (they share a channel).
        /// </summary>
        public static long BundleMs(NodeConfig config)
        {
            if (config.HopAckBundleMs == 0 || config.DutyCyclePermille >= 1000)
            {
                return config.HopAckBundleMs;
            }

            long fullUs = config.AirtimeOverheadUs + (long)(FrameLayout.HeaderSize + HopAck.MaxSize + FrameLayout.NetMicSize) * config.AirtimeUsPerByte;
            long spacingMs = fullUs * BundleDutyShare / config.DutyCyclePermille;
            return spacingMs > config.HopAckBundleMs ? spacingMs : config.HopAckBundleMs;
        }

        /// <summary>
        /// How long a backbone member stays without being heard: the neighbour expiry, but at least two of the
        /// longest beacon intervals. A quiet neighbour may be heard only by its beacons, 512 s apart; with the
        /// 200-s neighbour expiry it dropped out between them and flipped relay decisions (farm-200: ~1,900
        /// decision changes an hour, each forcing beacons). The neighbour table keeps its own expiry: longer
        /// there made no measurable difference (farm-200 structured, seeds 1–4).
        /// </summary>
        public static long BackboneExpiryMs(NodeConfig config)
        {
            long twoIntervals = 2 * config.BeaconMaxMs;
            return config.NeighbourExpiryMs > twoIntervals ? config.NeighbourExpiryMs : twoIntervals;
        }

        public long NextWakeMs(long orElse)
        {
            long next = Upward.EarliestDeadline(orElse);
            long t = Trickle.NextMs;
            if (t < next)
            {
                next = t;
            }

            // Stored readings waiting for their turn to go up (only with a route: without one they wait for it).
            if (Store != null && Store.Count > 0 && Gradient.HasRoute && Store.NextForwardMs < next)
            {
                next = Store.NextForwardMs;
            }

            return next;
        }
    }
}
