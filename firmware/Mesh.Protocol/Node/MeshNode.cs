using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
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
    /// </summary>
    public sealed class MeshNode
    {
        private readonly uint _id;
        private readonly ushort _network;
        private readonly NodeRole _role;
        private readonly int _hopLimit;
        private readonly bool _encrypt;
        private readonly int _checkpointInterval;
        private readonly long _heartbeatIntervalMs;
        private readonly long _commandTimeoutMs;
        private readonly int _commandMaxAttempts;
        private readonly long _startMs;

        private readonly FrameProtector _protector;
        private readonly IRandomSource _random;
        private readonly DuplicateCache _duplicates;
        private readonly ReplayWindow _replay;
        private readonly RouteTable _routes;
        private readonly NeighbourTable _neighbours;
        private readonly TransmitQueue _transmit;
        private readonly EventQueue _events;
        private readonly NodeCounters _counters = new NodeCounters();

        private readonly FrameHeader _rx = new FrameHeader();
        private readonly FrameHeader _tx = new FrameHeader();
        private readonly byte[] _payload = new byte[FrameLayout.MaxPayloadSize];
        private readonly Heartbeat _heartbeat = new Heartbeat();
        private readonly PolicySettings _policyScratch = new PolicySettings();
        private IForwardingPolicy _policy;

        // Commands this node sent and awaits acknowledgements for.
        private readonly bool[] _cmdUsed;
        private readonly uint[] _cmdTarget;
        private readonly ushort[] _cmdId;
        private readonly byte[] _cmdKind;
        private readonly byte[][] _cmdArgs;
        private readonly int[] _cmdArgLength;
        private readonly int[] _cmdAttempts;
        private readonly long[] _cmdDeadlineMs;
        private ushort _nextCommandId;

        // Commands this node received recently: retries of one command are executed once and re-acked.
        private readonly uint[] _recentOrigin;
        private readonly ushort[] _recentId;
        private readonly byte[] _recentKind;
        private readonly byte[] _recentStatus;
        private readonly bool[] _recentAnswered;
        private readonly bool[] _recentUsed;
        private readonly bool[] _recentFlooded;
        private int _recentNext;

        private uint _nextSequence;
        private ushort _heartbeatCounter;
        private long _nextHeartbeatMs;
        private long _reportIntervalMs;
        private long _nextReportMs;

        // A core-handled command whose acknowledgement waits until the command has been delivered; -1: none.
        private int _deferredAck = -1;

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
            _encrypt = config.EncryptPayloads;
            _checkpointInterval = config.SequenceCheckpointInterval;
            _heartbeatIntervalMs = config.HeartbeatIntervalMs;
            _commandTimeoutMs = config.CommandTimeoutMs;
            _commandMaxAttempts = config.CommandMaxAttempts;
            _startMs = nowMs;
            _nextSequence = config.InitialSequence;

            _protector = new FrameProtector(key);
            _random = random;
            _policy = ForwardingPolicies.Create(config.Policy);
            _duplicates = new DuplicateCache(config.DuplicateCacheSize);
            _replay = new ReplayWindow(config.ReplayTableSize);
            _routes = new RouteTable(config.RouteTableSize, config.RouteLifetimeMs);
            _neighbours = new NeighbourTable(config.NeighbourTableSize, config.NeighbourExpiryMs);
            _transmit = new TransmitQueue(config.TransmitQueueSize);
            _events = new EventQueue(config.EventQueueSize);

            int p = config.PendingCommandSlots;
            _cmdUsed = new bool[p];
            _cmdTarget = new uint[p];
            _cmdId = new ushort[p];
            _cmdKind = new byte[p];
            _cmdArgs = new byte[p][];
            for (int i = 0; i < p; i++)
            {
                _cmdArgs[i] = new byte[CommandCodec.MaxArgs];
            }

            _cmdArgLength = new int[p];
            _cmdAttempts = new int[p];
            _cmdDeadlineMs = new long[p];
            _nextCommandId = (ushort)(random.NextUInt32() >> 16);

            int r = config.RecentCommandSlots;
            _recentOrigin = new uint[r];
            _recentId = new ushort[r];
            _recentKind = new byte[r];
            _recentStatus = new byte[r];
            _recentAnswered = new bool[r];
            _recentUsed = new bool[r];
            _recentFlooded = new bool[r];

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
        /// The sequence to start from after a reboot. Persist it whenever it changes (once every
        /// SequenceCheckpointInterval frames); it stays a full interval ahead of any sequence used, so a
        /// node restarted from its last persisted checkpoint never reuses a nonce.
        /// </summary>
        public uint SequenceCheckpoint
        {
            get
            {
                ulong c = ((ulong)(_nextSequence / (uint)_checkpointInterval) + 2UL) * (ulong)_checkpointInterval;
                return c > uint.MaxValue ? uint.MaxValue : (uint)c;
            }
        }

        /// <summary>The earliest time the node wants to be polled or has a frame to send.</summary>
        public long NextWakeMs
        {
            get
            {
                long next = _transmit.NextDueMs;
                if (_nextHeartbeatMs < next)
                {
                    next = _nextHeartbeatMs;
                }

                if (_reportIntervalMs > 0 && _nextReportMs < next)
                {
                    next = _nextReportMs;
                }

                for (int i = 0; i < _cmdUsed.Length; i++)
                {
                    if (_cmdUsed[i] && _cmdDeadlineMs[i] < next)
                    {
                        next = _cmdDeadlineMs[i];
                    }
                }

                return next;
            }
        }

        /// <summary>When the next queued frame may be sent, or long.MaxValue.</summary>
        public long NextTransmitMs
        {
            get { return _transmit.NextDueMs; }
        }

        public void SetPolicy(PolicySettings settings)
        {
            _policy = ForwardingPolicies.Create(settings);
        }

        public bool TryTakeTransmit(long nowMs, byte[] output, int outputOffset, out int length)
        {
            if (_transmit.TryTake(nowMs, output, outputOffset, out length))
            {
                _counters.FramesTransmitted++;
                return true;
            }

            return false;
        }

        public bool TryTakeEvent(MeshEvent into)
        {
            return _events.TryTake(into);
        }

        // ---------------------------------------------------------------- receiving

        /// <summary>
        /// Handles one received frame. Returns None when it was accepted (delivered and/or scheduled for
        /// relay), otherwise why not. Duplicates are normal in a flooding mesh and come back as Duplicate.
        /// </summary>
        public RejectReason Receive(byte[] frame, int offset, int length, int rssi, long nowMs)
        {
            _counters.FramesReceived++;
            FrameHeader h = _rx;
            RejectReason reason = FrameCodec.TryDecode(frame, offset, length, h);
            if (reason != RejectReason.None)
            {
                return Reject(reason);
            }

            if (h.Network != _network)
            {
                return Reject(RejectReason.WrongNetwork);
            }

            if (h.Origin == _id)
            {
                return Reject(RejectReason.OwnFrame);
            }

            if (_duplicates.Contains(h.Origin, h.Sequence))
            {
                // A later copy may have come a shorter way — but only believe it via a node already known
                // as a neighbour: a replayer re-sends copies naming far-away previous hops, while a copy
                // a real neighbour transmitted describes a real path, whoever re-sends it.
                int knownRssi, knownQuality;
                if (_neighbours.TryGet(h.PreviousHop, out knownRssi, out knownQuality))
                {
                    _routes.Learn(h.Origin, h.PreviousHop, h.HopsTaken, nowMs, false);
                }
                return Reject(HearDuplicate(frame, offset));
            }

            if (!_protector.Verify(h, frame, offset))
            {
                return Reject(RejectReason.BadMic);
            }

            reason = _replay.Check(h.Origin, h.Sequence);
            if (reason != RejectReason.None)
            {
                return Reject(reason);
            }

            bool forUs = IsForUs(h);
            if (!forUs && h.NextHop != NodeAddress.None && h.NextHop != _id)
            {
                // Overheard on a directed path through another node: learn from it, but do not record it
                // as handled, so that if the path breaks and a relay floods it onwards we still relay.
                LearnFrom(h, rssi, nowMs, true);
                _counters.FramesOverheard++;
                return RejectReason.None;
            }

            if (forUs && NeedsEvent(h, frame, offset) && _events.IsFull)
            {
                // Not committed: a later copy (relayed by a neighbour or retried) can still be taken.
                return Reject(RejectReason.Backpressure);
            }

            _replay.Commit(h.Origin, h.Sequence);
            _duplicates.Add(h.Origin, h.Sequence);
            _counters.FramesAccepted++;

            LearnFrom(h, rssi, nowMs, true);
            reason = RejectReason.None;
            if (forUs)
            {
                reason = Consume(h, frame, offset, rssi, nowMs);
            }
            else if (h.Type == MessageType.Heartbeat && h.HopsTaken == 0)
            {
                ReadDirectHeartbeat(h, frame, offset);
            }

            ScheduleRelay(h, frame, offset, rssi, nowMs);
            if (reason != RejectReason.None)
            {
                _counters.Rejected[(int)reason]++;
            }

            return reason;
        }

        private void LearnFrom(FrameHeader h, int rssi, long nowMs, bool firstCopy)
        {
            if (NodeAddress.IsValidNodeId(h.PreviousHop) && h.PreviousHop != _id)
            {
                _neighbours.Heard(h.PreviousHop, rssi, nowMs);
                _routes.Learn(h.Origin, h.PreviousHop, h.HopsTaken, nowMs, firstCopy);
            }
        }

        private RejectReason Reject(RejectReason reason)
        {
            _counters.Rejected[(int)reason]++;
            return reason;
        }

        private bool IsForUs(FrameHeader h)
        {
            return h.Destination == _id
                || h.Destination == NodeAddress.Broadcast
                || (h.Destination == NodeAddress.Gateways && NodeRoles.ConsumesGatewayTraffic(_role));
        }

        /// <summary>Whether consuming this frame produces an application event (then it needs a free slot).</summary>
        private bool NeedsEvent(FrameHeader h, byte[] frame, int offset)
        {
            if (h.Type == MessageType.Ack)
            {
                return true;
            }

            if (h.Type == MessageType.Command)
            {
                return h.Destination == _id;
            }

            return true;
        }

        private RejectReason HearDuplicate(byte[] frame, int offset)
        {
            // Only a copy that could cancel a waiting relay is worth a MIC check; a forged copy must not.
            int slot = _transmit.FindCancellable(_rx.Origin, _rx.Sequence);
            if (slot < 0)
            {
                return RejectReason.Duplicate;
            }

            if (!_protector.Verify(_rx, frame, offset))
            {
                return RejectReason.BadMic;
            }

            if (_transmit.NoteHeard(slot))
            {
                _counters.RelaysCancelled++;
            }

            return RejectReason.Duplicate;
        }

        private void ScheduleRelay(FrameHeader h, byte[] frame, int offset, int rssi, long nowMs)
        {
            if (!NodeRoles.Relays(_role) || h.Destination == _id || h.HopsTaken >= h.HopLimit)
            {
                return;
            }

            int delay;
            int cancelAfter = 0;
            uint nextHop = NodeAddress.None;
            if (h.NextHop != NodeAddress.None)
            {
                if (h.NextHop != _id)
                {
                    return; // directed along a path that does not run through us
                }

                // Directed: pass it along our own reverse path, or flood from here if we have none.
                nextHop = _routes.NextHop(h.Destination, nowMs);
                if (nextHop == h.PreviousHop)
                {
                    nextHop = NodeAddress.None;
                }

                delay = RandomExtensions.NextBelow(_random, _policy.Settings.JitterMs + 1);
            }
            else
            {
                delay = _policy.RebroadcastDelay(h, rssi, _random);
                if (delay < 0)
                {
                    return;
                }

                cancelAfter = _policy.CancelThreshold;
            }

            int slot = _transmit.FindFree();
            if (slot < 0)
            {
                _counters.RelaysDroppedQueueFull++;
                return;
            }

            byte[] buffer = _transmit.BufferOf(slot);
            int length = h.FrameLength;
            System.Array.Copy(frame, offset, buffer, 0, length);
            FrameCodec.WriteMutable(buffer, 0, h.HopsTaken + 1, _id, nextHop);
            _transmit.Schedule(slot, length, nowMs + delay, h.Origin, h.Sequence, cancelAfter);
            _counters.RelaysScheduled++;
        }

        /// <summary>Decrypts the payload into <see cref="_payload"/>; returns its length.</summary>
        private int OpenPayload(FrameHeader h, byte[] frame, int offset, byte[] into)
        {
            System.Array.Copy(frame, offset + FrameLayout.HeaderSize, into, 0, h.PayloadLength);
            if (h.IsEncrypted)
            {
                _protector.ApplyKeystream(h, into, 0, h.PayloadLength);
            }

            return h.PayloadLength;
        }

        private void ReadDirectHeartbeat(FrameHeader h, byte[] frame, int offset)
        {
            int n = OpenPayload(h, frame, offset, _payload);
            if (h.PreviousHop == h.Origin && _heartbeat.TryDecode(_payload, 0, n))
            {
                _neighbours.HeartbeatHeard(h.Origin, _heartbeat.Counter);
            }
        }

        private RejectReason Consume(FrameHeader h, byte[] frame, int offset, int rssi, long nowMs)
        {
            int n = OpenPayload(h, frame, offset, _payload);
            switch (h.Type)
            {
                case MessageType.Readings:
                    // Validate without keeping: the application decodes its own copy.
                    if (!ReadingSet.IsWellFormed(_payload, 0, n))
                    {
                        return RejectReason.MalformedPayload;
                    }

                    break;

                case MessageType.Heartbeat:
                    if (!_heartbeat.TryDecode(_payload, 0, n))
                    {
                        return RejectReason.MalformedPayload;
                    }

                    if (h.HopsTaken == 0 && h.PreviousHop == h.Origin)
                    {
                        _neighbours.HeartbeatHeard(h.Origin, _heartbeat.Counter);
                    }

                    break;

                case MessageType.Command:
                    if (!CommandCodec.IsWellFormed(_payload, 0, n))
                    {
                        return RejectReason.MalformedPayload;
                    }

                    if (h.Destination != _id)
                    {
                        return RejectReason.None; // commands execute only at the node they name
                    }

                    if (!ExecuteCommand(h, nowMs))
                    {
                        return RejectReason.None; // a retry of a command already executed: re-acked, not re-delivered
                    }

                    break;

                case MessageType.Ack:
                    if (!AckCodec.IsWellFormed(_payload, 0, n))
                    {
                        return RejectReason.MalformedPayload;
                    }

                    CompleteCommand(h, nowMs);
                    return RejectReason.None;
            }

            MeshEvent e = _events.Reserve();
            FillFromFrame(e, MeshEventKind.Message, h, rssi, nowMs);
            System.Array.Copy(_payload, 0, e.Payload, 0, n);
            e.PayloadLength = n;
            _events.Commit();
            _counters.MessagesDelivered++;
            if (_deferredAck >= 0)
            {
                int slot = _deferredAck;
                _deferredAck = -1;
                SendAck(slot, nowMs);
            }

            return RejectReason.None;
        }

        private static void FillFromFrame(MeshEvent e, MeshEventKind kind, FrameHeader h, int rssi, long nowMs)
        {
            e.Kind = kind;
            e.Type = h.Type;
            e.Origin = h.Origin;
            e.Destination = h.Destination;
            e.Sequence = h.Sequence;
            e.HopsTaken = h.HopsTaken;
            e.PreviousHop = h.PreviousHop;
            e.Rssi = rssi;
            e.TimeMs = nowMs;
            e.WasEncrypted = h.IsEncrypted;
            e.PayloadLength = 0;
            e.CommandId = 0;
            e.CommandKind = 0;
            e.CommandStatus = CommandStatus.Ok;
        }

        // ---------------------------------------------------------------- commands, receiver side

        /// <summary>Runs a command addressed to us; false when it is a retry of one already seen.</summary>
        private bool ExecuteCommand(FrameHeader h, long nowMs)
        {
            ushort id = CommandCodec.CommandId(_payload, 0);
            CommandKind kind = CommandCodec.Kind(_payload, 0);
            int seen = FindRecent(h.Origin, id);
            if (seen >= 0)
            {
                // A retry: the commander did not get our answer. Answer the way this copy came.
                _recentFlooded[seen] = h.NextHop == NodeAddress.None;
                if (_recentAnswered[seen])
                {
                    SendAck(seen, nowMs);
                }

                return false;
            }

            int r = _recentNext;
            _recentNext = (_recentNext + 1) % _recentUsed.Length;
            _recentUsed[r] = true;
            _recentOrigin[r] = h.Origin;
            _recentId[r] = id;
            _recentKind[r] = (byte)kind;
            _recentAnswered[r] = false;
            _recentFlooded[r] = h.NextHop == NodeAddress.None;

            if (CommandCodec.IsHandledByCore(kind))
            {
                CommandStatus status = ApplyCoreCommand(kind, CommandCodec.ArgLength(_payload, 0), nowMs);
                _recentStatus[r] = (byte)status;
                _recentAnswered[r] = true;
                // Acknowledged once the command is delivered: encoding the ack reuses _payload, which
                // still holds the command the application is about to be handed.
                _deferredAck = r;
            }

            return true;
        }

        private CommandStatus ApplyCoreCommand(CommandKind kind, int argLength, long nowMs)
        {
            int a = CommandCodec.HeaderSize;
            switch (kind)
            {
                case CommandKind.SetReportInterval:
                    if (argLength != 4)
                    {
                        return CommandStatus.InvalidArgument;
                    }

                    uint seconds = LittleEndian.ReadUInt32(_payload, a);
                    if (seconds > 7u * 24u * 3600u)
                    {
                        return CommandStatus.InvalidArgument;
                    }

                    _reportIntervalMs = seconds * 1000L;
                    _nextReportMs = seconds == 0 ? long.MaxValue : nowMs + _reportIntervalMs;
                    return CommandStatus.Ok;

                case CommandKind.SetForwardingPolicy:
                    if (!PolicySettings.TryRead(_payload, a, argLength, _policyScratch))
                    {
                        return CommandStatus.InvalidArgument;
                    }

                    SetPolicy(_policyScratch);
                    return CommandStatus.Ok;

                default:
                    return CommandStatus.Ok; // Ping
            }
        }

        /// <summary>
        /// Acknowledges a command the application executed (Identify, Reboot, or its own kinds). Safe to
        /// call more than once; later retries of the command are answered with this status.
        /// </summary>
        public SendResult Acknowledge(uint commander, ushort commandId, CommandStatus status, long nowMs)
        {
            int r = FindRecent(commander, commandId);
            if (r < 0)
            {
                return SendResult.InvalidDestination;
            }

            _recentStatus[r] = (byte)status;
            _recentAnswered[r] = true;
            return SendAck(r, nowMs);
        }

        private int FindRecent(uint origin, ushort id)
        {
            for (int i = 0; i < _recentUsed.Length; i++)
            {
                if (_recentUsed[i] && _recentOrigin[i] == origin && _recentId[i] == id)
                {
                    return i;
                }
            }

            return -1;
        }

        /// <summary>
        /// Answers the command in recent slot <paramref name="r"/> the way it came. A directed command is
        /// answered along the reverse path at once. A flooded one (a retry: the path had failed) is
        /// answered by flooding too, after its own flood has passed this node's neighbourhood, so the
        /// single answer does not collide with the command's wave.
        /// </summary>
        private SendResult SendAck(int r, long nowMs)
        {
            uint commander = _recentOrigin[r];
            int n = AckCodec.Encode(_payload, 0, _recentId[r], (CommandKind)_recentKind[r], (CommandStatus)_recentStatus[r]);
            if (!_recentFlooded[r])
            {
                return Originate(MessageType.Ack, commander, _routes.NextHop(commander, nowMs), n, nowMs, 0);
            }

            PolicySettings p = _policy.Settings;
            int settle = 2 * (p.MaxDelayMs + p.JitterMs) + RandomExtensions.NextBelow(_random, 4 * p.JitterMs + 1);
            return Originate(MessageType.Ack, commander, NodeAddress.None, n, nowMs, settle);
        }

        // ---------------------------------------------------------------- commands, sender side

        /// <summary>
        /// Sends a command to one node along the learned reverse path; it is retried (flooded, with
        /// doubling timeouts) until acknowledged or CommandMaxAttempts is reached, and the outcome comes
        /// back as a CommandAcknowledged or CommandTimedOut event.
        /// </summary>
        public SendResult SendCommand(uint target, CommandKind kind, byte[] args, int argOffset, int argLength, long nowMs, out ushort commandId)
        {
            commandId = 0;
            if (!NodeAddress.IsValidNodeId(target) || target == _id)
            {
                return SendResult.InvalidDestination;
            }

            if (argLength < 0 || argLength > CommandCodec.MaxArgs)
            {
                return SendResult.PayloadTooLarge;
            }

            int slot = -1;
            for (int i = 0; i < _cmdUsed.Length; i++)
            {
                if (!_cmdUsed[i])
                {
                    slot = i;
                    break;
                }
            }

            if (slot < 0)
            {
                return SendResult.NoCommandSlot;
            }

            ushort id = _nextCommandId++;
            _cmdTarget[slot] = target;
            _cmdId[slot] = id;
            _cmdKind[slot] = (byte)kind;
            if (argLength > 0)
            {
                System.Array.Copy(args, argOffset, _cmdArgs[slot], 0, argLength);
            }

            _cmdArgLength[slot] = argLength;
            _cmdAttempts[slot] = 1;
            SendResult result = TransmitCommand(slot, _routes.NextHop(target, nowMs), nowMs);
            if (result != SendResult.Queued)
            {
                return result;
            }

            _cmdUsed[slot] = true;
            _cmdDeadlineMs[slot] = nowMs + _commandTimeoutMs;
            commandId = id;
            return SendResult.Queued;
        }

        private SendResult TransmitCommand(int slot, uint nextHop, long nowMs)
        {
            int n = CommandCodec.Encode(_payload, 0, _cmdId[slot], (CommandKind)_cmdKind[slot], _cmdArgs[slot], 0, _cmdArgLength[slot]);
            return Originate(MessageType.Command, _cmdTarget[slot], nextHop, n, nowMs, 0);
        }

        private void CompleteCommand(FrameHeader h, long nowMs)
        {
            ushort id = LittleEndian.ReadUInt16(_payload, 0);
            for (int i = 0; i < _cmdUsed.Length; i++)
            {
                if (_cmdUsed[i] && _cmdTarget[i] == h.Origin && _cmdId[i] == id)
                {
                    _cmdUsed[i] = false;
                    MeshEvent e = _events.Reserve();
                    FillFromFrame(e, MeshEventKind.CommandAcknowledged, h, 0, nowMs);
                    e.CommandId = id;
                    e.CommandKind = (CommandKind)_payload[2];
                    e.CommandStatus = (CommandStatus)_payload[3];
                    _events.Commit();
                    _counters.CommandsAcknowledged++;
                    return;
                }
            }

            // A late or repeated ack for a command already settled: nothing to do.
        }

        private void ServiceCommands(long nowMs)
        {
            for (int i = 0; i < _cmdUsed.Length; i++)
            {
                if (!_cmdUsed[i] || nowMs < _cmdDeadlineMs[i])
                {
                    continue;
                }

                if (_cmdAttempts[i] >= _commandMaxAttempts)
                {
                    MeshEvent e = _events.Reserve();
                    if (e == null)
                    {
                        continue; // report the failure once the application has drained its events
                    }

                    e.Kind = MeshEventKind.CommandTimedOut;
                    e.Type = MessageType.Command;
                    e.Origin = _cmdTarget[i];
                    e.Destination = _id;
                    e.Sequence = 0;
                    e.HopsTaken = 0;
                    e.PreviousHop = 0;
                    e.Rssi = 0;
                    e.TimeMs = nowMs;
                    e.WasEncrypted = false;
                    e.PayloadLength = 0;
                    e.CommandId = _cmdId[i];
                    e.CommandKind = (CommandKind)_cmdKind[i];
                    e.CommandStatus = CommandStatus.Failed;
                    _events.Commit();
                    _cmdUsed[i] = false;
                    _routes.Forget(_cmdTarget[i]);
                    _counters.CommandsTimedOut++;
                    continue;
                }

                // The path may be broken: retry by flooding, which needs no route.
                if (TransmitCommand(i, NodeAddress.None, nowMs) == SendResult.Queued)
                {
                    _cmdAttempts[i]++;
                    _cmdDeadlineMs[i] = nowMs + (_commandTimeoutMs << (_cmdAttempts[i] - 1));
                    _counters.CommandRetries++;
                }
                else
                {
                    _cmdDeadlineMs[i] = nowMs + 50; // transmit queue full: try again shortly
                }
            }
        }

        // ---------------------------------------------------------------- originating

        /// <summary>Sends sensor readings to the gateways.</summary>
        public SendResult SendReadings(ReadingSet readings, long nowMs)
        {
            int n = readings.Encode(_payload, 0, FrameLayout.MaxPayloadSize);
            if (n < 0)
            {
                return SendResult.PayloadTooLarge;
            }

            return Originate(MessageType.Readings, NodeAddress.Gateways, NodeAddress.None, n, nowMs, 0);
        }

        /// <summary>Sends free-form bytes (UTF-8 text by convention) to a node, the gateways or everyone.</summary>
        public SendResult SendText(byte[] text, int offset, int length, uint destination, long nowMs)
        {
            if (length < 0 || length > FrameLayout.MaxPayloadSize)
            {
                return SendResult.PayloadTooLarge;
            }

            if (destination == NodeAddress.None || destination == _id)
            {
                return SendResult.InvalidDestination;
            }

            System.Array.Copy(text, offset, _payload, 0, length);
            uint nextHop = NodeAddress.IsValidNodeId(destination) ? _routes.NextHop(destination, nowMs) : NodeAddress.None;
            return Originate(MessageType.Text, destination, nextHop, length, nowMs, 0);
        }

        private SendResult Originate(MessageType type, uint destination, uint nextHop, int payloadLength, long nowMs, int delayMs)
        {
            if (_nextSequence == uint.MaxValue)
            {
                return SendResult.SequenceExhausted;
            }

            int slot = _transmit.FindFree();
            if (slot < 0)
            {
                return SendResult.TransmitQueueFull;
            }

            FrameHeader h = _tx;
            h.Flags = _encrypt ? FrameFlags.Encrypted : 0;
            h.Type = type;
            h.Network = _network;
            h.Origin = _id;
            h.Destination = destination;
            h.Sequence = _nextSequence++;
            h.HopLimit = _hopLimit;
            h.HopsTaken = 0;
            h.PreviousHop = _id;
            h.NextHop = nextHop;
            h.PayloadLength = payloadLength;

            byte[] buffer = _transmit.BufferOf(slot);
            FrameCodec.WriteHeader(h, buffer, 0);
            System.Array.Copy(_payload, 0, buffer, FrameLayout.HeaderSize, payloadLength);
            _protector.Seal(h, buffer, 0);
            _transmit.Schedule(slot, h.FrameLength, nowMs + delayMs, _id, h.Sequence, 0);
            _counters.FramesOriginated++;
            return SendResult.Queued;
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
                _nextHeartbeatMs = nowMs + _heartbeatIntervalMs - spread / 2
                    + RandomExtensions.NextBelow(_random, ClampToInt(spread + 1));
            }

            if (_reportIntervalMs > 0 && nowMs >= _nextReportMs)
            {
                MeshEvent e = _events.Reserve();
                if (e != null)
                {
                    e.Kind = MeshEventKind.ReportDue;
                    e.Type = MessageType.Readings;
                    e.Origin = _id;
                    e.Destination = NodeAddress.Gateways;
                    e.Sequence = 0;
                    e.HopsTaken = 0;
                    e.PreviousHop = 0;
                    e.Rssi = 0;
                    e.TimeMs = nowMs;
                    e.WasEncrypted = false;
                    e.PayloadLength = 0;
                    e.CommandId = 0;
                    _events.Commit();
                    _nextReportMs += _reportIntervalMs;
                    if (_nextReportMs <= nowMs)
                    {
                        _nextReportMs = nowMs + _reportIntervalMs;
                    }
                }
            }

            ServiceCommands(nowMs);
        }

        // System.Math is a separate package on nanoFramework (nanoFramework.System.Math), not mscorlib.
        private static int ClampToInt(long value)
        {
            return value > int.MaxValue ? int.MaxValue : (int)value;
        }

        private void SendHeartbeat(long nowMs)
        {
            Heartbeat hb = _heartbeat;
            hb.Role = _role;
            hb.Policy = _policy.Settings.Kind;
            hb.Counter = ++_heartbeatCounter;
            hb.UptimeSeconds = (uint)((nowMs - _startMs) / 1000);
            int count = 0;
            for (int s = 0; s < _neighbours.Capacity && count < Heartbeat.MaxNeighbours; s++)
            {
                if (_neighbours.IsUsed(s))
                {
                    hb.NeighbourIds[count] = _neighbours.IdAt(s);
                    int rssi = _neighbours.RssiAt(s);
                    hb.NeighbourRssi[count] = (sbyte)(rssi < -128 ? -128 : (rssi > 127 ? 127 : rssi));
                    hb.NeighbourQuality[count] = (byte)_neighbours.QualityAt(s);
                    count++;
                }
            }

            hb.NeighbourCount = count;
            int n = hb.Encode(_payload, 0);
            if (Originate(MessageType.Heartbeat, NodeAddress.Gateways, NodeAddress.None, n, nowMs, 0) == SendResult.Queued)
            {
                _counters.HeartbeatsSent++;
            }
        }
    }
}
