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
    }
}
