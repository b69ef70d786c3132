using System;
using System.Collections.Generic;
using System.Diagnostics;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Forwarding;
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
    public sealed class Simulation
    {
        private const int ReplayerQueueLimit = 64;

        private readonly Scenario _scenario;
        private readonly RadioModel _radio;
        private readonly double[] _x;
        private readonly double[] _y;
        private LinkTable _links;
        private readonly SimNode[] _nodes;
        private readonly EventHeap _events = new();
        private readonly MetricsCollector _metrics;
        private readonly IRandomSource _channelRandom;
        private readonly IRandomSource _workloadRandom;
        /// <summary>Network time (seconds) at simulated time zero in deterministic runs: any fixed value well above the freshness window.</summary>
        public const uint SimulatedEpochSeconds = 1_800_000_000;

        private readonly uint _epochSeconds;

        private readonly NetworkKey _key;
        private readonly NetworkKey _forgerKey;
        private readonly DerivedDeviceKeys _deviceKeys;
        private readonly DerivedDeviceKeys _forgerDeviceKeys;
        private readonly ReadingSet _readings = new();
        private readonly MeshEvent _event = new();
        private readonly long _endUs;
        private readonly int[] _sinks;

        // Transmissions on air, pooled by id.
        private readonly List<byte[]> _txBytes = new();
        private readonly List<int> _txLength = new();
        private readonly List<int> _txSender = new();
        private readonly Stack<int> _txFree = new();

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
        {
            _epochSeconds = epochSeconds;
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
            _channelRandom = new XorShiftRandom(scenario.Seed ^ 0xC4A1_E1UL);
            _workloadRandom = new XorShiftRandom(scenario.Seed ^ 0x3071_0ADUL);
            _key = new NetworkKey(Convert.FromHexString(scenario.Network.Key), new MemoizedCrypto(DesktopCrypto.Instance));
            byte[] wrong = Convert.FromHexString(scenario.Network.Key);
            wrong[0] ^= 0xFF;
            _forgerKey = new NetworkKey(wrong, DesktopCrypto.Instance);
            // Every simulated node is provisioned with a device key derived from the scenario's key: the
            // sinks (gateways) hold them all, each node its own; the forger holds none of them.
            _deviceKeys = new DerivedDeviceKeys(Convert.FromHexString(scenario.Network.Key), new MemoizedCrypto(DesktopCrypto.Instance));
            _forgerDeviceKeys = new DerivedDeviceKeys(wrong, DesktopCrypto.Instance);
            _endUs = (long)(scenario.DurationSeconds * 1e6);

            int n = x.Length;
            _nodes = new SimNode[n];
            for (int i = 0; i < n; i++)
            {
                _nodes[i] = new SimNode { Index = i, Id = (uint)(i + 1), X = x[i], Y = y[i], Role = NodeRole.Sensor };
            }

            _sinks = ChooseSinks(scenario, x, y);
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

            AssignAdversaries(scenario, root);
            _metrics = new MetricsCollector(n, _sinks, (long)(scenario.WarmupSeconds * 1e6));

            for (int i = 0; i < n; i++)
            {
                _nodes[i].Random = new XorShiftRandom(scenario.Seed * 0x9E3779B97F4A7C15UL + (ulong)i + 1);
                StartCore(_nodes[i], 0);
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
            return _metrics.Build(_scenario, _nodes, _links, _radio, _endUs, wallSeconds, _eventCount);
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
            }
        }

        // ------------------------------------------------------------------ nodes

        private void StartCore(SimNode node, long nowUs)
        {
            if (node.Behaviour == NodeBehaviour.Replayer || node.Behaviour == NodeBehaviour.Forger || node.Behaviour == NodeBehaviour.External)
            {
                node.Core = null;
                return;
            }

            var w = _scenario.Workload;
            var p = _scenario.Policy;
            PolicySettings policy = p.Kind switch
            {
                "gossip" => PolicySettings.Gossip(p.P, p.K),
                "managed" => PolicySettings.Managed(p.CancelThreshold),
                _ => PolicySettings.Flooding(),
            };
            policy.JitterMs = p.JitterMs;
            policy.MinDelayMs = p.MinDelayMs;
            policy.MaxDelayMs = p.MaxDelayMs;

            bool reports = node.Role == NodeRole.Sensor && node.Behaviour == NodeBehaviour.Honest && w.ReadingIntervalSeconds > 0;
            var config = new NodeConfig
            {
                NodeId = node.Id,
                NetworkId = _scenario.Network.Id,
                Role = node.Behaviour == NodeBehaviour.BlackHole ? NodeRole.Edge : node.Role,
                Policy = policy,
                HopLimit = _scenario.Network.HopLimit,
                EncryptPayloads = _scenario.Network.Encrypt,
                InitialSequence = node.PersistedSequence,
                // Simulated nodes keep their checkpoint in the simulator's memory, which never fails.
                RequireCheckpointConfirmation = false,
                InitialNetworkTime = _epochSeconds + (uint)(nowUs / 1_000_000),
                DeviceKey = _deviceKeys.KeyOf(node.Id),
                DeviceKeys = node.IsSink ? _deviceKeys : null,
                HeartbeatIntervalMs = (long)(w.HeartbeatIntervalSeconds * 1000),
                ReportIntervalMs = reports ? (long)(w.ReadingIntervalSeconds * 1000) : 0,
            };
            if (node.IsSink)
            {
                // A gateway is a desktop: it can afford tables for the whole mesh.
                int big = Math.Max(256, _nodes.Length * 2);
                config.ReplayTableSize = big;
                config.RouteTableSize = big;
                config.DuplicateCacheSize = Math.Max(1024, _nodes.Length * 8);
                config.EventQueueSize = 256;
                config.TransmitQueueSize = 64;
                config.PendingCommandSlots = 16;
            }

            node.Core = new MeshNode(config, _key, node.Random, nowUs / 1000);
            ScheduleWake(node);
        }

        private void Service(SimNode node)
        {
            MeshNode? core = node.Core;
            if (!node.Alive || core == null)
            {
                return;
            }

            core.Poll(_nowUs / 1000);
            DrainEvents(node);
            TryTransmit(node);
            ScheduleWake(node);
        }

        private void ScheduleWake(SimNode node)
        {
            MeshNode? core = node.Core;
            if (!node.Alive || core == null)
            {
                return;
            }

            long wakeMs = core.NextWakeMs;
            if (wakeMs == long.MaxValue)
            {
                return;
            }

            long wakeUs = wakeMs * 1000;
            if (wakeUs <= _nowUs)
            {
                // A frame is due but waits for the radio: the end of our own transmission or the backoff.
                long radioFree = node.TransmittingUntilUs > _nowUs ? node.TransmittingUntilUs : node.AttemptAtUs;
                wakeUs = radioFree > _nowUs ? radioFree : _nowUs + 1000;
            }

            if (wakeUs < node.ScheduledWakeUs)
            {
                node.WakeToken++;
                node.ScheduledWakeUs = wakeUs;
                _events.Push(wakeUs, EventKind.Wake, node.Index, (int)node.WakeToken);
            }
        }

        /// <summary>802.11 DCF: DIFS (50 µs) plus a random number of 20 µs slots from a window of 16.</summary>
        private static long Backoff(SimNode node)
        {
            return 50 + 20 * RandomExtensions.NextBelow(node.Random, 16);
        }

        /// <summary>
        /// Listen before talk: a due frame first waits a random backoff (nodes woken by the same event
        /// must not all start in the same microsecond), then defers while the channel is busy.
        /// </summary>
        private void TryTransmit(SimNode node)
        {
            MeshNode core = node.Core!;
            if (core.NextTransmitMs > _nowUs / 1000)
            {
                node.AttemptAtUs = 0;
                return;
            }

            if (node.TransmittingUntilUs > _nowUs)
            {
                return; // the end of our transmission brings us back
            }

            if (node.AttemptAtUs == 0)
            {
                node.AttemptAtUs = _nowUs + Backoff(node);
                return;
            }

            if (_nowUs < node.AttemptAtUs)
            {
                return;
            }

            if (_scenario.Radio.Csma && node.ChannelBusyUntilUs > _nowUs)
            {
                node.AttemptAtUs = node.ChannelBusyUntilUs + Backoff(node);
                return;
            }

            node.AttemptAtUs = 0;
            int tx = AllocateTransmission(node.Index);
            if (core.TryTakeTransmit(_nowUs / 1000, _txBytes[tx], 0, out int length))
            {
                _txLength[tx] = length;
                BeginTransmission(node, tx);
            }
            else
            {
                _txFree.Push(tx);
            }
        }

        private void DrainEvents(SimNode node)
        {
            MeshNode core = node.Core!;
            long nowMs = _nowUs / 1000;
            while (core.TryTakeEvent(_event))
            {
                switch (_event.Kind)
                {
                    case MeshEventKind.ReportDue:
                        SendReadings(node, core, nowMs);
                        break;
                    case MeshEventKind.Message:
                        _metrics.Delivered(node, _event, _nowUs);
                        MessageDelivered?.Invoke(node, _event, _nowUs);
                        if (_event.Type == MessageType.Command && _event.Destination == node.Id
                            && !CommandCodec.IsHandledByCore(CommandCodec.Kind(_event.Payload, 0)))
                        {
                            // Application-level commands (identify, reboot): the simulated app obeys at once.
                            core.Acknowledge(_event.Origin, CommandCodec.CommandId(_event.Payload, 0), CommandStatus.Ok, nowMs);
                        }

                        break;
                    case MeshEventKind.CommandAcknowledged:
                        _metrics.CommandAcknowledged(node, _event.CommandId, _nowUs);
                        break;
                    case MeshEventKind.CommandTimedOut:
                        _metrics.CommandTimedOut(node, _event.CommandId);
                        break;
                }
            }
        }

        private void SendReadings(SimNode node, MeshNode core, long nowMs)
        {
            // Plausible, slowly varying values; the simulator cares that they arrive, not what they are.
            _readings.Clear();
            _readings.Add(Quantity.Temperature, 18 + (node.Index % 10) + RandomExtensions.NextBelow(node.Random, 100) / 100.0);
            _readings.Add(Quantity.Humidity, 40 + RandomExtensions.NextBelow(node.Random, 2000) / 100.0);
            _readings.AddRaw(Quantity.BatteryVoltage, 3600 + RandomExtensions.NextBelow(node.Random, 500));
            uint sequence = core.NextSequence;
            if (core.SendReadings(_readings, nowMs) == SendResult.Queued)
            {
                _metrics.Sent(MessageClass.Reading, node.Id, sequence, _nowUs, AliveHonestCount());
            }
            else
            {
                _metrics.SendRefused(MessageClass.Reading);
            }
        }

        // ------------------------------------------------------------------ radio

        private int AllocateTransmission(int sender)
        {
            int tx;
            if (_txFree.Count > 0)
            {
                tx = _txFree.Pop();
            }
            else
            {
                tx = _txBytes.Count;
                _txBytes.Add(new byte[FrameLayout.MaxFrameSize]);
                _txLength.Add(0);
                _txSender.Add(0);
            }

            _txSender[tx] = sender;
            return tx;
        }

        private void StartTransmission(SimNode node, byte[] frame, int length, long nowUs)
        {
            int tx = AllocateTransmission(node.Index);
            Array.Copy(frame, 0, _txBytes[tx], 0, length);
            _txLength[tx] = length;
            BeginTransmission(node, tx);
        }

        private void BeginTransmission(SimNode node, int tx)
        {
            byte[] bytes = _txBytes[tx];
            int length = _txLength[tx];
            long airtime = _radio.AirtimeMicroseconds(length);
            long end = _nowUs + airtime;
            node.TransmittingUntilUs = end;
            node.Transmissions++;
            node.AirtimeUs += airtime;
            _metrics.Transmitted(node, bytes, length, _nowUs);
            FrameTransmitted?.Invoke(node, bytes, length, _nowUs);

            // Half duplex: whatever this node was receiving is lost.
            bool collisions = _scenario.Radio.Collisions;
            List<Incoming> own = node.Incoming;
            for (int k = 0; collisions && k < own.Count; k++)
            {
                Incoming inc = own[k];
                inc.Corrupted = true;
                inc.HalfDuplex = true;
                own[k] = inc;
            }

            double capture = _scenario.Radio.CaptureThresholdDb;
            double fading = _scenario.Radio.FadingSigmaDb;
            double sensitivity = _scenario.Radio.SensitivityDbm;
            int[] rowStart = _links.RowStart;
            int[] targets = _links.Target;
            float[] rssis = _links.Rssi;
            for (int l = rowStart[node.Index]; l < rowStart[node.Index + 1]; l++)
            {
                SimNode r = _nodes[targets[l]];
                if (!r.Alive || Partitioned(node, r))
                {
                    continue;
                }

                float rssi = rssis[l];
                if (fading > 0)
                {
                    rssi += (float)(fading * Gaussian(_channelRandom));
                }

                bool corrupted = false;
                List<Incoming> incoming = r.Incoming;
                for (int k = 0; k < incoming.Count; k++)
                {
                    Incoming other = incoming[k];
                    if (other.EndUs <= _nowUs)
                    {
                        // Left behind when links changed under a frame in flight (mobility).
                        if (other.EndUs < _nowUs)
                        {
                            incoming[k] = incoming[incoming.Count - 1];
                            incoming.RemoveAt(incoming.Count - 1);
                            k--;
                        }

                        continue;
                    }

                    if (!collisions)
                    {
                        continue;
                    }

                    if (other.Rssi > rssi - capture)
                    {
                        corrupted = true;
                    }

                    if (rssi > other.Rssi - capture && !other.Corrupted)
                    {
                        other.Corrupted = true;
                        incoming[k] = other;
                    }
                }

                bool halfDuplex = collisions && r.TransmittingUntilUs > _nowUs;
                incoming.Add(new Incoming { Transmission = tx, Rssi = rssi, EndUs = end, Corrupted = corrupted || halfDuplex, HalfDuplex = halfDuplex });
                if (rssi >= sensitivity && end > r.ChannelBusyUntilUs)
                {
                    r.ChannelBusyUntilUs = end;
                }
            }

            _events.Push(end, EventKind.TransmissionEnd, node.Index, tx);
        }

        private void EndTransmission(SimNode sender, int tx)
        {
            byte[] bytes = _txBytes[tx];
            int length = _txLength[tx];
            int[] rowStart = _links.RowStart;
            int[] targets = _links.Target;
            double extraLoss = _scenario.Radio.ExtraLossRate;
            for (int l = rowStart[sender.Index]; l < rowStart[sender.Index + 1]; l++)
            {
                SimNode r = _nodes[targets[l]];
                if (!TryRemoveIncoming(r, tx, out Incoming inc) || !r.Alive)
                {
                    continue;
                }

                _metrics.FrameArrivals++;

                if (inc.Corrupted)
                {
                    if (inc.HalfDuplex)
                    {
                        _metrics.LostToHalfDuplex++;
                    }
                    else
                    {
                        _metrics.Collisions++;
                    }

                    continue;
                }

                double p = _radio.ReceptionProbability(inc.Rssi) * (1 - extraLoss) * (1 - JammerLoss(r));
                if (p < 1.0 && Unit(_channelRandom) >= p)
                {
                    _metrics.LostToChannel++;
                    continue;
                }

                Receive(r, bytes, length, (int)Math.Round(inc.Rssi));
            }

            _txFree.Push(tx);
            if (sender.Core != null && sender.Alive)
            {
                TryTransmit(sender);
                ScheduleWake(sender);
            }
        }

        private void Receive(SimNode r, byte[] bytes, int length, int rssi)
        {
            switch (r.Behaviour)
            {
                case NodeBehaviour.Replayer:
                    if (r.Captured.Count < ReplayerQueueLimit)
                    {
                        var copy = new byte[length];
                        Array.Copy(bytes, copy, length);
                        r.Captured.Enqueue(copy);
                        _events.Push(_nowUs + (long)(FirstReplayer().DelaySeconds * 1e6), EventKind.ReplayFrame, r.Index, 0);
                    }

                    return;
                case NodeBehaviour.Forger:
                    if (r.Captured.Count < 1)
                    {
                        var copy = new byte[length];
                        Array.Copy(bytes, copy, length);
                        r.Captured.Enqueue(copy);
                    }

                    return;
                case NodeBehaviour.External:
                    ExternalHeard?.Invoke(r.Index, bytes, length);
                    return;
            }

            MeshNode core = r.Core!;
            r.Receptions++;
            _metrics.Receptions++;
            RejectReason result = core.Receive(bytes, 0, length, rssi, _nowUs / 1000);
            if (result == RejectReason.Duplicate)
            {
                _metrics.DuplicatesReceived++;
            }

            if (result != RejectReason.None && result != RejectReason.MalformedPayload)
            {
                // A rejected frame creates no events and no transmissions (a managed-flooding
                // cancellation only removes one; the stale wake-up then finds nothing to do).
                return;
            }

            DrainEvents(r);
            TryTransmit(r);
            ScheduleWake(r);
        }

        private static bool TryRemoveIncoming(SimNode r, int tx, out Incoming found)
        {
            List<Incoming> list = r.Incoming;
            for (int k = 0; k < list.Count; k++)
            {
                if (list[k].Transmission == tx)
                {
                    found = list[k];
                    list[k] = list[list.Count - 1];
                    list.RemoveAt(list.Count - 1);
                    return true;
                }
            }

            found = default;
            return false;
        }

        private bool Partitioned(SimNode a, SimNode b)
        {
            foreach (var p in _scenario.Faults.Partitions)
            {
                double t = _nowUs / 1e6;
                if (t >= p.FromSeconds && t < p.ToSeconds && (a.X < p.AtX) != (b.X < p.AtX))
                {
                    return true;
                }
            }

            return false;
        }

        private double JammerLoss(SimNode r)
        {
            double keep = 1.0;
            double t = _nowUs / 1e6;
            foreach (var a in _scenario.Adversaries)
            {
                if (a.Kind == "jammer" && t >= a.FromSeconds && t < a.ToSeconds)
                {
                    double dx = r.X - a.X, dy = r.Y - a.Y;
                    if (dx * dx + dy * dy <= a.RadiusMeters * a.RadiusMeters)
                    {
                        keep *= 1 - a.LossRate;
                    }
                }
            }

            return 1 - keep;
        }

        // ------------------------------------------------------------------ faults and adversaries

        private static int[] ChooseSinks(Scenario s, double[] x, double[] y)
        {
            if (s.Roles.Sinks.Count > 0)
            {
                return s.Roles.Sinks.ToArray();
            }

            if (s.Roles.SinkGridMeters > 0)
            {
                return GridSinks(s.Roles.SinkGridMeters, x, y);
            }

            double cx = 0, cy = 0;
            for (int i = 0; i < x.Length; i++)
            {
                cx += x[i];
                cy += y[i];
            }

            cx /= x.Length;
            cy /= y.Length;
            int best = 0;
            double bestD = double.MaxValue;
            for (int i = 0; i < x.Length; i++)
            {
                double d = (x[i] - cx) * (x[i] - cx) + (y[i] - cy) * (y[i] - cy);
                if (d < bestD)
                {
                    bestD = d;
                    best = i;
                }
            }

            return new[] { best };
        }

        /// <summary>One gateway per grid cell: the node nearest each cell's centre.</summary>
        private static int[] GridSinks(double cell, double[] x, double[] y)
        {
            double minX = double.MaxValue, minY = double.MaxValue, maxX = double.MinValue, maxY = double.MinValue;
            for (int i = 0; i < x.Length; i++)
            {
                minX = Math.Min(minX, x[i]);
                minY = Math.Min(minY, y[i]);
                maxX = Math.Max(maxX, x[i]);
                maxY = Math.Max(maxY, y[i]);
            }

            var chosen = new List<int>();
            for (double cy = minY + cell / 2; cy < maxY + cell / 2; cy += cell)
            {
                for (double cx = minX + cell / 2; cx < maxX + cell / 2; cx += cell)
                {
                    int best = -1;
                    double bestD = double.MaxValue;
                    for (int i = 0; i < x.Length; i++)
                    {
                        double d = (x[i] - cx) * (x[i] - cx) + (y[i] - cy) * (y[i] - cy);
                        if (d < bestD)
                        {
                            bestD = d;
                            best = i;
                        }
                    }

                    if (!chosen.Contains(best))
                    {
                        chosen.Add(best);
                    }
                }
            }

            return chosen.ToArray();
        }

        private void AssignAdversaries(Scenario s, IRandomSource random)
        {
            foreach (var a in s.Adversaries)
            {
                NodeBehaviour b = a.Kind switch
                {
                    "blackhole" => NodeBehaviour.BlackHole,
                    "replayer" => NodeBehaviour.Replayer,
                    "forger" => NodeBehaviour.Forger,
                    _ => NodeBehaviour.Honest,
                };
                if (b == NodeBehaviour.Honest)
                {
                    continue; // jammers are areas, not nodes
                }

                var chosen = new List<int>(a.Nodes);
                int guard = 0;
                while (chosen.Count < a.Nodes.Count + a.Count && guard++ < 100_000)
                {
                    int i = RandomExtensions.NextBelow(random, _nodes.Length);
                    if (!_nodes[i].IsSink && _nodes[i].Behaviour == NodeBehaviour.Honest && !chosen.Contains(i))
                    {
                        chosen.Add(i);
                    }
                }

                foreach (int i in chosen)
                {
                    _nodes[i].Behaviour = b;
                }
            }
        }

        /// <summary>Marks a node as driven from outside (real-time bridge); call before running.</summary>
        public void MakeExternal(int node)
        {
            if (IsHonestRunning(_nodes[node]))
            {
                _aliveHonest--;
            }

            _nodes[node].Behaviour = NodeBehaviour.External;
            _nodes[node].Core = null;
        }

        private AdversarySettings FirstReplayer()
        {
            foreach (var a in _scenario.Adversaries)
            {
                if (a.Kind == "replayer")
                {
                    return a;
                }
            }

            return new AdversarySettings();
        }

        private void ScheduleFaults(Scenario s)
        {
            foreach (var c in s.Faults.Crashes)
            {
                _events.Push((long)(c.AtSeconds * 1e6), EventKind.Crash, c.Node, 0);
                if (c.RestartAtSeconds.HasValue)
                {
                    _events.Push((long)(c.RestartAtSeconds.Value * 1e6), EventKind.Restart, c.Node, 0);
                }
            }

            if (s.Faults.ChurnRatePerHour > 0)
            {
                foreach (var node in _nodes)
                {
                    if (!node.IsSink && node.Behaviour == NodeBehaviour.Honest)
                    {
                        ScheduleChurn(node);
                    }
                }
            }

            foreach (var node in _nodes)
            {
                if (node.Behaviour == NodeBehaviour.Forger)
                {
                    _events.Push(NextInterval(Math.Max(1, s.Workload.ReadingIntervalSeconds)), EventKind.Forge, node.Index, 0);
                }
            }
        }

        private void ScheduleChurn(SimNode node)
        {
            double meanSeconds = 3600.0 / _scenario.Faults.ChurnRatePerHour;
            double wait = -Math.Log(1 - Unit(_workloadRandom)) * meanSeconds;
            long at = _nowUs + (long)(wait * 1e6);
            if (at < _endUs)
            {
                _events.Push(at, EventKind.Crash, node.Index, 1);
                _events.Push(at + (long)(_scenario.Faults.ChurnDowntimeSeconds * 1e6), EventKind.Restart, node.Index, 1);
            }
        }

        private void Crash(SimNode node)
        {
            if (!node.Alive)
            {
                return;
            }

            if (IsHonestRunning(node))
            {
                _aliveHonest--;
            }

            node.Alive = false;
            if (node.Core != null)
            {
                // The board persisted its sequence checkpoint in flash; that is all that survives.
                node.PersistedSequence = node.Core.SequenceCheckpoint;
            }

            node.Incoming.Clear();
            node.WakeToken++;
            node.ScheduledWakeUs = long.MaxValue;
            _metrics.Crashes++;
        }

        private void Restart(SimNode node)
        {
            if (node.Alive)
            {
                return;
            }

            node.Alive = true;
            node.TransmittingUntilUs = 0;
            node.AttemptAtUs = 0;
            node.ChannelBusyUntilUs = 0;
            StartCore(node, _nowUs);
            if (IsHonestRunning(node))
            {
                _aliveHonest++;
            }

            if (_scenario.Faults.ChurnRatePerHour > 0 && !node.IsSink)
            {
                ScheduleChurn(node);
            }
        }

        private void Replay(SimNode node)
        {
            if (!node.Alive || node.Captured.Count == 0)
            {
                return;
            }

            byte[] frame = node.Captured.Dequeue();
            _metrics.AdversarialFramesSent++;
            StartTransmission(node, frame, frame.Length, _nowUs);
        }

        /// <summary>
        /// A forger without the key: alternately sends a reading under a wrong key claiming a real node's
        /// identity, and a captured genuine frame with one payload byte changed.
        /// </summary>
        private void Forge(SimNode node)
        {
            if (node.Alive)
            {
                byte[] frame = new byte[FrameLayout.MaxFrameSize];
                int length;
                if ((_metrics.AdversarialFramesSent & 1) == 0 || node.Captured.Count == 0)
                {
                    length = ForgeUnderWrongKey(frame);
                }
                else
                {
                    byte[] captured = node.Captured.Dequeue();
                    length = captured.Length;
                    Array.Copy(captured, frame, length);
                    frame[FrameLayout.HeaderSize] ^= 0x01;
                }

                _metrics.AdversarialFramesSent++;
                StartTransmission(node, frame, length, _nowUs);
            }

            _events.Push(_nowUs + NextInterval(Math.Max(1, _scenario.Workload.ReadingIntervalSeconds)), EventKind.Forge, node.Index, 0);
        }

        private int ForgeUnderWrongKey(byte[] frame)
        {
            var header = new FrameHeader
            {
                Flags = FrameFlags.DeviceSealed,
                Time = _epochSeconds + (uint)(_nowUs / 1_000_000),
                Type = MessageType.Readings,
                Network = _scenario.Network.Id,
                Origin = (uint)(1 + RandomExtensions.NextBelow(_workloadRandom, _nodes.Length)),
                Destination = NodeAddress.Gateways,
                Sequence = 0x7FFF_0000u + (uint)_metrics.AdversarialFramesSent,
                HopLimit = _scenario.Network.HopLimit,
            };
            _readings.Clear();
            _readings.Add(Quantity.Temperature, 99.9);
            header.PayloadLength = _readings.Encode(frame, FrameLayout.HeaderSize, FrameLayout.MaxPayloadSize);
            header.PreviousHop = header.Origin;
            FrameCodec.WriteHeader(header, frame, 0);
            new PayloadSealer().Seal(_forgerDeviceKeys.KeyOf(header.Origin).Sealing, header, frame, 0);
            new NetworkSealer().Seal(_forgerKey, frame, 0, header.FrameLength);
            return header.FrameLength;
        }

        // ------------------------------------------------------------------ mobility

        private void ScheduleMobility(Scenario s, IRandomSource random)
        {
            MobilitySettings? m = s.Mobility;
            if (m == null || m.Fraction <= 0 || m.SpeedMetersPerSecond <= 0)
            {
                return;
            }

            foreach (SimNode node in _nodes)
            {
                if (!node.IsSink && TopologyBuilder.Unit(random) < m.Fraction)
                {
                    node.Mobile = true;
                    PickWaypoint(node);
                }
            }

            _events.Push((long)(m.UpdateSeconds * 1e6), EventKind.Move, 0, 0);
        }

        private void PickWaypoint(SimNode node)
        {
            var t = _scenario.Topology;
            double width = Math.Max(t.WidthMeters, MaxOf(_x));
            double height = Math.Max(t.HeightMeters, MaxOf(_y));
            node.TargetX = TopologyBuilder.Unit(_workloadRandom) * width;
            node.TargetY = TopologyBuilder.Unit(_workloadRandom) * height;
        }

        /// <summary>
        /// Random waypoint (Johnson and Maltz 1996): each mobile node walks at constant speed to a random
        /// point, pauses, and picks the next. Links are recomputed at every update.
        /// </summary>
        private void Move()
        {
            MobilitySettings m = _scenario.Mobility!;
            double step = m.SpeedMetersPerSecond * m.UpdateSeconds;
            foreach (SimNode node in _nodes)
            {
                if (!node.Mobile || node.PauseUntilUs > _nowUs)
                {
                    continue;
                }

                double dx = node.TargetX - node.X, dy = node.TargetY - node.Y;
                double d = Math.Sqrt(dx * dx + dy * dy);
                if (d <= step)
                {
                    node.X = node.TargetX;
                    node.Y = node.TargetY;
                    node.PauseUntilUs = _nowUs + (long)(m.PauseSeconds * 1e6);
                    PickWaypoint(node);
                }
                else
                {
                    node.X += dx / d * step;
                    node.Y += dy / d * step;
                }

                _x[node.Index] = node.X;
                _y[node.Index] = node.Y;
            }

            _links = LinkTable.Build(_x, _y, _radio);
            _metrics.LinkUpdates++;
            _events.Push(_nowUs + (long)(m.UpdateSeconds * 1e6), EventKind.Move, 0, 0);
        }

        private static double MaxOf(double[] values)
        {
            double max = 0;
            foreach (double v in values)
            {
                max = Math.Max(max, v);
            }

            return max;
        }

        // ------------------------------------------------------------------ workload

        private void ScheduleWorkload(Scenario s)
        {
            if (s.Workload.BroadcastIntervalSeconds > 0)
            {
                _events.Push(NextInterval(s.Workload.BroadcastIntervalSeconds), EventKind.Broadcast, 0, 0);
            }

            if (s.Workload.CommandIntervalSeconds > 0)
            {
                _events.Push(NextInterval(s.Workload.CommandIntervalSeconds), EventKind.Command, 0, 0);
            }
        }

        private long NextInterval(double seconds)
        {
            // Uniform in [0.5, 1.5) × interval: regular on average, never in lock-step.
            return (long)(seconds * 1e6 * (0.5 + Unit(_workloadRandom)));
        }

        private void SendBroadcast()
        {
            SimNode? from = RandomHonestNode(false);
            if (from?.Core != null)
            {
                byte[] text = System.Text.Encoding.UTF8.GetBytes("broadcast " + _metrics.BroadcastsSent);
                uint sequence = from.Core.NextSequence;
                if (from.Core.SendText(text, 0, text.Length, NodeAddress.Broadcast, _nowUs / 1000) == SendResult.Queued)
                {
                    _metrics.Sent(MessageClass.Broadcast, from.Id, sequence, _nowUs, AliveHonestCount());
                    Service(from);
                }
                else
                {
                    _metrics.SendRefused(MessageClass.Broadcast);
                }
            }

            _events.Push(_nowUs + NextInterval(_scenario.Workload.BroadcastIntervalSeconds), EventKind.Broadcast, 0, 0);
        }

        private void SendCommand()
        {
            SimNode? target = RandomHonestNode(true);
            SimNode? sink = target == null ? null : ClosestSink(target);
            if (sink != null && target != null)
            {
                SendResult r = sink.Core!.SendCommand(target.Id, CommandKind.Ping, Array.Empty<byte>(), 0, 0, _nowUs / 1000, out ushort id);
                if (r == SendResult.Queued)
                {
                    _metrics.CommandSent(sink, id, _nowUs);
                    Service(sink);
                }
            }

            _events.Push(_nowUs + NextInterval(_scenario.Workload.CommandIntervalSeconds), EventKind.Command, 0, 0);
        }

        /// <summary>The live gateway with the shortest learnt route to the target (what a multi-gateway
        /// deployment would send a command through); the first live one if none has a route.</summary>
        private SimNode? ClosestSink(SimNode target)
        {
            SimNode? best = null;
            int bestDistance = int.MaxValue;
            foreach (int i in _sinks)
            {
                SimNode sink = _nodes[i];
                if (!sink.Alive || sink.Core == null)
                {
                    continue;
                }

                int d = sink.Core.Routes.Distance(target.Id, _nowUs / 1000);
                int rank = d < 0 ? int.MaxValue - 1 : d;
                if (best == null || rank < bestDistance)
                {
                    best = sink;
                    bestDistance = rank;
                }
            }

            return best;
        }

        private SimNode? RandomHonestNode(bool excludeSinks)
        {
            for (int attempt = 0; attempt < 64; attempt++)
            {
                SimNode n = _nodes[RandomExtensions.NextBelow(_workloadRandom, _nodes.Length)];
                if (n.Alive && n.Core != null && n.Behaviour == NodeBehaviour.Honest && !(excludeSinks && n.IsSink))
                {
                    return n;
                }
            }

            return null;
        }

        private int AliveHonestCount() => _aliveHonest;

        private static double Unit(IRandomSource r) => r.NextUInt32() / 4294967296.0;

        private static double Gaussian(IRandomSource r)
        {
            double u1 = (r.NextUInt32() + 1.0) / 4294967297.0;
            double u2 = r.NextUInt32() / 4294967296.0;
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
