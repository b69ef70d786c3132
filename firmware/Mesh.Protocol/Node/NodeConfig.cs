using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Everything a node is built with. Table sizes are fixed here, at construction; the defaults are
    /// sized for a board (the state-size test pins what they cost) and a gateway raises them.
    /// </summary>
    public sealed class NodeConfig
    {
        public uint NodeId;
        public ushort NetworkId = 1;
        public NodeRole Role = NodeRole.Sensor;
        public PolicySettings Policy = PolicySettings.Flooding();

        /// <summary>Relays a frame may take (0: neighbours only).</summary>
        public int HopLimit = 8;

        /// <summary>Seal the payloads of originated text frames under the network key (other types are always device-sealed).</summary>
        public bool EncryptPayloads = true;

        /// <summary>Refuse text frames whose payload is not sealed (readings, heartbeats, commands and acks always must be).</summary>
        public bool RequireEncryption = true;

        /// <summary>This node's own device key: seals its readings, heartbeats and acks and opens commands sent to it. Null: it originates none of them.</summary>
        public DeviceKey DeviceKey;

        /// <summary>Gateways: the device keys of the nodes they provisioned (readings, heartbeats and acks of those nodes; commands to them). Null on a node.</summary>
        public IDeviceKeyDirectory DeviceKeys;

        /// <summary>Needed to install keys received in key-refresh commands; without it those commands are answered Unsupported.</summary>
        public ICryptoProvider Crypto;

        /// <summary>First sequence number to use: the value persisted as <c>MeshNode.SequenceCheckpoint</c>.</summary>
        public uint InitialSequence = 1;

        /// <summary>
        /// Whether the driver stores checkpoints and confirms them (<c>MeshNode.ConfirmCheckpoint</c>); the
        /// node then never uses a sequence at or above the last confirmed checkpoint. Only a driver with
        /// no storage at all (a simulator) turns this off.
        /// </summary>
        public bool RequireCheckpointConfirmation = true;

        /// <summary>Network time in seconds to start from: persisted by a node, the wall clock on a gateway; 0 = unknown (adopt the first heard).</summary>
        public uint InitialNetworkTime;

        /// <summary>Frames stamped more than this many seconds behind the node's network time are refused as stale.</summary>
        public uint FreshnessWindowSeconds = 30;

        /// <summary>
        /// Refuse frames stamped before the second of network time the node started in (PROTOCOL.md, "Freshness"):
        /// its tables start empty, so it may have taken such a frame before a restart. A gateway that restores
        /// exact replay state from its history (<c>MeshNode.RememberSequence</c>) turns it off, so readings
        /// retried across its restart still arrive.
        /// </summary>
        public bool RefuseFramesFromBeforeStart = true;

        /// <summary>Persisted command counters, as pairs commander, counter (SettingsChange.CommandCounter); may be null.</summary>
        public uint[] InitialCommandCounters;

        /// <summary>Period between sequence checkpoints the driver should persist.</summary>
        public int SequenceCheckpointInterval = 256;

        public long HeartbeatIntervalMs = 60000;

        /// <summary>
        /// Neighbours a heartbeat lists, best quality first (0 … 32; block 3 says how many the node knows). Eight, as
        /// Meshtastic's NeighborInfo lists ten: a full list (29 entries, a 250-byte frame) made heartbeats the larger
        /// part of the upward airtime a lone gateway's neighbourhood carries at 3,000 nodes (PROTOCOL.md, *Heartbeat*).
        /// </summary>
        public int HeartbeatNeighbours = DefaultHeartbeatNeighbours;

        /// <summary>The default of <see cref="HeartbeatNeighbours"/> (a board's settings file starts from it too).</summary>
        public const int DefaultHeartbeatNeighbours = 8;

        /// <summary>Sensor nodes only (other roles start with none): period of ReportDue events; 0 disables them.</summary>
        public long ReportIntervalMs = 60000;

        public long NeighbourExpiryMs = 200000;
        public long RouteLifetimeMs = 600000;

        /// <summary>First wait for an acknowledgement; doubles on every retry.</summary>
        public long CommandTimeoutMs = 4000;

        /// <summary>Shortest first-attempt timeout the round-trip estimate may give (CommandTimer); CommandTimeoutMs is the longest and the one used before any round trip was measured.</summary>
        public long CommandMinTimeoutMs = 500;
        public int CommandMaxAttempts = 4;

        // 128, as the plain ESP32 profile runs with (Mesh.NodeApp BoardProfile): frames older than the freshness
        // window are refused as stale before the cache is asked, and the replay window still refuses any copy
        // the cache forgot. Down from 256 to make room for the QoS tables under the 16 KB default-state budget.
        public int DuplicateCacheSize = 128;

        // Origins whose opened messages the replay window tracks: a node opens only what is sealed for it (a
        // sensor: its commanders' commands); a gateway, which opens every reading, sets its own.
        public int ReplayTableSize = 8;
        public int RouteTableSize = 64;
        public int NeighbourTableSize = 32;
        public int TransmitQueueSize = 12;
        public int EventQueueSize = 5;
        // Commands in flight from this node. Only commanders (gateways, edge applications) send any; they
        // set their own (the gateway 64, simulator sinks 16), so the default stays small within the 16 KB budget.
        // 0: a node that never sends one (the board application) keeps no commander state; SendCommand then
        // answers NoCommandSlot.
        public int PendingCommandSlots = 2;
        public int RecentCommandSlots = 8;
        public int CommandCounterSlots = 4;

        // ---- quality of service (PROTOCOL.md, "Traffic classes and quality of service")

        /// <summary>
        /// Origins with a fair-share token bucket. When the table is full the fullest bucket is replaced,
        /// so it only needs to remember the origins that are short of tokens at the same time: honest
        /// origins come back with a full bucket anyway. A gateway or desktop node raises it.
        /// </summary>
        public int FairShareSlots = 16;

        /// <summary>Frames per minute an origin's bucket refills with (a reading a minute and a heartbeat every 5 minutes use a fifth of it).</summary>
        public int FairShareFramesPerMinute = 6;

        /// <summary>Depth of an origin's bucket in frames; a new origin starts full.</summary>
        public int FairShareBurst = 8;

        /// <summary>Origins noted as gateways (from their beacons) get this many times the rate and the depth.</summary>
        public int GatewayShareMultiplier = 10;

        /// <summary>Sliding window channel utilisation is measured over, in whole seconds (1-s buckets).</summary>
        public int UtilisationWindowMs = 10000;

        /// <summary>
        /// Per-frame airtime besides its bytes, µs. ESP-NOW at its default 1 Mb/s: long preamble and PLCP
        /// header 192, the 43-byte vendor action frame around the payload 344, SIFS and ack 314, DIFS 50.
        /// </summary>
        public int AirtimeOverheadUs = 900;

        /// <summary>Airtime per byte of mesh frame, µs (8 at 1 Mb/s).</summary>
        public int AirtimeUsPerByte = 8;

        /// <summary>Utilisation, permille, above which congestion control acts (θ).</summary>
        public int CongestionThresholdPermille = 120;

        /// <summary>Hop scaling never lowers a broadcast's hop limit below this.</summary>
        public int MinHopLimit = 2;

        /// <summary>Share of airtime, in permille, this node may transmit in any DutyCycleWindowMs; 1000: no limit.</summary>
        public int DutyCyclePermille = 100;

        /// <summary>The duty-cycle window, ms (a multiple of 10: it is kept in tenths). LoRa in the EU 868 MHz band: 1 % over 3600000.</summary>
        public long DutyCycleWindowMs = 10000;

        // ---- structured routing (policy kind 4; PROTOCOL.md "Structured routing"). A node switched to it
        // by command later, rather than built with it, uses these defaults.

        /// <summary>This node is a root of the gradient (a gateway): it advertises cost 0, consumes upward frames and hop-acks them.</summary>
        public bool IsGateway;

        /// <summary>How long a sender waits for its parent to forward an upward frame (passive ack) or hop-ack it.</summary>
        public long HopAckTimeoutMs = 250;

        /// <summary>
        /// A gateway's hop acks are bundled for up to this long (at most 8 entries a frame); a node whose next
        /// hop is a gateway waits HopAckTimeoutMs plus what the gateway's acks have taken, at most this
        /// (Routing.GatewayAckTimer). 0: each hop ack leaves at once. A gateway and the nodes it serves must agree
        /// on it (a node waiting less retransmits lone frames the gateway was about to acknowledge).
        /// </summary>
        public long HopAckBundleMs = DefaultHopAckBundleMs;

        /// <summary>
        /// 2,000 ms since stop 30 (1,000 before): once full relays advertised their load, longer bundles no longer cost
        /// the 3,000-node mesh frames evicted from full slots (seeds 31–35: 99.79 % either way), and a bundle carries
        /// more entries: farm-200 seeds 1–4 1.61–1.68 → 1.51–1.63 × the shortest path with control, backbone-200 −7 %,
        /// 30 % loss −14 %; the price is the tail latency of readings whose last hop is lost (farm-200 p99 2.0 → 4.3 s;
        /// p50 unchanged).
        /// </summary>
        public const long DefaultHopAckBundleMs = 2000;

        /// <summary>
        /// Retransmissions of an upward frame to one parent before that link counts as failed. A failure costs
        /// a parent change, a Trickle reset and, out of parents, a flood; a retransmission one frame. With 3, an
        /// attempt answered half the time (30 % loss each way) failed the link for one frame in 16
        /// (backbone-200-loss30: 803 link failures, 196 floods, 9.6 × the shortest path with control; with 6,
        /// 164, 25 and 5.0 ×; simulator/README, "How long a link is tried").
        /// </summary>
        public int HopRetries = 6;

        /// <summary>
        /// HopRetries for a node under a 1 % duty cycle (LoRa, EU 868 MHz): there every retransmission spends a budget
        /// the node's beacons and relays share, and a parent out of budget answers nothing, so the link is
        /// given up sooner (meshtastic-lora-40 seeds 3–5: 303/333 readings with 6, 312/331 with 3).
        /// </summary>
        public const int DutyCycledHopRetries = 3;

        /// <summary>Failed parents after which an upward frame is sent by managed flooding instead.</summary>
        public int ParentSwitches = 2;

        /// <summary>Trickle: smallest and largest beacon interval, and the redundancy constant k.</summary>
        public long BeaconMinMs = 1000;
        public long BeaconMaxMs = 512000;
        public int BeaconRedundancy = 2;

        /// <summary>
        /// A neighbour the upward link to which failed (every retry unanswered) and that has not been heard for this
        /// long is no candidate parent until it is heard again: a gateway across a partition, or a dead relay. Without
        /// it such a route looks alive for RouteLossMs (3 × BeaconMaxMs, 25 min) and every frame spends its retries on
        /// it. A minute: longer than the retries to a gateway take (7 × ~2.3 s), far shorter than RouteLossMs.
        /// </summary>
        public long FailedParentSilenceMs = 60000;

        /// <summary>
        /// Upward frames awaiting a hop ack (each holds ~40 bytes of state; their copies share UpwardBytes). 6: at 3,000 nodes
        /// with one gateway, while gateways' children timed acks with a smoothed mean, 4 slots evicted 4,077
        /// frames from full slots and delivered 95.4 %, 6 slots 1,448 and 98.5 %; with the committed wait and
        /// 6 slots, 2,269 and 97.7 % (simulator/README, "3,000 nodes"). 10 since 6 hop retries and pinned parent
        /// entries (stop 30): the gateway's busiest children hold each frame longer, and seeds 31-35 delivered
        /// 98.86 % with 6 slots, 99.52 % with 10 (readings as cheap). 20 since the copies share their bytes (stop
        /// 32): in the 2,500 bytes ten full frames took, the 3,000-node mesh's seed 34 delivered 14,606/14,606
        /// against 14,487/14,606 with 10 (76 of the 119 lost had been evicted at one child of the gateway).
        /// 48 in 4,000 bytes since stop 39: with heartbeats of eight the one-gateway meshes were short of slots again
        /// — a gateway's busiest child forwards ~10 frames a second, each held up to ~2.3 s for the gateway's bundled
        /// hop ack, and an evicted frame gets one more copy. The grid's 3,000-node, 10 %, one-gateway cell, seeds 1–4:
        /// 96.9 / 87.4 / 97.8 / 91.8 % with 20 slots, 99.9 / 99.9 / 99.7 / 98.9 % with 48 (seeds 5–8: 93.2 → 96.7 %
        /// pooled, two of them still collapsing into loops and floods; 32 slots: 90.4 / 99.5 / 99.7
        /// / 97.8 %; 48 in 2,500 bytes, where the copies bind first: 99.5 / 98.7 / 99.8 / 99.7 % with 4–60 × the
        /// evictions); 1,000 nodes at 30 % loss, seeds 1–2: 99.1 / 98.8 → 99.8 / 99.8 % (simulator/README,
        /// "Forty-eight upward slots"). Boards without PSRAM keep 6 in 500 bytes (BoardProfile): their measured heap
        /// budget was taken so.
        /// </summary>
        public int UpwardSlots = DefaultUpwardSlots;

        /// <summary>The core's UpwardSlots (NodeTables and the PSRAM board profiles take it too).</summary>
        public const int DefaultUpwardSlots = 48;

        /// <summary>
        /// Bytes the upward frames' copies share (UpwardFrames): at least one full frame, or 0 for a full frame's
        /// room per slot (UpwardSlots × FrameLayout.MaxFrameSize). A reading frame is 40–90 bytes: the core keeps
        /// its 48 slots in the bytes of sixteen full frames (<see cref="DefaultUpwardBytes"/>), boards without PSRAM
        /// their 6 in two full frames' (BoardProfile). A frame that finds no room evicts the one closest to giving
        /// up, as when every slot is taken.
        /// </summary>
        public int UpwardBytes = DefaultUpwardBytes;

        /// <summary>The core's UpwardBytes: sixteen full frames (ten, 2,500 bytes, until stop 39), room for 48 copies of ~80-byte readings.</summary>
        public const int DefaultUpwardBytes = 16 * FrameLayout.MaxFrameSize;

        /// <summary>
        /// Store and forward's fallback echo and loop-return rules (PROTOCOL.md "Store and forward"): off by
        /// default. They bring a partition's readings home (farm-200-partition: 0 → 96–99.5 % of cut-off
        /// readings), but at 3,000 nodes with one gateway they tipped a congested mesh into collapse
        /// (10 × the transmissions, 94 % delivered against 98 %), so they are opt-in until that is understood.
        /// </summary>
        public bool FallbackEcho;

        /// <summary>Store and forward: this node's own readings kept while it has no route (0: none kept). Not allocated on gateways.</summary>
        public int StoreSlots = 8;

        /// <summary>
        /// Store and forward: spacing between stored readings forwarded once a route is back (scaled like
        /// reports when throttled). 20 s: a third of the default fair share (6 frames a minute per origin at
        /// every relay), so the backlog is not dropped by the relays' fair share and leaves room for live readings.
        /// </summary>
        public long StoreForwardSpacingMs = 20000;

        /// <summary>
        /// Bundles (PROTOCOL.md "Bundles"): a frame leaving for one next hop takes along, in the same radio frame, the
        /// other frames queued for that next hop that are due within the policy's jitter, and under structured routing
        /// every other frame already due, up to 250 bytes. Near a busy gateway a relay's queue holds several frames; each
        /// radio frame costs a channel access, a preamble and 43 bytes of 802.11 framing, and a chance of collision, so
        /// sending them together is what lets one gateway's neighbourhood carry more readings a second. Off: one frame
        /// per radio frame, as before (a mesh that still has nodes built before bundles: they refuse one whole).
        /// </summary>
        public bool BundleFrames = true;

        /// <summary>
        /// Broadcast backbone (PROTOCOL.md "Structured routing", backbone): flooded frames other than upward
        /// ones are relayed by the backbone rules instead of plain managed flooding. Off: managed flooding.
        /// </summary>
        public bool Backbone = true;

        /// <summary>Backbone: neighbours whose neighbour lists it keeps (the strongest heard), at most 32 (a beacon lists 32).</summary>
        public int BackboneNeighbours = 32;

        /// <summary>Backbone: broadcasts whose coverage this node tracks at once (each a few words; no frame copy).</summary>
        public int BackboneSlots = 4;

        /// <summary>
        /// Backbone: how long after its copy a relay waits to hear the broadcast forwarded before its one
        /// retransmission goes out, and how long a non-relay waits before its fallback copy.
        /// </summary>
        public long BackboneAckMs = 250;

        /// <summary>Null when valid, else which setting is wrong and why.</summary>
        public string Validate()
        {
            if (!NodeAddress.IsValidNodeId(NodeId))
            {
                return "NodeId: must be 1..0xFFFFFFFD";
            }

            if (!NodeRoles.IsDefined((int)Role))
            {
                return "Role: unknown role";
            }

            if (HopLimit < 0 || HopLimit > FrameLayout.MaxHopLimit)
            {
                return "HopLimit: must be 0..32";
            }

            if (Policy == null)
            {
                return "Policy: required";
            }

            if (Policy.MinDelayMs > Policy.MaxDelayMs)
            {
                return "Policy: MinDelayMs must not exceed MaxDelayMs";
            }

            if (SequenceCheckpointInterval < 1)
            {
                return "SequenceCheckpointInterval: must be at least 1";
            }

            if (HeartbeatIntervalMs < 1000)
            {
                return "HeartbeatIntervalMs: must be at least 1000";
            }

            if (HeartbeatNeighbours < 0 || HeartbeatNeighbours > Messages.Heartbeat.MaxNeighbours)
            {
                return "HeartbeatNeighbours: must be 0..32";
            }

            if (ReportIntervalMs < 0)
            {
                return "ReportIntervalMs: must not be negative";
            }

            if (CommandTimeoutMs < 1 || CommandMaxAttempts < 1)
            {
                return "CommandTimeoutMs/CommandMaxAttempts: must be positive";
            }

            if (CommandMinTimeoutMs < 1)
            {
                return "CommandMinTimeoutMs: must be positive (above CommandTimeoutMs it acts as CommandTimeoutMs)";
            }

            if (DuplicateCacheSize < 4 || ReplayTableSize < 8 || RouteTableSize < 8 || NeighbourTableSize < 8)
            {
                return "table sizes: DuplicateCacheSize >= 4, Replay/Route/NeighbourTableSize >= 8";
            }

            if (FreshnessWindowSeconds < 2)
            {
                return "FreshnessWindowSeconds: must be at least 2";
            }

            if (InitialCommandCounters != null && InitialCommandCounters.Length % 2 != 0)
            {
                return "InitialCommandCounters: pairs of commander, counter";
            }

            if (DeviceKey != null && DeviceKey.Owner != NodeId)
            {
                return "DeviceKey: belongs to another node";
            }

            if (EventQueueSize < 3)
            {
                return "EventQueueSize: must be at least 3 (a command raises up to three events)";
            }

            if (CommandCounterSlots < 1 || TransmitQueueSize < 1 || EventQueueSize < 1 || RecentCommandSlots < 1)
            {
                return "queue sizes: must be at least 1";
            }

            if (PendingCommandSlots < 0)
            {
                return "PendingCommandSlots: must be 0 (this node sends no commands) or more";
            }

            if (HopAckTimeoutMs < 1 || HopRetries < 0 || ParentSwitches < 1 || UpwardSlots < 1)
            {
                return "routing: HopAckTimeoutMs and UpwardSlots must be positive, HopRetries >= 0, ParentSwitches >= 1";
            }

            if (UpwardBytes != 0 && UpwardBytes < FrameLayout.MaxFrameSize)
            {
                return "routing: UpwardBytes must be 0 (a full frame per slot) or at least one full frame (" + FrameLayout.MaxFrameSize + ")";
            }

            if (HopAckBundleMs < 0 || HopAckBundleMs > 60000)
            {
                return "routing: HopAckBundleMs 0..60000";
            }

            if (BackboneNeighbours < 1 || BackboneNeighbours > 32 || BackboneSlots < 1 || BackboneSlots > 64 || BackboneAckMs < 1 || BackboneAckMs > 60000)
            {
                return "routing: BackboneNeighbours 1..32, BackboneSlots 1..64, BackboneAckMs 1..60000";
            }

            if (StoreSlots < 0 || StoreSlots > 255 || StoreForwardSpacingMs < 1)
            {
                return "routing: StoreSlots 0..255, StoreForwardSpacingMs >= 1";
            }

            if (FailedParentSilenceMs < 1000)
            {
                return "FailedParentSilenceMs: must be at least 1000";
            }

            if (BeaconMinMs < 100 || BeaconMaxMs < BeaconMinMs || BeaconRedundancy < 1)
            {
                return "routing: BeaconMinMs >= 100, BeaconMaxMs >= BeaconMinMs, BeaconRedundancy >= 1";
            }

            return ValidateQos();
        }

        private string ValidateQos()
        {
            if (FairShareSlots < 1)
            {
                return "FairShareSlots: must be at least 1";
            }

            if (FairShareFramesPerMinute < 1 || FairShareFramesPerMinute > 6000)
            {
                return "FairShareFramesPerMinute: must be 1..6000";
            }

            if (FairShareBurst < 1 || FairShareBurst > 255)
            {
                return "FairShareBurst: must be 1..255";
            }

            if (GatewayShareMultiplier < 1 || GatewayShareMultiplier > 100)
            {
                return "GatewayShareMultiplier: must be 1..100";
            }

            if (UtilisationWindowMs < 1000 || UtilisationWindowMs > 60000 || UtilisationWindowMs % 1000 != 0)
            {
                return "UtilisationWindowMs: whole seconds, 1000..60000";
            }

            if (AirtimeOverheadUs < 0 || AirtimeOverheadUs > 1000000 || AirtimeUsPerByte < 0 || AirtimeUsPerByte > 100000)
            {
                return "AirtimeOverheadUs/AirtimeUsPerByte: must be 0..1000000 and 0..100000";
            }

            if (CongestionThresholdPermille < 1 || CongestionThresholdPermille > 999)
            {
                return "CongestionThresholdPermille: must be 1..999";
            }

            if (MinHopLimit < 0 || MinHopLimit > FrameLayout.MaxHopLimit)
            {
                return "MinHopLimit: must be 0..32";
            }

            if (DutyCyclePermille < 1 || DutyCyclePermille > 1000)
            {
                return "DutyCyclePermille: must be 1..1000 (1000: no limit)";
            }

            if (DutyCycleWindowMs < 1000 || DutyCycleWindowMs > 86400000 || DutyCycleWindowMs % 10 != 0)
            {
                return "DutyCycleWindowMs: 1000..86400000, a multiple of 10";
            }

            long largestFrameUs = AirtimeOverheadUs + (long)FrameLayout.MaxFrameSize * AirtimeUsPerByte;
            if (DutyCyclePermille < 1000 && DutyCyclePermille * DutyCycleWindowMs < largestFrameUs)
            {
                return "DutyCyclePermille/DutyCycleWindowMs: the budget must hold at least one 250-byte frame's airtime";
            }

            return null;
        }
    }
}
