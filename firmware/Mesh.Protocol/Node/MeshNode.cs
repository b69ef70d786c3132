using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// One mesh node, sans I/O. The driver hands it received bytes with their RSSI and the current time
    /// (<see cref="Receive"/>), wakes it at <see cref="NextWakeMs"/> (<see cref="Poll"/>), transmits what
    /// <see cref="TryTakeTransmit"/> yields, and reads what <see cref="TryTakeEvent"/> yields. It never
    /// reads a clock, touches a socket or makes its own randomness; every table is fixed at construction,
    /// and receiving, relaying and delivering allocate nothing.
    /// The class is split by concern over files: this one (state, the driver's calls, timers),
    /// MeshNode.Originate (readings, texts, the originating path), MeshNode.Receive (the receive pipeline),
    /// MeshNode.Relay, MeshNode.Commands (commander and target sides), MeshNode.Heartbeat, MeshNode.Qos
    /// (quality of service), MeshNode.Backbone (broadcast backbone) and structured routing: MeshNode.Routing
    /// (gradient, beacons received, loops), MeshNode.UpwardRelay, MeshNode.RoutingTimers (beacons sent, due work),
    /// MeshNode.UpwardRetries, MeshNode.HopAcks and MeshNode.StoreAndForward.
    /// </summary>
    public sealed partial class MeshNode
    {
        private readonly uint _id;
        private readonly ushort _network;
        private readonly NodeRole _role;
        private readonly int _hopLimit;

        // The node's fixed switches in one field: on nanoFramework every field of an object is a 12-byte heap block,
        // so four bools took 48 bytes of a board's heap where one int takes 12 (hardware/README, the node's heap).
        private readonly int _switches;
        private const int SwitchEncrypt = 1;
        private const int SwitchRequireEncryption = 2;
        private const int SwitchRefuseFromBeforeStart = 4;
        private const int SwitchBundleFrames = 8;
        private readonly int _checkpointInterval;
        private readonly long _heartbeatIntervalMs;
        private readonly CommandTimer _commandTimer;
        private readonly int _commandMaxAttempts;
        private readonly long _startMs;

        private readonly NetworkKeyRing _keys;
        private DeviceKey _deviceKey;

        // A device key received by command, switched to once the command's ack has been sealed under the old one.
        private DeviceKey _pendingDeviceKey;
        private readonly IDeviceKeyDirectory _directory;
        private readonly ICryptoProvider _crypto;
        private readonly NetworkSealer _netSealer = new NetworkSealer();
        private readonly PayloadSealer _payloadSealer = new PayloadSealer();
        private readonly NetworkClock _clock;
        private readonly IRandomSource _random;
        private readonly DuplicateCache _duplicates;
        private readonly ReplayWindow _replay;
        private readonly RouteTable _routes;
        private readonly NeighbourTable _neighbours;
        private readonly TransmitQueue _transmit;
        private readonly EventQueue _events;
        private readonly NodeCounters _counters = new NodeCounters();
        private readonly PendingCommands _pending;
        private readonly RecentCommands _recent;
        private readonly CommandCounters _commandCounters;

        // Receive and transmit scratch are separate: a frame being received may make the node originate
        // (an ack) while the received payload is still needed.
        private readonly FrameHeader _rx = new FrameHeader();
        private readonly FrameHeader _tx = new FrameHeader();
        // The received payload's plaintext sits at RxAt, after room for the header the payload MIC covers.
        private const int RxAt = FrameLayout.HeaderSize;
        private readonly byte[] _rxPayload = new byte[PayloadSealer.WorkSize];
        private readonly byte[] _txPayload = new byte[FrameLayout.MaxPayloadSize];
        private readonly QosReport _qosReport = new QosReport(); // block 1 of this node's heartbeats
        private IForwardingPolicy _policy;

        // Structured routing (MeshNode.Routing): null unless the node routes structured or is a gateway.
        private StructuredRouting _routing;

        private uint _nextSequence;
        private uint _confirmedCheckpoint;
        private ushort _nextCommandId;
        private ushort _heartbeatCounter;
        private int _heartbeatNeighbours;
        private long _nextHeartbeatMs;
        private long _reportIntervalMs;
        private long _nextReportMs;

        public MeshNode(NodeConfig config, NetworkKey key, IRandomSource random, long nowMs)
        {
            string problem = config.Validate();
            if (problem != null)
            {
                throw new System.ArgumentException("invalid node config: " + problem);
            }

            _id = config.NodeId;
            _network = config.NetworkId;
            _role = config.Role;
            _hopLimit = config.HopLimit;
            _switches = (config.EncryptPayloads ? SwitchEncrypt : 0)
                | (config.RequireEncryption ? SwitchRequireEncryption : 0)
                | (config.RefuseFramesFromBeforeStart ? SwitchRefuseFromBeforeStart : 0)
                | (config.BundleFrames ? SwitchBundleFrames : 0);
            _checkpointInterval = config.SequenceCheckpointInterval;
            _heartbeatIntervalMs = config.HeartbeatIntervalMs;
            _heartbeatNeighbours = config.HeartbeatNeighbours;
            // A node that sends no commands (PendingCommandSlots 0, the board application) keeps no commander state.
            _commandTimer = config.PendingCommandSlots > 0 ? new CommandTimer(config.CommandMinTimeoutMs, config.CommandTimeoutMs) : null;
            _commandMaxAttempts = config.CommandMaxAttempts;
            _startMs = nowMs;
            _nextSequence = config.InitialSequence;
            _confirmedCheckpoint = config.RequireCheckpointConfirmation ? config.InitialSequence : uint.MaxValue;

            _keys = new NetworkKeyRing(key);
            _deviceKey = config.DeviceKey;
            _directory = config.DeviceKeys;
            _crypto = config.Crypto;
            _clock = new NetworkClock(config.InitialNetworkTime, config.FreshnessWindowSeconds, nowMs);
            _random = random;
            _policy = ForwardingPolicies.Create(config.Policy);
            _duplicates = new DuplicateCache(config.DuplicateCacheSize);
            _replay = new ReplayWindow(config.ReplayTableSize);
            _routes = new RouteTable(config.RouteTableSize, config.RouteLifetimeMs);
            _neighbours = new NeighbourTable(config.NeighbourTableSize, config.NeighbourExpiryMs);
            _transmit = new TransmitQueue(config.TransmitQueueSize);
            _events = new EventQueue(config.EventQueueSize);
            _pending = config.PendingCommandSlots > 0 ? new PendingCommands(config.PendingCommandSlots) : null;
            _recent = new RecentCommands(config.RecentCommandSlots);
            _commandCounters = new CommandCounters(config.CommandCounterSlots);
            _airtime = new Airtime(config.AirtimeOverheadUs, config.AirtimeUsPerByte);
            _channel = new ChannelMonitor(config.UtilisationWindowMs);
            _reportSpacing = new ReportSpacing(config.UtilisationWindowMs);
            _duty = new DutyCycle(config.DutyCyclePermille, config.DutyCycleWindowMs);
            _fairShare = new FairShare(config.FairShareSlots, config.FairShareFramesPerMinute, config.FairShareBurst, config.GatewayShareMultiplier, nowMs);
            _gatewayShareMultiplier = config.GatewayShareMultiplier;
            _congestionThreshold = config.CongestionThresholdPermille;
            _minHopLimit = config.MinHopLimit;
            _routing = CreateRouting(config, nowMs, random);
            if (config.InitialCommandCounters != null)
            {
                for (int i = 0; i + 1 < config.InitialCommandCounters.Length; i += 2)
                {
                    _commandCounters.Restore(config.InitialCommandCounters[i], config.InitialCommandCounters[i + 1]);
                }
            }

            _nextCommandId = (ushort)(random.NextUInt32() >> 16);

            // Spread first heartbeats and reports so nodes booted together do not transmit together.
            _nextHeartbeatMs = nowMs + RandomExtensions.NextBelow(random, ClampToInt(_heartbeatIntervalMs));
            // Only sensors report unless a command asks a node to (SetReportInterval works on any role).
            _reportIntervalMs = config.Role == NodeRole.Sensor ? config.ReportIntervalMs : 0;
            _nextReportMs = _reportIntervalMs > 0
                ? nowMs + RandomExtensions.NextBelow(random, ClampToInt(_reportIntervalMs))
                : long.MaxValue;
        }

        public uint NodeId
        {
            get { return _id; }
        }

        public ushort NetworkId
        {
            get { return _network; }
        }

        public NodeRole Role
        {
            get { return _role; }
        }

        public int HopLimit
        {
            get { return _hopLimit; }
        }

        public IForwardingPolicy Policy
        {
            get { return _policy; }
        }

        public long ReportIntervalMs
        {
            get { return _reportIntervalMs; }
        }

        public NodeCounters Counters
        {
            get { return _counters; }
        }

        public NeighbourTable Neighbours
        {
            get { return _neighbours; }
        }

        public RouteTable Routes
        {
            get { return _routes; }
        }

        /// <summary>The network keys and the refresh phase.</summary>
        public NetworkKeyRing NetworkKeys
        {
            get { return _keys; }
        }

        public int PendingTransmits
        {
            get { return _transmit.Count; }
        }

        public int PendingEvents
        {
            get { return _events.Count; }
        }

        /// <summary>The next sequence number this node will use.</summary>
        public uint NextSequence
        {
            get { return _nextSequence; }
        }

        /// <summary>
        /// The sequence to start from after a reboot. Persist it whenever it changes and then call
        /// <see cref="ConfirmCheckpoint"/>: the node never uses a sequence at or above the last confirmed
        /// checkpoint, so a node restarted from whatever was last stored never reuses a nonce.
        /// </summary>
        public uint SequenceCheckpoint
        {
            get
            {
                ulong c = ((ulong)(_nextSequence / (uint)_checkpointInterval) + 2UL) * (ulong)_checkpointInterval;
                return c > uint.MaxValue ? uint.MaxValue : (uint)c;
            }
        }

        /// <summary>The highest checkpoint the driver confirmed stored.</summary>
        public uint ConfirmedCheckpoint
        {
            get { return _confirmedCheckpoint; }
        }

        /// <summary>Whether <see cref="SequenceCheckpoint"/> is ahead of what the driver confirmed stored.</summary>
        public bool CheckpointDue
        {
            get { return SequenceCheckpoint > _confirmedCheckpoint; }
        }

        /// <summary>The driver stored <paramref name="storedCheckpoint"/> (read back or synced): sequences below it may be used.</summary>
        public void ConfirmCheckpoint(uint storedCheckpoint)
        {
            if (storedCheckpoint > _confirmedCheckpoint)
            {
                _confirmedCheckpoint = storedCheckpoint;
            }
        }

        /// <summary>
        /// Restores replay state a driver persisted before a restart: <paramref name="origin"/>'s frames up
        /// to <paramref name="highestSequence"/> are refused as replays (a gateway passes the newest
        /// sequence its history holds per node, so a restart publishes no replayed reading).
        /// </summary>
        public void RememberSequence(uint origin, uint highestSequence)
        {
            if (NodeAddress.IsValidNodeId(origin))
            {
                _replay.Restore(origin, highestSequence);
            }
        }

        /// <summary>The node's network time in seconds (persist it with the checkpoint).</summary>
        public uint NetworkTime(long nowMs)
        {
            return _clock.Now(nowMs);
        }

        /// <summary>The earliest time the node wants to be polled or has a frame to send.</summary>
        public long NextWakeMs
        {
            get
            {
                long next = NextReleaseMs();
                if (_nextHeartbeatMs < next)
                {
                    next = _nextHeartbeatMs;
                }

                if (_reportIntervalMs > 0 && _nextReportMs < next)
                {
                    next = _nextReportMs;
                }

                if (RoutingActive)
                {
                    next = _routing.NextWakeMs(next);
                }

                // A gateway's bundled hop acks (whatever its forwarding policy).
                if (_routing != null && _routing.AckBundle != null && _routing.AckBundle.DueMs < next)
                {
                    next = _routing.AckBundle.DueMs;
                }

                return _pending != null ? _pending.EarliestDeadline(next) : next;
            }
        }

        /// <summary>When the next queued frame may be sent (due, and within the duty-cycle budget), or long.MaxValue.</summary>
        public long NextTransmitMs
        {
            get { return NextReleaseMs(); }
        }

        public void SetPolicy(PolicySettings settings)
        {
            _policy = ForwardingPolicies.Create(settings);
            EnsureRouting();
        }

        public bool TryTakeTransmit(long nowMs, byte[] output, int outputOffset, out int length)
        {
            if (TryRelease(nowMs, output, outputOffset, out length))
            {
                _counters.FramesTransmitted++;
                return true;
            }

            return false;
        }

        /// <summary>
        /// As <see cref="TryTakeTransmit"/>, without the copy: the frame that leaves now, in the transmit queue's
        /// own buffer (from offset 0, <paramref name="length"/> bytes), or null when none may leave. Its slot is
        /// already free, so the bytes stay valid only until the next call into the node (which may queue a new
        /// frame there): transmit them at once. For drivers that cannot spare a frame buffer of their own.
        /// </summary>
        public byte[] TakeTransmitInPlace(long nowMs, out int length)
        {
            int slot = ReleaseDue(nowMs);
            if (slot < 0)
            {
                length = 0;
                return null;
            }

            byte[] frame = _transmit.BufferOf(slot);
            length = AppendBundle(frame, 0, _transmit.Take(slot, null, 0), nowMs);
            _counters.FramesTransmitted++;
            return frame;
        }

        public bool TryTakeEvent(MeshEvent into)
        {
            return _events.TryTake(into);
        }

        /// <summary>
        /// The oldest event where it lies in the node's queue, without a copy (null when none); valid until
        /// <see cref="DropEvent"/>, which the caller must call once done with it. Its slot stays taken until
        /// then. Only receiving and polling add events, so an application may call the node's sending
        /// methods while it holds one. For drivers that cannot spare a second event's payload buffer.
        /// </summary>
        public MeshEvent PeekEvent()
        {
            return _events.PeekOldest();
        }

        /// <summary>Frees the event <see cref="PeekEvent"/> returned.</summary>
        public void DropEvent()
        {
            _events.DropOldest();
        }

        // ---------------------------------------------------------------- timers

        /// <summary>Runs whatever is due: heartbeats, report reminders, command retries and timeouts.</summary>
        public void Poll(long nowMs)
        {
            if (nowMs >= _nextHeartbeatMs)
            {
                _neighbours.Expire(nowMs);
                SendHeartbeat(nowMs);
                long spread = _heartbeatIntervalMs / 5;
                long wait = _heartbeatIntervalMs - spread / 2 + RandomExtensions.NextBelow(_random, ClampToInt(spread + 1));
                _nextHeartbeatMs = nowMs + Congestion.Scale(wait, SpacingFactor(nowMs));
            }

            if (_reportIntervalMs > 0 && nowMs >= _nextReportMs)
            {
                MeshEvent e = _events.Reserve();
                if (e != null)
                {
                    FillLocal(e, MeshEventKind.ReportDue, MessageType.Readings, NodeAddress.Gateways, nowMs);
                    _events.Commit();
                    long interval = Congestion.Scale(_reportIntervalMs, SpacingFactor(nowMs));
                    _nextReportMs += interval;
                    if (_nextReportMs <= nowMs)
                    {
                        _nextReportMs = nowMs + interval;
                    }
                }
            }

            ServiceCommands(nowMs);
            ServiceRouting(nowMs);
        }

        /// <summary>Fills an event that no frame caused (report due, command timed out, settings changed).</summary>
        private void FillLocal(MeshEvent e, MeshEventKind kind, MessageType type, uint destination, long nowMs)
        {
            e.Kind = kind;
            e.Type = type;
            e.Origin = _id;
            e.Destination = destination;
            e.Sequence = 0;
            e.HopsTaken = 0;
            e.PreviousHop = 0;
            e.Rssi = 0;
            e.TimeMs = nowMs;
            e.FrameTime = 0;
            e.WasEncrypted = false;
            e.PayloadLength = 0;
            e.CommandId = 0;
            e.CommandKind = 0;
            e.CommandStatus = CommandStatus.Ok;
        }

        private bool Switched(int which)
        {
            return (_switches & which) != 0;
        }

        // System.Math is a separate package on nanoFramework (nanoFramework.System.Math), not mscorlib.
        private static int ClampToInt(long value)
        {
            return value > int.MaxValue ? int.MaxValue : (int)value;
        }
    }
}
