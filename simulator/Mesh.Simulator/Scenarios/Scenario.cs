using System.Collections.Generic;
using System.Text.Json.Serialization;

namespace Mesh.Simulator.Scenarios
{
    /// <summary>
    /// One simulation run, as read from JSON (schema: simulator/scenarios/SCHEMA.md). Every field has a
    /// default so a scenario names only what it changes; <see cref="ScenarioValidator"/> checks it all.
    /// </summary>
    public sealed class Scenario
    {
        public string Name { get; set; } = "unnamed";
        public ulong Seed { get; set; } = 1;
        public double DurationSeconds { get; set; } = 3600;

        /// <summary>Seconds at the start that count for nothing in the metrics (routes and neighbours form).</summary>
        public double WarmupSeconds { get; set; } = 0;

        /// <summary>
        /// Messages (and commands) generated in this many seconds before the end count for nothing in the
        /// delivery ratios: they had no time to arrive, so counting them would charge the protocol for the
        /// run stopping. Null: see <see cref="EffectiveDrainSeconds"/>.
        /// </summary>
        public double? DrainSeconds { get; set; }

        /// <summary>
        /// A command's whole retry budget in the core (4 attempts × 4 s = 16 s), which also covers any
        /// reading's flood many times over; but never more than a quarter of the measured time, so that
        /// short test runs keep most of their traffic.
        /// </summary>
        [JsonIgnore]
        public double EffectiveDrainSeconds
        {
            get
            {
                if (DrainSeconds is double d)
                {
                    return d;
                }

                var core = new Mesh.Protocol.Node.NodeConfig();
                double budget = core.CommandTimeoutMs * core.CommandMaxAttempts / 1000.0;
                return System.Math.Min(budget, (DurationSeconds - WarmupSeconds) / 4);
            }
        }

        public NetworkSettings Network { get; set; } = new();
        public TopologySettings Topology { get; set; } = new();
        public RadioSettings Radio { get; set; } = new();
        public PolicyConfig Policy { get; set; } = new();
        public RoleSettings Roles { get; set; } = new();
        public WorkloadSettings Workload { get; set; } = new();
        public FaultSettings Faults { get; set; } = new();
        public List<AdversarySettings> Adversaries { get; set; } = new();
        public MobilitySettings? Mobility { get; set; }

        /// <summary>Optional: a network key refresh with eviction, driven by a gateway (Simulation.KeyRefresh).</summary>
        public KeyRefreshSettings? KeyRefresh { get; set; }
    }

    public sealed class NetworkSettings
    {
        public ushort Id { get; set; } = 1;

        /// <summary>Hex network key (32–128 hex digits). The default is for simulations only.</summary>
        public string Key { get; set; } = "000102030405060708090a0b0c0d0e0f";

        public int HopLimit { get; set; } = 8;
        public bool Encrypt { get; set; } = true;

        /// <summary>
        /// Every node's crystal runs fast or slow by up to this many parts per million (uniform per node),
        /// and every node boots at a random sub-millisecond phase: report and heartbeat timers drift
        /// against each other as on real boards, instead of the same pairs colliding all run.
        /// </summary>
        public double ClockDriftPpm { get; set; } = 20;

        /// <summary>
        /// What runs around each sensor's and relay's protocol core: simulated (the simulator answers the
        /// core's events itself) or nodeRunner (the shipped Mesh.NodeApp NodeRunner, with a simulated
        /// radio, clock, sensor and flash). Gateways are always simulated (a gateway runs mesh-gateway).
        /// </summary>
        public string Application { get; set; } = "simulated";
    }

    public sealed class TopologySettings
    {
        /// <summary>grid, line, random, clustered or file.</summary>
        public string Kind { get; set; } = "grid";

        private int? _nodes;

        /// <summary>Node count (default 25). file: when set, only the first this many positions of the file.</summary>
        [JsonIgnore]
        public int Nodes
        {
            get => _nodes ?? 25;
            set => _nodes = value;
        }

        /// <summary>The node count as written in the scenario (null: not given), which is what JSON reads and writes.</summary>
        [JsonPropertyName("nodes")]
        public int? NodesGiven
        {
            get => _nodes;
            set => _nodes = value;
        }

