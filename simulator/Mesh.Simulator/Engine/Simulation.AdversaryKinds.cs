using System;
using System.Collections.Generic;
using Mesh.Protocol;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// Adversaries against protocol v2's guarantees (PROTOCOL.md, "Threat model"), each run against the
    /// unmodified core and each with its own metric (SecurityMetrics):
    /// <list type="bullet">
    /// <item>tamperer (outsider): re-sends heard frames with hop fields altered — hops taken reset, previous
    /// hop rewritten to itself or an invented id, next hop zeroed. Every copy must be refused; no node's
    /// neighbour table or routes may ever hold a tamperer's or an invented id.</item>
    /// <item>echo (outsider): a repeater re-transmitting every frame it hears verbatim, at once. Delivery
    /// must not change (compare with <c>silent: true</c>), an echo must never count as a distinct relayer.</item>
    /// <item>rebootReplayer (outsider): captures commands, power-cycles the target (a pulled plug or a
    /// brown-out) and re-sends them right after the restart, well inside the freshness window, when the
    /// target's replay window and duplicate cache are empty. No command may execute twice.</item>
    /// <item>insider / evictedInsider: holds the network key and only its own device key; forges readings
    /// and acks claiming another origin, and commands claiming a gateway (or itself) as commander. An
    /// evicted insider also sends its own readings under the key the gateways dropped. No forgery may be
    /// opened by a gateway or executed by a target.</item>
    /// </list>
    /// None of them runs a core; their choice of nodes and their draws come from their own random stream.
    /// </summary>
    public sealed partial class Simulation
    {
        private const int ArgSendCaptured = 0;
        private const int ArgInsiderForge = 1;
        private const int ArgScanTables = 2;
        private const int ArgRebootReplayBase = 16;

        private const int TamperQueueLimit = 64;
        private const int EchoQueueLimit = 64;
        private const long EchoTurnaroundUs = 200;
        private const long RebootCrashAfterUs = 2_000_000;
        private const long RebootReplayAfterUs = 500_000;
        private const long RebootReplaySpacingUs = 30_000;
        private const long TableScanIntervalUs = 10_000_000;

        /// <summary>Ids a tamperer invents for previous hops: far above any node of a simulated mesh.</summary>
        public const uint InventedIdBase = 0x0BAD_0000;
        private const int InventedIds = 16;

        private bool _adversaryKinds;
        private IRandomSource _adversaryRandom = null!;
        private HashSet<uint>? _tampererIds;
        private int _tamperVariant;
        private int _insiderStep;

        // Insiders: the forged frames' payload bytes (ciphertext and payload MIC) by (origin, sequence), to
        // recognise a forgery wherever a relay carried it; the origins claimed; the highest sequence heard
        // (or forged) per origin.
        private readonly Dictionary<ulong, byte[]> _forgeries = new();
        private readonly HashSet<uint> _forgedOrigins = new();
        private readonly Dictionary<uint, uint> _heardSequence = new();
        private readonly PayloadSealer _insiderSealer = new();
        private readonly NetworkSealer _insiderNetSealer = new();

        private readonly HashSet<ulong> _echoed = new();
        private readonly HashSet<(int Node, uint Id)> _inventedFound = new();
        private readonly Dictionary<int, List<byte[]>> _rebootCaptures = new();
        private readonly HashSet<int> _rebootPending = new();
        private readonly HashSet<ulong> _commandsCaptured = new();
        private readonly HashSet<ulong> _victimMessagesLost = new();

        private static bool IsCorelessKind(NodeBehaviour b) =>
            b == NodeBehaviour.Tamperer || b == NodeBehaviour.Echo || b == NodeBehaviour.RebootReplayer
            || b == NodeBehaviour.Insider || b == NodeBehaviour.EvictedInsider;

        /// <summary>Starts a node's core, or none for the adversaries here (radios only).</summary>
        private void StartNode(SimNode node, long nowUs)
        {
            if (IsCorelessKind(node.Behaviour))
            {
                node.Core = null;
                node.Runner = null;
                return;
            }

            StartCore(node, nowUs);
        }

        private void ScheduleAdversaryKinds(Scenario s)
        {
            _adversaryRandom = new XorShiftRandom(s.Seed ^ 0xAD7E_25A1UL);
            SimNode? firstTamperer = null;
            foreach (SimNode node in _nodes)
            {
                if (!IsCorelessKind(node.Behaviour))
                {
                    continue;
                }

                _adversaryKinds = true;
                switch (node.Behaviour)
                {
                    case NodeBehaviour.Tamperer:
                        (_tampererIds ??= new HashSet<uint>()).Add(node.Id);
                        firstTamperer ??= node;
                        break;
                    case NodeBehaviour.EvictedInsider:
                    case NodeBehaviour.Insider:
                        if (node.Behaviour == NodeBehaviour.EvictedInsider)
                        {
                            _deviceKeys.Evict(node.Id);
                        }

                        _events.Push(InsiderDelay(node), EventKind.Adversary, node.Index, ArgInsiderForge);
                        break;
                }
            }

            if (firstTamperer != null)
            {
                _events.Push(TableScanIntervalUs, EventKind.Adversary, firstTamperer.Index, ArgScanTables);
            }
        }

        private long InsiderDelay(SimNode node) =>
            (long)(node.Adversary!.IntervalSeconds * 1e6 * (0.5 + RandomDraws.Unit(_adversaryRandom)));

        private void AdversaryAct(SimNode node, int arg)
        {
            switch (arg)
            {
                case ArgSendCaptured:
                    SendCaptured(node);
                    break;
                case ArgInsiderForge:
                    if (node.Alive)
                    {
                        ForgeAsInsider(node);
                    }

                    _events.Push(_nowUs + InsiderDelay(node), EventKind.Adversary, node.Index, ArgInsiderForge);
                    break;
                case ArgKeyRefresh:
                    KeyRefreshStep();
                    break;
                case ArgScanTables:
                    ScanForInventedIds();
                    _events.Push(_nowUs + TableScanIntervalUs, EventKind.Adversary, node.Index, ArgScanTables);
                    break;
                default:
                    ReplayAfterReboot(node, arg - ArgRebootReplayBase);
                    break;
            }
        }

        /// <summary>A frame one of these adversaries' radios decoded.</summary>
        private void AdversaryHeard(SimNode r, byte[] bytes, int length)
        {
            if (length < FrameLayout.MinFrameSize)
            {
                return;
            }

            switch (r.Behaviour)
            {
                case NodeBehaviour.Tamperer:
                    CaptureAndTamper(r, bytes, length);
                    break;
                case NodeBehaviour.Echo:
                    EchoFrame(r, bytes, length);
                    break;
                case NodeBehaviour.RebootReplayer:
                    CaptureCommand(r, bytes, length);
                    break;
                default:
                    // Headers are plaintext: an insider learns every origin's current sequence.
                    NoteSequence(LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetOrigin), LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetSequence));
                    break;
            }
        }

        /// <summary>Sends the next captured (tampered, echoed, replayed) frame, after its own transmission if one is on the air.</summary>
        private void SendCaptured(SimNode node)
        {
            if (!node.Alive || node.Captured.Count == 0)
            {
                return;
            }

            if (node.TransmittingUntilUs > _nowUs)
            {
                _events.Push(node.TransmittingUntilUs + EchoTurnaroundUs, EventKind.Adversary, node.Index, ArgSendCaptured);
                return;
            }

            byte[] frame = node.Captured.Dequeue();
            _metrics.AdversarialFramesSent++;
            switch (node.Behaviour)
            {
                case NodeBehaviour.Tamperer:
                    _metrics.TamperedSent++;
                    break;
                case NodeBehaviour.Echo:
                    _metrics.EchoesSent++;
                    break;
                case NodeBehaviour.RebootReplayer:
                    _metrics.RebootReplaysSent++;
                    break;
            }

            StartTransmission(node, frame, frame.Length, _nowUs);
        }

        // ------------------------------------------------------------------ tamperer

        private void CaptureAndTamper(SimNode r, byte[] bytes, int length)
        {
            if (r.Captured.Count >= TamperQueueLimit)
            {
                return;
            }

            var copy = new byte[length];
            Array.Copy(bytes, copy, length);
            Tamper(r, copy);
            r.Captured.Enqueue(copy);
            _events.Push(_nowUs + (long)(r.Adversary!.DelaySeconds * 1e6), EventKind.Adversary, r.Index, ArgSendCaptured);
        }

        /// <summary>
        /// v1 attack 4, in turn: hops taken reset to 0; previous hop rewritten to the tamperer; previous hop
        /// rewritten to an invented id; next hop zeroed (a directed frame turned into a flood). A change that
        /// would leave the frame as it was becomes an invented previous hop instead. The network MIC is left
        /// as it was: without the key the tamperer cannot compute another.
        /// </summary>
        private void Tamper(SimNode tamperer, byte[] f)
        {
            int variant = _tamperVariant++ & 3;
            bool changed = false;
            switch (variant)
            {
                case 0:
                    changed = f[FrameLayout.OffsetHopsTaken] != 0;
                    f[FrameLayout.OffsetHopsTaken] = 0;
                    break;
                case 1:
                    changed = LittleEndian.ReadUInt32(f, FrameLayout.OffsetPreviousHop) != tamperer.Id;
                    LittleEndian.WriteUInt32(f, FrameLayout.OffsetPreviousHop, tamperer.Id);
                    break;
                case 3:
                    changed = LittleEndian.ReadUInt32(f, FrameLayout.OffsetNextHop) != NodeAddress.None;
                    LittleEndian.WriteUInt32(f, FrameLayout.OffsetNextHop, NodeAddress.None);
                    break;
            }

            if (!changed)
            {
                LittleEndian.WriteUInt32(f, FrameLayout.OffsetPreviousHop, InventedIdBase + (uint)RandomExtensions.NextBelow(_adversaryRandom, InventedIds));
            }
        }

        /// <summary>A tamperer's or an invented id: what no honest table may ever hold.</summary>
        private bool IsInventedOrTamperer(uint id) =>
            (id > (uint)_nodes.Length && NodeAddress.IsValidNodeId(id)) || _tampererIds!.Contains(id);

        /// <summary>
        /// Looks through every core's neighbour table and routes (the next hop towards every node of the
        /// mesh, and any route to an invented id) for ids a tamperer planted; every (node, id) pair ever
        /// found counts once. Runs every 10 s while a tamperer is present, and when the result is built.
        /// </summary>
        private void ScanForInventedIds()
        {
            if (_tampererIds == null)
            {
                return;
            }

            foreach (SimNode node in _nodes)
            {
                MeshNode? core = node.Core;
                if (core == null)
                {
                    continue;
                }

                long nowMs = node.Clock.LocalMs(_nowUs);
                NeighbourTable neighbours = core.Neighbours;
                for (int slot = 0; slot < neighbours.Capacity; slot++)
                {
                    if (neighbours.IsUsed(slot) && IsInventedOrTamperer(neighbours.IdAt(slot)))
                    {
                        _inventedFound.Add((node.Index, neighbours.IdAt(slot)));
                    }
                }

                RouteTable routes = core.Routes;
                for (uint d = 1; d <= (uint)_nodes.Length; d++)
                {
                    uint next = routes.NextHop(d, nowMs);
                    if (next != NodeAddress.None && IsInventedOrTamperer(next))
                    {
                        _inventedFound.Add((node.Index, next));
                    }
                }

                for (uint k = 0; k < InventedIds; k++)
                {
                    if (routes.Distance(InventedIdBase + k, nowMs) >= 0)
                    {
                        _inventedFound.Add((node.Index, InventedIdBase + k));
                    }
                }

                foreach (uint t in _tampererIds)
                {
                    if (routes.Distance(t, nowMs) >= 0)
                    {
                        _inventedFound.Add((node.Index, t));
                    }
                }
            }

            _metrics.InventedIdsInTables = _inventedFound.Count;
        }

        // ------------------------------------------------------------------ echo

        private void EchoFrame(SimNode r, byte[] bytes, int length)
        {
            if (r.Adversary!.Silent || r.Captured.Count >= EchoQueueLimit)
            {
                return;
            }

            // Each echo repeats a given frame once (two echoes would otherwise echo each other forever).
            ulong hash = 14695981039346656037UL ^ (ulong)r.Index * 0x9E3779B97F4A7C15UL;
            for (int i = 0; i < length; i++)
            {
                hash = (hash ^ bytes[i]) * 1099511628211UL;
            }

            if (_echoed.Count > 1 << 20)
            {
                _echoed.Clear();
            }

            if (!_echoed.Add(hash))
            {
                return;
            }

            var copy = new byte[length];
            Array.Copy(bytes, copy, length);
            r.Captured.Enqueue(copy);
            _events.Push(_nowUs + EchoTurnaroundUs, EventKind.Adversary, r.Index, ArgSendCaptured);
        }

        // ------------------------------------------------------------------ reboot replayer

        /// <summary>
        /// A command the reboot replayer heard, to a target in its own range (a replayed copy reaches only
        /// the replayer's neighbours: the relays around it still hold the original in their duplicate
        /// caches): kept, and the target's power-cycle scheduled — down 2 s after the capture (the command
        /// has run), up <c>downtimeSeconds</c> later, the captures re-sent 0.5 s after the restart.
        /// </summary>
        private void CaptureCommand(SimNode r, byte[] bytes, int length)
        {
            if (bytes[FrameLayout.OffsetType] != (byte)MessageType.Command
                || !_commandsCaptured.Add(MetricsCollector.Key(LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetOrigin), LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetSequence))))
            {
                return; // each command frame once, whichever replayer heard it (and not the replays of others)
            }

            int t = (int)LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetDestination) - 1;
            if (t < 0 || t >= _nodes.Length || !InGoodRange(r.Index, t))
            {
                return;
            }

            SimNode target = _nodes[t];
            if (target.IsSink || target.Behaviour != NodeBehaviour.Honest || !target.Alive && !_rebootPending.Contains(t))
            {
                return;
            }

            if (!_rebootCaptures.TryGetValue(t, out List<byte[]>? list))
            {
                list = new List<byte[]>();
                _rebootCaptures[t] = list;
            }

            if (list.Count < 8)
            {
                var copy = new byte[length];
                Array.Copy(bytes, copy, length);
                list.Add(copy);
            }

            if (_rebootPending.Add(t))
            {
                long crashAt = _nowUs + RebootCrashAfterUs;
                long restartAt = crashAt + (long)(r.Adversary!.DowntimeSeconds * 1e6);
                _events.Push(crashAt, EventKind.Crash, t, 2);
                _events.Push(restartAt, EventKind.Restart, t, 2);
                _events.Push(restartAt + RebootReplayAfterUs, EventKind.Adversary, r.Index, ArgRebootReplayBase + t);
                _metrics.RebootTargets++;
            }
        }

        private bool InGoodRange(int from, int to)
        {
            for (int l = _links.RowStart[from]; l < _links.RowStart[from + 1]; l++)
            {
                if (_links.Target[l] == to)
                {
                    return _links.ReceptionProbability[l] >= 0.5;
                }
            }

            return false;
        }

        private void ReplayAfterReboot(SimNode replayer, int target)
        {
            _rebootPending.Remove(target);
            if (!_rebootCaptures.Remove(target, out List<byte[]>? list))
            {
                return;
            }

            for (int k = 0; k < list.Count; k++)
            {
                replayer.Captured.Enqueue(list[k]);
                _events.Push(_nowUs + k * RebootReplaySpacingUs, EventKind.Adversary, replayer.Index, ArgSendCaptured);
            }
        }

        // ------------------------------------------------------------------ insiders

        private void NoteSequence(uint origin, uint sequence)
        {
            if (!_heardSequence.TryGetValue(origin, out uint known) || sequence > known)
            {
                _heardSequence[origin] = sequence;
            }
        }

        /// <summary>The sequence a forgery claiming <paramref name="origin"/> carries: above anything heard or forged from it.</summary>
        private uint ForgedSequence(uint origin, int jump)
        {
            _heardSequence.TryGetValue(origin, out uint known);
            uint sequence = known + (uint)jump;
            if (sequence >= 0xFFFF_FFF0u)
            {
                sequence = 0xFFFF_FFF0u;
            }

            _heardSequence[origin] = sequence;
            return sequence;
        }

        private SimNode? RandomVictim(SimNode insider)
        {
            for (int attempt = 0; attempt < 64; attempt++)
            {
                SimNode n = _nodes[RandomExtensions.NextBelow(_adversaryRandom, _nodes.Length)];
                if (n != insider && !n.IsSink && n.Behaviour == NodeBehaviour.Honest && n.Core != null)
                {
                    return n;
                }
            }

            return null;
        }

        /// <summary>
        /// One forged frame, in turn: a reading claiming another node sealed under the insider's own device
        /// key; the same with a garbage payload and MIC; an ack claiming another node; a command to a node
        /// claiming a gateway as commander, sealed (Downlink) under the insider's own key; a command from
        /// the insider itself, sealed under its own key (or garbage, every other time) with Downlink, and
        /// under its own key without Downlink. An evicted insider also
        /// sends its own reading, correctly sealed under the key the gateways dropped. Every frame carries
        /// the current time and a valid network MIC: relays take it; only the end the payload is for can tell.
        /// </summary>
        private void ForgeAsInsider(SimNode insider)
        {
            if (insider.TransmittingUntilUs > _nowUs || _sinks.Length == 0)
            {
                return;
            }

            bool evicted = insider.Behaviour == NodeBehaviour.EvictedInsider;
            int form = _insiderStep++ % (evicted ? 7 : 6);
            SimNode? victim = RandomVictim(insider);
            if (victim == null)
            {
                return;
            }

            uint sink = _nodes[_sinks[RandomExtensions.NextBelow(_adversaryRandom, _sinks.Length)]].Id;
            int jump = insider.Adversary!.SequenceJump;
            DeviceKey own = _deviceKeys.KeyOf(insider.Id);
            NetworkKey net = InsiderNetworkKey(insider);
            var h = new FrameHeader
            {
                NetworkKeyIndex = net.Index,
                Flags = FrameFlags.DeviceSealed,
                Network = _scenario.Network.Id,
                Time = _epochSeconds + (uint)(_nowUs / 1_000_000),
                HopLimit = _scenario.Network.HopLimit,
                HopsTaken = 1,
                PreviousHop = insider.Id,
                NextHop = NodeAddress.None,
            };
            byte[] frame = new byte[FrameLayout.MaxFrameSize];
            int p = FrameLayout.HeaderSize;
            bool garbage = false;
            switch (form)
            {
                case 0:
                case 1:
                    h.Type = MessageType.Readings;
                    h.Origin = victim.Id;
                    h.Destination = NodeAddress.Gateways;
                    _readings.Clear();
                    _readings.Add(Quantity.Temperature, 99.9);
                    h.PayloadLength = _readings.Encode(frame, p, FrameLayout.MaxPayloadSize);
                    garbage = form == 1;
                    break;
                case 2:
                    h.Type = MessageType.Ack;
                    h.Origin = victim.Id;
                    h.Destination = sink;
                    h.PayloadLength = AckCodec.Encode(frame, p, (ushort)RandomExtensions.NextBelow(_adversaryRandom, 65536), CommandKind.Ping, CommandStatus.Ok);
                    break;
                case 3:
                case 4:
                case 5:
                    // Stop the target's reports: what a forged command would do if it ran.
                    h.Type = MessageType.Command;
                    h.Origin = form == 3 ? sink : insider.Id;
                    h.Destination = victim.Id;
                    h.Flags = form == 5 ? FrameFlags.DeviceSealed : FrameFlags.DeviceSealed | FrameFlags.Downlink;
                    garbage = form == 4 && (_insiderStep / 7) % 2 == 1; // every other time, a garbage payload and MIC
                    break;
                default:
                    h.Type = MessageType.Readings;
                    h.Origin = insider.Id;
                    h.Destination = NodeAddress.Gateways;
                    _readings.Clear();
                    _readings.Add(Quantity.Temperature, 99.9);
                    h.PayloadLength = _readings.Encode(frame, p, FrameLayout.MaxPayloadSize);
                    break;
            }

            h.Sequence = ForgedSequence(h.Origin, jump);
            if (h.Type == MessageType.Command)
            {
                byte[] args = new byte[4]; // report interval 0: stop reporting
                h.PayloadLength = CommandCodec.Encode(frame, p, (ushort)RandomExtensions.NextBelow(_adversaryRandom, 65536), CommandKind.SetReportInterval, h.Sequence, args, 0, 4);
            }

            FrameCodec.WriteHeader(h, frame, 0);
            if (garbage)
            {
                for (int i = p; i < p + h.PayloadLength + FrameLayout.PayloadMicSize; i++)
                {
                    frame[i] = (byte)_adversaryRandom.NextUInt32();
                }
            }
            else
            {
                // The only device key an insider holds is its own: whatever it claims, that is what seals.
                _insiderSealer.Seal(own.Sealing, h, frame, 0);
            }

            _insiderNetSealer.Seal(net, frame, 0, h.FrameLength);
            int sealedLength = h.FrameLength - FrameLayout.HeaderSize - FrameLayout.NetMicSize;
            var sealedBytes = new byte[sealedLength];
            Array.Copy(frame, FrameLayout.HeaderSize, sealedBytes, 0, sealedLength);
            _forgeries[MetricsCollector.Key(h.Origin, h.Sequence)] = sealedBytes;
            _forgedOrigins.Add(h.Origin);
            NoteInsiderInjection(insider, MetricsCollector.Key(h.Origin, h.Sequence));
            _metrics.InsiderFramesSent++;
            _metrics.AdversarialFramesSent++;
            StartTransmission(insider, frame, h.FrameLength, _nowUs);
        }

        // ------------------------------------------------------------------ outcomes at honest cores

        /// <summary>
        /// What an honest core made of a frame, for the adversaries' metrics; <paramref name="consumed"/>:
        /// the core took it as a new frame (not only relayed a copy it had overheard before, which
        /// returns None too but opens nothing).
        /// </summary>
        private void NoteAdversaryOutcome(SimNode r, byte[] bytes, int length, SimNode sender, RejectReason result, bool consumed)
        {
            switch (sender.Behaviour)
            {
                case NodeBehaviour.Tamperer:
                    if (result == RejectReason.None || result == RejectReason.MalformedPayload)
                    {
                        _metrics.TamperedTaken++;
                    }
                    else if (result == RejectReason.BadMic)
                    {
                        _metrics.TamperedRefusedBadMic++;
                    }
                    else
                    {
                        _metrics.TamperedRefusedOther++;
                    }

                    break;
                case NodeBehaviour.Echo:
                    if (result == RejectReason.None)
                    {
                        _metrics.EchoesTaken++;
                    }

                    break;
            }

            if (_forgedOrigins.Count > 0 && length >= FrameLayout.MinFrameSize)
            {
                NoteForgeryOutcome(r, bytes, length, result, consumed);
                if (_evictedInjections.Count > 0)
                {
                    NoteEvictedInjection(r, bytes, length, result);
                }
            }
        }

        /// <summary>
        /// At the node a forgery is for (a gateway for readings, heartbeats, acks to it; the target for a
        /// command): taken means opened (delivered, completed) or executed. A genuine frame of a claimed
        /// origin refused at a gateway as replayed or too old is the forgeries' side effect on that origin's
        /// replay state, counted too.
        /// </summary>
        private void NoteForgeryOutcome(SimNode r, byte[] bytes, int length, RejectReason result, bool consumed)
        {
            uint origin = LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetOrigin);
            if (!_forgedOrigins.Contains(origin))
            {
                return;
            }

            uint destination = LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetDestination);
            var type = (MessageType)bytes[FrameLayout.OffsetType];
            bool consumer = type == MessageType.Command || type == MessageType.Ack
                ? r.Id == destination
                : (type == MessageType.Readings || type == MessageType.Heartbeat) && r.IsSink;
            if (!consumer)
            {
                return;
            }

            ulong key = MetricsCollector.Key(origin, LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetSequence));
            bool sameKey = _forgeries.TryGetValue(key, out byte[]? sealedBytes);
            bool forged = sameKey
                && length == FrameLayout.HeaderSize + sealedBytes!.Length + FrameLayout.NetMicSize
                && bytes.AsSpan(FrameLayout.HeaderSize, sealedBytes.Length).SequenceEqual(sealedBytes);
            if (!forged)
            {
                // A genuine message whose sequence number a forgery took (refused as a duplicate of it), or
                // that a forgery's higher number pushed out of the window (replayed, too old): lost to it.
                // Counted at the end of the run, and only if no copy of it was delivered: since a forgery under
                // a marked sequence no longer hides the genuine frame, a gateway may refuse later copies of a
                // genuine message it already delivered (FinishInsiderVictimMetrics).
                bool lost = result == RejectReason.Replayed || result == RejectReason.TooOld || (sameKey && result == RejectReason.Duplicate);
                if (r.IsSink && lost)
                {
                    _victimMessagesLost.Add(key);
                }

                return;
            }

            if (result == RejectReason.None && consumed)
            {
                if (type == MessageType.Command)
                {
                    _metrics.InsiderCommandsExecuted++;
                }
                else
                {
                    _metrics.InsiderForgeriesAccepted++;
                }
            }
            else if (result == RejectReason.BadPayloadMic || result == RejectReason.UnknownDevice
                || result == RejectReason.Unsealed || result == RejectReason.MalformedPayload)
            {
                _metrics.InsiderRefusedAtConsumer++;
            }
        }

        /// <summary>Genuine messages of an insider's claimed origins that a gateway refused and that were never delivered.</summary>
        private void FinishInsiderVictimMetrics()
        {
            long lost = 0;
            foreach (ulong key in _victimMessagesLost)
            {
                if (!_metrics.WasDelivered(key))
                {
                    lost++;
                }
            }

            _metrics.InsiderVictimFramesRefused = lost;
        }
    }
}
