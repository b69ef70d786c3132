using System;
using System.Collections.Generic;
using System.Diagnostics;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Radio;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Topology;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// A discrete-event simulation in virtual microseconds. Every honest node is a real
    /// <see cref="MeshNode"/> driven only through its public sans-I/O API; the simulator owns time, the
    /// radio (path loss, airtime, collisions with capture, half duplex, carrier sense, loss) and the
    /// adversaries. A run is a pure function of the scenario and its seed.
    /// </summary>
    public sealed partial class Simulation
    {
        private const int ReplayerQueueLimit = 64;

        private readonly Scenario _scenario;
        private readonly RadioModel _radio;
        private readonly double[] _x;
        private readonly double[] _y;
        private LinkTable _links;
        private readonly SimNode[] _nodes;
        private readonly EventHeap _events = new();
        private readonly ShardContext? _shard;
        private MetricsCollector _metrics;
        // Concrete (sealed) type: the channel draws once per frame arrival, and a direct call inlines.
        private readonly XorShiftRandom _channelRandom;
        private readonly IRandomSource _workloadRandom;

        // Draws made only for the metrics (would a collided frame have decoded?), so that measuring
        // never changes what happens.
        private readonly XorShiftRandom _metricsRandom;
        /// <summary>Network time (seconds) at simulated time zero in deterministic runs: any fixed value well above the freshness window.</summary>
        public const uint SimulatedEpochSeconds = 1_800_000_000;

        private readonly uint _epochSeconds;
        private readonly ICryptoProvider _crypto;
        private readonly NetworkKey _key;
        private readonly NetworkKey _forgerKey;
        private readonly GatewayKeyDirectory _deviceKeys;
        private readonly DerivedDeviceKeys _forgerDeviceKeys;

        // Messages each node accepted, kept only in runs with a replayer (see NoteAccepted).
        private readonly HashSet<(ulong, ulong)>?[]? _acceptedByNode;
        private readonly ReadingSet _readings = new();
        private readonly MeshEvent _event = new();
        private readonly FrameHeader _header = new();
        private readonly long _endUs;
        private readonly int[] _sinks;

        // Per node, the origins a gateway there can ever hear (GatewayTables); null: mesh-wide tables.
        private readonly int[]? _gatewayAudible;

        // Transmissions on air, pooled by id.
        private readonly List<byte[]> _txBytes = new();
        private readonly List<int> _txLength = new();
        private readonly List<int> _txSender = new();
        private readonly Stack<int> _txFree = new();

        // The channel's constants, read once from the scenario.
        private readonly long _slotUs;
        private readonly long _difsUs;
        private readonly int _contentionWindow;
        private readonly double _carrierSenseDbm;
        private readonly double _captureRatio;
        private readonly Jammers _jammers;
        private readonly BurstLoss? _burstLoss;

        // Per-node radio state the channel reads on every frame arrival, as arrays (SimNode keeps the
        // public copies): a frame arrival touches these and the link table, not the node objects.
        private readonly bool[] _alive;
        private readonly long[] _transmittingUntilUs;
        private readonly IncomingFrames _incoming;

        private long _nowUs;
        private long _eventCount;
        private int _aliveHonest;

        /// <summary>Observes every message an application receives (node, event, time in µs); for tests and reports.</summary>
        public Action<SimNode, MeshEvent, long>? MessageDelivered { get; set; }

        /// <summary>Observes every transmission (node, frame bytes, length, time in µs); for tests and reports.</summary>
        public Action<SimNode, byte[], int, long>? FrameTransmitted { get; set; }

        /// <summary>Called for every frame a node with <see cref="NodeBehaviour"/> External hears (real-time bridge).</summary>
        public Action<int, byte[], int>? ExternalHeard { get; set; }

        /// <param name="epochSeconds">
        /// Network time (seconds) at simulated time zero. Deterministic runs use a fixed value; a run bridged
        /// onto the LAN in real time passes the wall clock, so that gateways (whose network time is Unix
        /// time) and simulated nodes agree on what is fresh.
        /// </param>
        public Simulation(Scenario scenario, string? baseDirectory = null, uint epochSeconds = SimulatedEpochSeconds)
            : this(scenario, baseDirectory, epochSeconds, null)
        {
        }

        /// <param name="shard">One spatial shard of a sharded run (<see cref="ShardedSimulation"/>): this instance runs only the nodes the shard owns; null runs them all.</param>
        internal Simulation(Scenario scenario, string? baseDirectory, uint epochSeconds, ShardContext? shard)
        {
            _epochSeconds = epochSeconds;
            _shard = shard;
            string? problem = ScenarioValidator.FirstError(scenario, baseDirectory);
            if (problem != null)
            {
                throw new ArgumentException(problem);
            }

            _scenario = scenario;
            var root = new XorShiftRandom(scenario.Seed);
            var (x, y) = TopologyBuilder.Build(scenario.Topology, baseDirectory, new XorShiftRandom(scenario.Seed ^ 0x7090_1061UL));
            _radio = new RadioModel(scenario.Radio, scenario.Seed);
            _x = x;
            _y = y;
            _links = LinkTable.Build(x, y, _radio);
            RadioSettings rs = scenario.Radio;
            _slotUs = (long)Math.Round(rs.SlotMicroseconds);
            _difsUs = (long)Math.Round(rs.DifsMicroseconds);
            _contentionWindow = rs.ContentionWindowSlots;
            _carrierSenseDbm = _radio.CarrierSenseDbm;
            _captureRatio = Math.Pow(10, rs.CaptureThresholdDb / 10);
            _jammers = new Jammers(scenario.Adversaries);
            _burstLoss = rs.BurstLoss == null ? null : new BurstLoss(rs.BurstLoss, _links.LinkCount);
            // Each shard draws its channel and metrics streams apart (shard 0's are an unsharded run's).
            ulong shardStream = shard == null ? 0 : (ulong)shard.Index * 0x9E37_79B9_7F4A_7C15UL;
            _channelRandom = new XorShiftRandom(scenario.Seed ^ 0xC4A1_E1UL ^ shardStream);
            _workloadRandom = new XorShiftRandom(scenario.Seed ^ 0x3071_0ADUL);
            _metricsRandom = new XorShiftRandom(scenario.Seed ^ 0x3E7_21C5UL ^ shardStream);
            _crypto = new MemoizedCrypto(DesktopCrypto.Instance);
            _key = new NetworkKey(Convert.FromHexString(scenario.Network.Key), _crypto);
            byte[] wrong = Convert.FromHexString(scenario.Network.Key);
            wrong[0] ^= 0xFF;
            _forgerKey = new NetworkKey(wrong, DesktopCrypto.Instance);
            // Every simulated node is provisioned with a device key derived from the scenario's key: the
            // sinks (gateways) hold them all, each node its own; the forger holds none of them.
            _deviceKeys = new GatewayKeyDirectory(new DerivedDeviceKeys(Convert.FromHexString(scenario.Network.Key), _crypto));
            _forgerDeviceKeys = new DerivedDeviceKeys(wrong, DesktopCrypto.Instance);

            _endUs = (long)(scenario.DurationSeconds * 1e6);
            _nextRouteSampleUs = Math.Max((long)(scenario.WarmupSeconds * 1e6), RouteSampleIntervalUs);

            int n = x.Length;
            _nodes = new SimNode[n];
            if (scenario.Adversaries.Exists(a => a.Kind == "replayer"))
            {
                _acceptedByNode = new HashSet<(ulong, ulong)>?[n];
            }
            // Own stream, so that clocks do not shift any other random sequence.
            var clocks = new XorShiftRandom(scenario.Seed ^ 0xC10C_D21F_7UL);
            double drift = scenario.Network.ClockDriftPpm;
            for (int i = 0; i < n; i++)
            {
                var clock = new NodeClock((2 * RandomDraws.Unit(clocks) - 1) * drift, RandomDraws.Unit(clocks) * 1000);
                _nodes[i] = new SimNode { Index = i, Id = (uint)(i + 1), X = x[i], Y = y[i], Role = NodeRole.Sensor, Clock = clock };
            }

            _alive = new bool[n];
            Array.Fill(_alive, true);
            _transmittingUntilUs = new long[n];
            _incoming = new IncomingFrames(n);

            _sinks = SinkPlacement.Choose(scenario, x, y);
            foreach (int s in _sinks)
            {
                _nodes[s].IsSink = true;
                _nodes[s].Role = NodeRole.Bridge;
            }

            foreach (int e in scenario.Roles.Edges)
            {
                _nodes[e].Role = NodeRole.Edge;
            }

            foreach (int r in scenario.Roles.Relays)
            {
                _nodes[r].Role = NodeRole.Relay;
            }

            // Per-node settings last, in order: a later group overrides an earlier one.
            foreach (NodeGroupSettings g in scenario.Roles.PerNode)
            {
                foreach (int i in g.Nodes)
                {
                    if (g.Role != null && !_nodes[i].IsSink)
                    {
                        _nodes[i].Role = NodeGroupSettings.ParseRole(g.Role);
                    }

                    _nodes[i].HopLimit = g.HopLimit ?? _nodes[i].HopLimit;
                    _nodes[i].Policy = g.Policy ?? _nodes[i].Policy;
                    _nodes[i].ReadingIntervalSeconds = g.ReadingIntervalSeconds ?? _nodes[i].ReadingIntervalSeconds;
                }
            }

            AssignAdversaries(scenario, root);
            if (scenario.Adversaries.Count == 0 && scenario.Mobility == null)
            {
                int hopLimit = scenario.Network.HopLimit;
                foreach (SimNode node in _nodes)
                {
                    hopLimit = Math.Max(hopLimit, node.HopLimit);
                }

                _gatewayAudible = GatewayTables.Audible(_links, _sinks, hopLimit + 1);
            }

            _metrics = NewMetricsCollector();
            _metrics.Recorder = shard?.Log;

            for (int i = 0; i < n; i++)
            {
                _nodes[i].Random = new XorShiftRandom(scenario.Seed * 0x9E3779B97F4A7C15UL + (ulong)i + 1);
                if (Owns(i))
                {
                    StartNode(_nodes[i], 0);
                }
            }

            foreach (var node in _nodes)
            {
                if (IsHonestRunning(node))
                {
                    _aliveHonest++;
                }
            }

            ScheduleFaults(scenario);
            ScheduleWorkload(scenario);
            ScheduleBabblers(scenario);
            ScheduleAdversaryKinds(scenario);
            ScheduleKeyRefresh(scenario);
            ScheduleMobility(scenario, root);
        }

        private static bool IsHonestRunning(SimNode n) => n.Alive && n.Core != null && n.Behaviour == NodeBehaviour.Honest;

        public IReadOnlyList<SimNode> Nodes => _nodes;

        public LinkTable Links => _links;

        public RadioModel Radio => _radio;

        public long NowUs => _nowUs;

        public IReadOnlyList<int> Sinks => _sinks;

        public MetricsCollector Metrics => _metrics;

        /// <summary>Runs to the scenario's end and returns the metrics.</summary>
        public RunResult Run(IProgress<double>? progress = null)
        {
            var wall = Stopwatch.StartNew();
            long reportEvery = Math.Max(1, _endUs / 200);
            long nextReport = reportEvery;
            while (_events.Count > 0 && _events.PeekTime <= _endUs)
            {
                Step();
                if (progress != null && _nowUs >= nextReport)
                {
                    progress.Report((double)_nowUs / _endUs);
                    nextReport = _nowUs + reportEvery;
                }
            }

            _nowUs = _endUs;
            progress?.Report(1.0);
            return Result(wall.Elapsed.TotalSeconds);
        }

        /// <summary>Processes every event up to and including <paramref name="untilUs"/> (real-time mode).</summary>
        public void RunUntil(long untilUs)
        {
            while (_events.Count > 0 && _events.PeekTime <= untilUs)
            {
                Step();
            }

            if (untilUs > _nowUs)
            {
                _nowUs = untilUs;
            }
        }

        public RunResult Result(double wallSeconds)
        {
            ScanForInventedIds();
            FinishKeyRefreshMetrics();
            FinishInsiderVictimMetrics();
            RunResult result = _metrics.Build(_scenario, _nodes, _links, _radio, _endUs, wallSeconds, _eventCount);
            FillReportSchedule(result.Readings);
            result.RoutePoisoning = RoutePoisoningResult();
            result.KeyRefresh = KeyRefreshResult;
            return result;
        }

        /// <summary>Puts a frame on the air from <paramref name="node"/> now (real-time bridge, tests).</summary>
        public void Inject(int node, byte[] frame, int length)
        {
            StartTransmission(_nodes[node], frame, length, _nowUs);
        }

        private void Step()
        {
            SimEvent e = _events.Pop();
            _nowUs = e.TimeUs;
            _eventCount++;
            SimNode node = _nodes[e.Node];
            switch (e.Kind)
            {
                case EventKind.Wake:
                    if (e.Arg == (int)node.WakeToken)
                    {
                        node.ScheduledWakeUs = long.MaxValue;
                        Service(node);
                    }

                    break;
                case EventKind.TransmissionEnd:
                    EndTransmission(node, e.Arg);
                    break;
                case EventKind.Crash:
                    Crash(node);
                    break;
                case EventKind.Restart:
                    Restart(node);
                    break;
                case EventKind.Broadcast:
                    SendBroadcast();
                    break;
                case EventKind.Command:
                    SendCommand();
                    break;
                case EventKind.ReplayFrame:
                    Replay(node);
                    break;
                case EventKind.Forge:
                    Forge(node);
                    break;
                case EventKind.Move:
                    Move();
                    break;
                case EventKind.Babble:
                    Babble(node);
                    break;
                case EventKind.Adversary:
                    AdversaryAct(node, e.Arg);
                    break;
            }

            MaybeSampleRoutes();
        }
    }
}