        /// <summary>grid and line: distance between neighbours.</summary>
        public double SpacingMeters { get; set; } = 20;

        /// <summary>random and clustered: the area.</summary>
        public double WidthMeters { get; set; } = 200;
        public double HeightMeters { get; set; } = 200;

        /// <summary>clustered: number of clusters and their radius.</summary>
        public int Clusters { get; set; } = 4;
        public double ClusterRadiusMeters { get; set; } = 30;

        /// <summary>file: CSV (x,y per line, optional header) or JSON ([{"x":..,"y":..}]), relative to the scenario.</summary>
        public string? File { get; set; }
    }

    public sealed class RadioSettings
    {
        /// <summary>logDistance (with log-normal shadowing) or unitDisk.</summary>
        public string Model { get; set; } = "logDistance";

        /// <summary>
        /// espNow: airtime = preamble + (frame + MAC overhead) bytes at the bitrate (802.11 framing around an
        /// ESP-NOW payload). lora: airtime by the Semtech formula from the <see cref="Lora"/> settings.
        /// </summary>
        public string Preset { get; set; } = "espNow";

        /// <summary>The LoRa modem settings; used when preset is lora.</summary>
        public LoraSettings Lora { get; set; } = new();

        public double TxPowerDbm { get; set; } = 0;

        /// <summary>Path loss at 1 m and the exponent: PL(d) = PL0 + 10·n·log10(d).</summary>
        public double ReferenceLossDb { get; set; } = 40;
        public double PathLossExponent { get; set; } = 3.0;

        /// <summary>Per-link static shadowing (symmetric) and per-packet fading, both log-normal, in dB.</summary>
        public double ShadowingSigmaDb { get; set; } = 4;
        public double FadingSigmaDb { get; set; } = 0;

        /// <summary>Receiver sensitivity; reception probability is 50 % there and rises with the margin.</summary>
        public double SensitivityDbm { get; set; } = -90;

        /// <summary>dB of margin over which reception goes from ~10 % to ~90 % (logistic width).</summary>
        public double TransitionDb { get; set; } = 3;

        /// <summary>unitDisk: range; every link inside it is received (no loss), at the log-distance RSSI without shadowing.</summary>
        public double RangeMeters { get; set; } = 25;

        /// <summary>
        /// Per-direction shadowing in dB (log-normal, fixed per ordered pair) on top of the symmetric part:
        /// a hears b better or worse than b hears a. 0: symmetric links.
        /// </summary>
        public double AsymmetrySigmaDb { get; set; } = 0;

        public double BitrateBps { get; set; } = 1_000_000;
        public double PreambleMicroseconds { get; set; } = 192;
        public int MacOverheadBytes { get; set; } = 43;

        /// <summary>
        /// false: an ideal MAC for reference runs — overlapping frames do not collide and a node receives
        /// while it transmits. Path loss and loss rates still apply.
        /// </summary>
        public bool Collisions { get; set; } = true;

        /// <summary>A frame survives an overlapping one only if it is this much stronger.</summary>
        public double CaptureThresholdDb { get; set; } = 6;

        /// <summary>Listen before talk (ESP-NOW rides on 802.11 CSMA/CA).</summary>
        public bool Csma { get; set; } = true;

        /// <summary>
        /// Backoff slot, and the vulnerable window of carrier sense: a transmission that began less than
        /// a slot ago is not yet sensed (clear-channel assessment plus the receive-to-transmit turnaround),
        /// so nodes that pick the same slot collide. 802.11b: 20 µs.
        /// </summary>
        public double SlotMicroseconds { get; set; } = 20;

        /// <summary>Idle time before the backoff slots (802.11b DIFS: 50 µs).</summary>
        public double DifsMicroseconds { get; set; } = 50;

        /// <summary>Backoff draws a whole number of slots uniformly from 0..contentionWindowSlots-1.</summary>
        public int ContentionWindowSlots { get; set; } = 16;

        /// <summary>Extra independent loss on every reception, 0..1.</summary>
        public double ExtraLossRate { get; set; } = 0;

        /// <summary>Optional bursty loss on every link (Gilbert–Elliott); null: none.</summary>
        public GilbertElliottSettings? BurstLoss { get; set; }
    }

