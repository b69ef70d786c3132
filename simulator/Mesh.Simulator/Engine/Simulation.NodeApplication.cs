using System;
using Mesh.Protocol;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Engine
{
    /// <summary>The simulated node application around each protocol core: configuring and starting the core, servicing it when it is due, and what the application does with its events (report readings, count deliveries, acknowledge application commands). Every use of the protocol core's node API outside the adversaries is here.</summary>
    public sealed partial class Simulation
    {
        private void StartCore(SimNode node, long nowUs)
        {
            if (node.Behaviour == NodeBehaviour.Replayer || node.Behaviour == NodeBehaviour.Forger || node.Behaviour == NodeBehaviour.External)
            {
                node.Core = null;
                return;
            }

            var w = _scenario.Workload;
            var p = node.Policy ?? _scenario.Policy;
            node.RescalesContentionRssi = (p.Kind == "managed" || p.Kind == "structured") && !ContentionRssi.IsCoreRange(p.WeakRssiDbm, p.StrongRssiDbm);
            PolicySettings policy = p.Kind switch
            {
                "gossip" => PolicySettings.Gossip(p.P, p.K),
                "managed" => PolicySettings.Managed(p.CancelThreshold),
                "structured" => PolicySettings.Structured(p.CancelThreshold),
                _ => PolicySettings.Flooding(),
            };
            policy.JitterMs = p.JitterMs;
            policy.MinDelayMs = p.MinDelayMs;
            policy.MaxDelayMs = p.MaxDelayMs;

            // A babbler's own traffic comes from Simulation.Babbler, not from the core's report timer.
            double interval = node.ReadingIntervalSeconds > 0 ? node.ReadingIntervalSeconds : w.ReadingIntervalSeconds;
            bool reports = node.Role == NodeRole.Sensor && node.Behaviour == NodeBehaviour.Honest && interval > 0;
            var config = new NodeConfig
            {
                NodeId = node.Id,
                NetworkId = _scenario.Network.Id,
                Role = node.Behaviour == NodeBehaviour.BlackHole ? NodeRole.Edge : node.Role,
                Policy = policy,
                HopLimit = node.HopLimit >= 0 ? node.HopLimit : _scenario.Network.HopLimit,
                EncryptPayloads = _scenario.Network.Encrypt,
                InitialSequence = node.PersistedSequence,
                InitialCommandCounters = node.PersistedCommandCounters,
                // Simulated nodes keep their checkpoint in the simulator's memory, which never fails.
                RequireCheckpointConfirmation = false,
                InitialNetworkTime = _epochSeconds + (uint)(nowUs / 1_000_000),
                DeviceKey = _deviceKeys.KeyOf(node.Id),
                DeviceKeys = node.IsSink ? _deviceKeys : null,
                HeartbeatIntervalMs = _heartbeatsOff ? HeartbeatsOffIntervalMs : (long)(w.HeartbeatIntervalSeconds * 1000),
                ReportIntervalMs = reports ? (long)(interval * 1000) : 0,
                // QoS airtime from this radio (a straight line through 0 and 250 bytes; exact for espNow).
                AirtimeOverheadUs = (int)_radio.AirtimeMicroseconds(0),
                AirtimeUsPerByte = (int)Math.Ceiling((_radio.AirtimeMicroseconds(250) - _radio.AirtimeMicroseconds(0)) / 250.0),
                FairShareFramesPerMinute = FairSharePerMinute(w),
                // Key refresh runs: the cores build the keys commands carry (null otherwise: unchanged runs).
                Crypto = NodeCrypto(),
            };
            if (w.HeartbeatNeighbours is int listed)
            {
                config.HeartbeatNeighbours = listed;
            }

            if (_scenario.Radio.Preset == "lora")
            {
                // PROTOCOL.md, "Duty cycle": the LoRa preset, 1 % over an hour (EU 868 MHz).
                config.DutyCyclePermille = 10;
                config.DutyCycleWindowMs = 3_600_000;
                config.HopRetries = NodeConfig.DutyCycledHopRetries; // structured: retransmissions spend that budget
            }

            config.BundleFrames = (node.Policy ?? _scenario.Policy).Bundle;
            ConfigureStructuredRouting(node, config);
            if (node.IsSink)
            {
                // A gateway is a desktop: it can afford tables for every origin it can hear (the whole
                // mesh unless GatewayTables could bound it).
                int heard = _gatewayAudible != null ? _gatewayAudible[node.Index] : _nodes.Length;
                int big = Math.Max(256, heard * 2);
                config.ReplayTableSize = big;
                config.RouteTableSize = big;
                config.DuplicateCacheSize = Math.Max(1024, heard * 8);
                config.EventQueueSize = 256;
                config.TransmitQueueSize = 64;
                // A refresh driver's commands in flight come on top of the workload's.
                config.PendingCommandSlots = 16 + (_scenario.KeyRefresh?.Concurrency ?? 0);
                config.FairShareSlots = big;
                if (w.GatewayHeartbeatIntervalSeconds is { } gatewayBeat && !_heartbeatsOff)
                {
                    config.HeartbeatIntervalMs = (long)(gatewayBeat * 1000);
                }
            }
            else
            {
                // Only sinks (and a key-refresh driver, which is one) send commands; like the boards, the other
                // nodes keep no commander state (no command table or timer to allocate or to walk at every wake).
                config.PendingCommandSlots = 0;
            }

            node.Runner = null;
            node.RunnerRadio = null;
            if (_scenario.Network.Application == "nodeRunner" && !node.IsSink)
            {
                StartRunner(node, config, nowUs);
                return;
            }

            // The network keys the board stored (a key refresh), or the scenario's.
            node.LastReportDueUs = nowUs;
            node.Core = new MeshNode(config, node.PersistedNetworkKey ?? _key, node.Random, node.Clock.LocalMs(nowUs));
            RestoreNetworkKeys(node);
            ScheduleWake(node);
        }

        /// <summary>
        /// The per-origin fair share sized from the scenario's expected report rate, as an operator sizes it
        /// for a mesh (PROTOCOL.md): twice the frames one honest node originates a minute (readings and
        /// heartbeats), never below the core's default. A node reporting faster than the workload (a stuck
        /// sensor, a babbler) is over it; the honest workload never is.
        /// </summary>
        private static int FairSharePerMinute(WorkloadSettings w)
        {
            double perMinute = 0;
            perMinute += w.ReadingIntervalSeconds > 0 ? 60.0 / w.ReadingIntervalSeconds : 0;
            perMinute += w.HeartbeatIntervalSeconds > 0 ? 60.0 / w.HeartbeatIntervalSeconds : 0;
            int share = (int)Math.Ceiling(2 * perMinute);
            int floor = new NodeConfig().FairShareFramesPerMinute;
            return share < floor ? floor : share > 6000 ? 6000 : share;
        }

        /// <summary>
        /// The core has no "heartbeats off" (it needs an interval of at least a second), so with heartbeats
        /// off it gets the longest interval it can schedule (its first heartbeat falls uniformly within
        /// int.MaxValue ms, ~24.8 days) and the few that still fall inside a run never reach the air: see
        /// <see cref="IsSuppressedHeartbeat"/>.
        /// </summary>
        private const long HeartbeatsOffIntervalMs = int.MaxValue;

        private bool _heartbeatsOff => _scenario.Workload.HeartbeatIntervalSeconds == 0;

        /// <summary>
        /// With heartbeats off, a node's own heartbeat is dropped as it leaves the core: true when that leaves nothing to
        /// send. A bundle loses its own heartbeat and keeps its other frames (<paramref name="length"/> shrinks).
        /// </summary>
        private bool IsSuppressedHeartbeat(SimNode node, byte[] frame, ref int length)
        {
            if (!_heartbeatsOff)
            {
                return false;
            }

            if (!FrameCodec.IsBundle(frame, 0, length))
            {
                return IsOwnHeartbeat(node, frame, 0, length);
            }

            int kept = 0;
            for (int at = 0; at < length;)
            {
                int part = FrameCodec.DeclaredLength(frame, at, length - at);
                if (!IsOwnHeartbeat(node, frame, at, part))
                {
                    Array.Copy(frame, at, frame, kept, part);
                    kept += part;
                }

                at += part;
            }

            length = kept;
            return kept == 0;
        }

        private bool IsOwnHeartbeat(SimNode node, byte[] frame, int offset, int length) =>
            FrameCodec.TryDecode(frame, offset, length, _header) == RejectReason.None
            && _header.Type == MessageType.Heartbeat && _header.Origin == node.Id;

        /// <summary>The RSSI the core is told: rescaled when the node's managed policy has its own contention range.</summary>
        private int RssiForCore(SimNode node, int rssi)
        {
            if (!node.RescalesContentionRssi)
            {
                return rssi;
            }

            Scenarios.PolicyConfig p = node.Policy ?? _scenario.Policy;
            return ContentionRssi.Rescale(rssi, p.WeakRssiDbm, p.StrongRssiDbm);
        }

        private void Service(SimNode node)
        {
            MeshNode? core = node.Core;
            if (!node.Alive || core == null)
            {
                return;
            }

            if (node.Runner != null)
            {
                StepRunner(node);
                return;
            }

            core.Poll(node.Clock.LocalMs(_nowUs));
            DrainEvents(node);
            TryTransmit(node);
            ScheduleWake(node);
        }

        private void DrainEvents(SimNode node)
        {
            MeshNode core = node.Core!;
            long nowMs = node.Clock.LocalMs(_nowUs);
            while (core.TryTakeEvent(_event))
            {
                switch (_event.Kind)
                {
                    case MeshEventKind.ReportDue:
                        NoteReportDue(node, core);
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
                        KeyRefreshAnswered(node, _event, false);
                        break;
                    case MeshEventKind.CommandTimedOut:
                        _metrics.CommandTimedOut(node, _event.CommandId);
                        KeyRefreshAnswered(node, _event, true);
                        break;
                    case MeshEventKind.SettingsChanged:
                        PersistNetworkKey(node, _event);
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
                NoteSent(MessageClass.Reading, node, sequence, core.NetworkTime(nowMs));
            }
            else if (_metrics.Measures(node.Index, _nowUs))
            {
                _metrics.SendRefused(MessageClass.Reading);
            }
        }
    }
}