    /// <summary>
    /// A LoRa modem configuration (Semtech SX127x/SX126x). The defaults are Meshtastic's LongFast
    /// (SF 11, 250 kHz, 4/5, 16-symbol preamble); the frame is the LoRa payload.
    /// </summary>
    public sealed class LoraSettings
    {
        public int SpreadingFactor { get; set; } = 11;
        public double BandwidthHz { get; set; } = 250_000;

        /// <summary>The coding rate's denominator: 5..8 for 4/5..4/8.</summary>
        public int CodingRate { get; set; } = 5;
        public int PreambleSymbols { get; set; } = 16;
        public bool ExplicitHeader { get; set; } = true;
        public bool Crc { get; set; } = true;

        /// <summary>auto (on when a symbol lasts longer than 16 ms, as the Semtech drivers do), on or off.</summary>
        public string LowDataRateOptimization { get; set; } = "auto";
    }

    /// <summary>
    /// A two-state Markov chain per directed link, stepped once for every frame that crosses it:
    /// good → bad with probability goodToBad, bad → good with badToGood, and a frame lost with
    /// lossInGood or lossInBad in the state it finds. Mean burst length in the bad state: 1 / badToGood
    /// frames; share of frames in the bad state: goodToBad / (goodToBad + badToGood).
    /// </summary>
    public sealed class GilbertElliottSettings
    {
        public double GoodToBad { get; set; } = 0.01;
        public double BadToGood { get; set; } = 0.25;
        public double LossInGood { get; set; } = 0;
        public double LossInBad { get; set; } = 1;
    }

    public sealed class PolicyConfig
    {
        /// <summary>flooding, gossip, managed or structured.</summary>
        public string Kind { get; set; } = "flooding";

        public double P { get; set; } = 0.7;
        public int K { get; set; } = 1;
        public int CancelThreshold { get; set; } = 2;
        public int JitterMs { get; set; } = 8;
        public int MinDelayMs { get; set; } = 2;
        public int MaxDelayMs { get; set; } = 40;

        /// <summary>
        /// managed: the RSSI that maps to the shortest (weak) and the longest (strong) contention delay.
        /// The core's window is fixed at -95..-40 dBm, so the simulator rescales the RSSI it hands the
        /// core from this range onto that one (the neighbour table then records the rescaled value).
        /// </summary>
        public double WeakRssiDbm { get; set; } = -95;
        public double StrongRssiDbm { get; set; } = -40;

        /// <summary>Structured: broadcasts ride the backbone (PROTOCOL.md "Structured routing", backbone); false: managed flooding as before.</summary>
        public bool Backbone { get; set; } = true;

        /// <summary>Bundles (NodeConfig.BundleFrames, PROTOCOL.md "Bundles"): a frame leaving for one next hop takes the other frames queued for it along in one radio frame; false: one frame per radio frame.</summary>
        public bool Bundle { get; set; } = true;

        /// <summary>Structured: the fallback echo and loop-return rules of store and forward (NodeConfig.FallbackEcho); off by default (PROTOCOL.md).</summary>
        public bool FallbackEcho { get; set; }

        /// <summary>Structured: how long a gateway bundles its hop acks (NodeConfig.HopAckBundleMs); null: the core's default (2,000 ms) or four times the hop-ack timeout, whichever is longer (a slow radio: LoRa); 0: one hop ack per frame, at once.</summary>
        public int? HopAckBundleMs { get; set; }

        /// <summary>Structured: how many neighbours the backbone keeps (NodeConfig.BackboneNeighbours, 1..32); null: the core's 32. Boards without PSRAM keep 16 (BoardProfile).</summary>
        public int? BackboneNeighbours { get; set; }

        /// <summary>Structured: upward-frame slots (NodeConfig.UpwardSlots, 1..64); null: the core's default. Boards without PSRAM keep 6 (BoardProfile).</summary>
        public int? UpwardSlots { get; set; }

        /// <summary>Structured: bytes the upward copies share (NodeConfig.UpwardBytes: 0, a full frame per slot, or at least 250); null: the core's 2,500. Boards without PSRAM keep 500 (BoardProfile).</summary>
        public int? UpwardBytes { get; set; }
    }

    public sealed class RoleSettings
    {
        /// <summary>Node indices that are gateways (bridge role): the sinks of readings and sources of commands.
        /// Empty: the node nearest the centre.</summary>
        public List<int> Sinks { get; set; } = new();

        /// <summary>When Sinks is empty and this is positive: one gateway per square cell of this size
        /// (the node nearest each cell's centre), as a large deployment would place them. At most 64.</summary>
        public double SinkGridMeters { get; set; }

        public List<int> Edges { get; set; } = new();
        public List<int> Relays { get; set; } = new();

        /// <summary>Per-node settings, applied in order after sinks, edges and relays (a later group wins).</summary>
        public List<NodeGroupSettings> PerNode { get; set; } = new();
    }

    /// <summary>
    /// Settings for a group of nodes (Meshtastic's per-node role and hop limit): any field left out keeps
    /// the scenario's value. Roles are the core's, each with its own relay rule: sensor (reports, relays),
    /// relay (relays only, like ROUTER), edge (never relays, like CLIENT_MUTE). Gateways are chosen by
    /// roles.sinks and keep the bridge role.
    /// </summary>
    public sealed class NodeGroupSettings
    {
        public static readonly string[] Roles = { "sensor", "relay", "edge" };

        public List<int> Nodes { get; set; } = new();
        public string? Role { get; set; }
        public int? HopLimit { get; set; }
        public PolicyConfig? Policy { get; set; }

        /// <summary>
        /// This group's own reading interval (seconds, > 0). A node reporting faster than the workload's
        /// interval is a "stuck sensor" for the quality-of-service metrics: its own readings are counted
        /// apart from everyone else's.
        /// </summary>
        public double? ReadingIntervalSeconds { get; set; }

        public static Mesh.Protocol.Node.NodeRole ParseRole(string role) => role switch
        {
            "relay" => Mesh.Protocol.Node.NodeRole.Relay,
            "edge" => Mesh.Protocol.Node.NodeRole.Edge,
            _ => Mesh.Protocol.Node.NodeRole.Sensor,
        };
    }

    public sealed class WorkloadSettings
    {
        /// <summary>Every sensor node reports readings this often (0: none).</summary>
        public double ReadingIntervalSeconds { get; set; } = 60;

        /// <summary>A random node broadcasts a text to every node this often (0: none).</summary>
        public double BroadcastIntervalSeconds { get; set; } = 0;

        /// <summary>The first sink pings a random node this often (0: none).</summary>
        public double CommandIntervalSeconds { get; set; } = 0;

        /// <summary>Heartbeats (neighbour lists for the gateway's topology); 0: off.</summary>
        public double HeartbeatIntervalSeconds { get; set; } = 300;

        /// <summary>Neighbours a heartbeat lists, best first (0 … 32); null: the core's default (<c>NodeConfig.HeartbeatNeighbours</c>, 8). The shipped node application (<c>network.application: "nodeRunner"</c>) keeps the board default.</summary>
        public int? HeartbeatNeighbours { get; set; }

        /// <summary>The gateways' (sinks') own heartbeats, when they differ from the nodes' (mesh-gateway: every 5 minutes under structured routing, every minute under the flooding policies); null: as the nodes.</summary>
        public double? GatewayHeartbeatIntervalSeconds { get; set; }
    }

    public sealed class FaultSettings
    {
        public List<CrashSettings> Crashes { get; set; } = new();

        /// <summary>Random crashes per node per hour; each crashed node restarts after ChurnDowntimeSeconds.</summary>
        public double ChurnRatePerHour { get; set; } = 0;
        public double ChurnDowntimeSeconds { get; set; } = 120;

        public List<PartitionSettings> Partitions { get; set; } = new();
    }

    public sealed class CrashSettings
    {
        public int Node { get; set; }
        public double AtSeconds { get; set; }

        /// <summary>Absent: stays down.</summary>
        public double? RestartAtSeconds { get; set; }
    }

    /// <summary>From..to, every link crossing the vertical line x = AtX is cut.</summary>
    public sealed class PartitionSettings
    {
        public double AtX { get; set; }
        public double FromSeconds { get; set; }
        public double ToSeconds { get; set; }
    }

    public sealed class AdversarySettings
    {
        /// <summary>replayer, forger, blackhole, jammer, babbler, tamperer, echo, rebootReplayer, insider or evictedInsider.</summary>
        public string Kind { get; set; } = "";

        /// <summary>Node indices turned adversarial; or Count random non-sink nodes.</summary>
        public List<int> Nodes { get; set; } = new();
        public int Count { get; set; }

        /// <summary>replayer, tamperer: how long after hearing a frame it re-sends it (a tamperer wants it short: a copy W late is only Stale).</summary>
        public double DelaySeconds { get; set; } = 30;

        /// <summary>jammer: area and extra loss inside it.</summary>
        public double X { get; set; }
        public double Y { get; set; }
        public double RadiusMeters { get; set; } = 30;
        public double LossRate { get; set; } = 0.5;

        /// <summary>
        /// jammer: share of each period it is on the air (0: loss only, carrier sense never sees it).
        /// While on, nodes inside the disc sense the channel busy and lose every frame it overlaps.
        /// </summary>
        public double DutyCycle { get; set; } = 0;

        /// <summary>jammer: length of one on/off period; the on part comes first.</summary>
        public double PeriodMilliseconds { get; set; } = 10;
        public double FromSeconds { get; set; }
        public double ToSeconds { get; set; } = double.MaxValue;

        /// <summary>babbler: what it originates, readings (to the gateways) or broadcast (text to everyone).</summary>
        public string Traffic { get; set; } = "readings";

        /// <summary>babbler: multiple of the normal interval (workload.readingIntervalSeconds): 10 sends ten times as often.</summary>
        public double Rate { get; set; } = 10;

        /// <summary>babbler: as fast as its transmit queue and radio allow (Rate is then ignored).</summary>
        public bool LineRate { get; set; }

        /// <summary>insider, evictedInsider: seconds between forged frames.</summary>
        public double IntervalSeconds { get; set; } = 5;

        /// <summary>
        /// insider, evictedInsider: a forged frame claiming origin O carries sequence (highest heard from O)
        /// + this; a large jump is the attack on O's replay state at every node that takes the frame.
        /// </summary>
        public int SequenceJump { get; set; } = 1;

        /// <summary>echo: listens and never transmits — the same run without the echo, for comparison.</summary>
        public bool Silent { get; set; }

        /// <summary>rebootReplayer: how long a target it power-cycles stays down.</summary>
        public double DowntimeSeconds { get; set; } = 3;
    }

    /// <summary>
    /// A network key refresh (PROTOCOL.md, "Key refresh and eviction") run by the first gateway as
    /// mesh-gateway's refresh driver runs it: phase 1 command 6 to every provisioned node not evicted,
    /// phase 2 and 3 command 7, each retried until acknowledged or the phase deadline passed.
    /// </summary>
    public sealed class KeyRefreshSettings
    {
        /// <summary>When the operator starts it (simulated seconds).</summary>
        public double AtSeconds { get; set; } = 120;

        /// <summary>Nodes evicted: node indices, or the words "insiders" (every insider and evictedInsider) and "evictedInsiders".</summary>
        public List<System.Text.Json.JsonElement> Evict { get; set; } = new();

        /// <summary>Per phase, how long the driver keeps retrying nodes that did not acknowledge (mesh-gateway's deadline_seconds; 600 by default there too).</summary>
        public double PhaseDeadlineSeconds { get; set; } = 600;

        /// <summary>Refresh commands in flight at once per gateway (mesh-gateway's KeyRefreshService: 4).</summary>
        public int Concurrency { get; set; } = 4;

        public static readonly string[] EvictWords = { "insiders", "evictedInsiders" };
    }

    public sealed class MobilitySettings
    {
        /// <summary>randomWaypoint.</summary>
        public string Kind { get; set; } = "randomWaypoint";

        /// <summary>Fraction of nodes that move.</summary>
        public double Fraction { get; set; } = 0.2;
        public double SpeedMetersPerSecond { get; set; } = 1.0;
        public double PauseSeconds { get; set; } = 30;

        /// <summary>How often link tables are recomputed.</summary>
        public double UpdateSeconds { get; set; } = 10;
    }
}
