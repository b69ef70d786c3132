using System;
using System.Collections.Generic;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// A network key refresh with eviction (PROTOCOL.md, "Key refresh and eviction"), driven by the
    /// gateways through their cores' public command API the way mesh-gateway's KeyRefreshService drives it
    /// (each node's commands go through the live gateway with the shortest learnt route to it, as the
    /// workload's commands do; with one gateway, that one does it all):
    /// <list type="number">
    /// <item>At <c>keyRefresh.atSeconds</c> the evicted nodes' device keys leave every gateway's directory;
    /// every gateway accepts the new key j = i + 1 beside i; command 6 (j, key), sealed with each target's
    /// device key, goes to every provisioned node that is not evicted (those running a core: honest nodes,
    /// black holes, babblers; dead ones too), <c>concurrency</c> at a time per gateway, retried until each acknowledged
    /// or the phase deadline passed.</item>
    /// <item>Command 7 (j, 2) to the nodes that acknowledged phase 1; then the gateways send under j.</item>
    /// <item>Command 7 (j, 3) to the same nodes; then the gateways drop i.</item>
    /// </list>
    /// A node answering phase 2 or 3 with invalid_argument no longer holds j; it gets command 6 again once
    /// per phase, then the phase command again (as the gateway does). Nodes persist every step as
    /// NodeRunner does (SettingsChanged / NetworkKey) and restart with it. A non-evicted insider (no core)
    /// is given j as its board would be, and seals with it from the gateways' switch on; an evicted one
    /// keeps only i. Everything here uses the core's public API; the core is unchanged.
    /// </summary>
    public sealed partial class Simulation
    {
        private const int ArgKeyRefresh = 3;
        private const long RefreshTickUs = 250_000;
        private const int PhaseNotStarted = 0;
        private const int PhaseDone = 4;
        private const int PhaseStalled = -1;

        private SharedKeyCrypto? _keyCrypto;
        private NetworkKey? _newKey;
        private byte[] _distributeArgs = Array.Empty<byte>();
        private int _refreshPhase;
        private long _phaseDeadlineUs;
        private long _refreshStartUs = -1;
        private long _refreshFinishedUs = -1;
        private int _refreshDriver = -1;
        private readonly Dictionary<int, MeshNode?> _refreshSinkCores = new();
        private readonly Dictionary<int, int> _refreshSinkBusy = new();
        private readonly HashSet<uint> _evictedIds = new();
        private int[]? _ackedPhase;
        private readonly SortedSet<int> _refreshPending = new();
        private readonly Dictionary<(int Sink, ushort Id), (int Node, int Phase, bool Resend)> _refreshInFlight = new();
        private readonly HashSet<int> _refreshBusy = new();
        private readonly HashSet<int> _redistributed = new();
        private readonly SortedSet<int> _refreshRefused = new();
        private readonly KeyRefreshMetrics _refreshMetrics = new();

        // Evicted nodes' injections by (origin, sequence): true when sent after the refresh finished.
        private readonly Dictionary<ulong, bool> _evictedInjections = new();
        private readonly HashSet<(int Node, ulong Message, bool After)> _evictedTaken = new();

        /// <summary>The key refresh's figures; null when the scenario has none.</summary>
        public KeyRefreshMetrics? KeyRefreshResult => _scenario.KeyRefresh == null ? null : _refreshMetrics;

        /// <summary>When the refresh finished (simulated µs; phase 3 ended), or -1.</summary>
        public long KeyRefreshFinishedUs => _refreshFinishedUs;

        private void ScheduleKeyRefresh(Scenario s)
        {
            if (s.KeyRefresh == null || _sinks.Length == 0)
            {
                if (s.KeyRefresh != null)
                {
                    _refreshMetrics.Stalled = "no gateway to drive it";
                }

                return;
            }

            _refreshDriver = _sinks[0];
            _events.Push((long)(s.KeyRefresh.AtSeconds * 1e6), EventKind.Adversary, _refreshDriver, ArgKeyRefresh);
        }

        /// <summary>The crypto seam the cores get in refresh runs: one MAC object per key, shared, so a key received by command is memoised as the scenario's is.</summary>
        private ICryptoProvider? NodeCrypto() => _scenario.KeyRefresh == null ? null : _keyCrypto ??= new SharedKeyCrypto(_crypto);

        /// <summary>After a core starts: the keys its board stored (a restart mid-refresh comes back holding both, as NodeRunner's does).</summary>
        private void RestoreNetworkKeys(SimNode node)
        {
            if (node.Core != null && node.PersistedNextKey != null && node.Core.NetworkKeys.Distribute(node.PersistedNextKey)
                && node.PersistedNextPhase == NetworkKeyRing.PhaseSwitched)
            {
                node.Core.NetworkKeys.Advance(node.PersistedNextKey.Index, NetworkKeyRing.PhaseSwitched);
            }
        }

        /// <summary>What a board stores of a key refresh step (SettingsChanged / NetworkKey), as NodeRunner.</summary>
        private static void PersistNetworkKey(SimNode node, MeshEvent e)
        {
            if (e.PayloadLength < 4 || (SettingsChange)e.Payload[0] != SettingsChange.NetworkKey || node.Core == null)
            {
                return;
            }

            int index = e.Payload[1];
            int phase = e.Payload[2];
            NetworkKeyRing ring = node.Core.NetworkKeys;
            if (phase == NetworkKeyRing.PhaseDistributed && ring.Next != null && ring.Next.Index == index)
            {
                node.PersistedNextKey = ring.Next;
                node.PersistedNextPhase = NetworkKeyRing.PhaseDistributed;
            }
            else if (phase == NetworkKeyRing.PhaseSwitched && node.PersistedNextKey?.Index == index)
            {
                node.PersistedNextPhase = NetworkKeyRing.PhaseSwitched;
            }
            else if (phase == NetworkKeyRing.PhaseRevoke && ring.Current.Index == index)
            {
                node.PersistedNetworkKey = ring.Current;
                node.PersistedNextKey = null;
                node.PersistedNextPhase = 0;
            }
        }

        private void KeyRefreshStep()
        {
            if (_refreshPhase == PhaseNotStarted)
            {
                StartKeyRefresh();
            }

            if (_refreshPhase < 1 || _refreshPhase > 3)
            {
                return;
            }

            foreach (int s in _sinks)
            {
                MeshNode? core = _nodes[s].Core;
                if (_refreshSinkCores.GetValueOrDefault(s) != core)
                {
                    // A gateway restarted: its core's pending commands are gone; they are sent again.
                    _refreshSinkCores[s] = core;
                    ForgetInFlight(s);
                }
            }

            if ((_refreshPending.Count == 0 && _refreshBusy.Count == 0) || _nowUs >= _phaseDeadlineUs)
            {
                EndPhase();
            }

            if (_refreshPhase >= 1 && _refreshPhase <= 3)
            {
                // Each node's command goes through the live gateway with the shortest learnt route to it
                // (as the workload's commands do), at most `concurrency` in flight per gateway.
                var send = new List<(int Node, SimNode Sink)>();
                foreach (int i in _refreshPending)
                {
                    if (_refreshBusy.Contains(i))
                    {
                        continue;
                    }

                    SimNode? sink = ClosestSink(_nodes[i]);
                    if (sink == null)
                    {
                        break;
                    }

                    int busy = _refreshSinkBusy.GetValueOrDefault(sink.Index);
                    if (busy < _scenario.KeyRefresh!.Concurrency)
                    {
                        _refreshSinkBusy[sink.Index] = busy + 1; // reserved; SendRefreshCommand counts it again
                        send.Add((i, sink));
                    }
                }

                foreach (var (i, sink) in send)
                {
                    _refreshSinkBusy[sink.Index]--;
                }

                var served = new HashSet<int>();
                foreach (var (i, sink) in send)
                {
                    if (SendRefreshCommand(sink, i, _refreshPhase, false, sink.Clock.LocalMs(_nowUs)))
                    {
                        served.Add(sink.Index);
                    }
                }

                foreach (int s in served)
                {
                    Service(_nodes[s]);
                }
            }

            if (_refreshPhase >= 1 && _refreshPhase <= 3)
            {
                _events.Push(_nowUs + RefreshTickUs, EventKind.Adversary, _refreshDriver, ArgKeyRefresh);
            }
        }

        private void StartKeyRefresh()
        {
            KeyRefreshSettings k = _scenario.KeyRefresh!;
            _refreshStartUs = _nowUs;
            _refreshMetrics.StartedSeconds = Math.Round(_nowUs / 1e6, 3);
            foreach (JsonElement v in k.Evict)
            {
                if (v.ValueKind == JsonValueKind.Number)
                {
                    _evictedIds.Add(_nodes[v.GetInt32()].Id);
                    continue;
                }

                bool all = v.GetString() == "insiders";
                foreach (SimNode n in _nodes)
                {
                    if (n.Behaviour == NodeBehaviour.EvictedInsider || (all && n.Behaviour == NodeBehaviour.Insider))
                    {
                        _evictedIds.Add(n.Id);
                    }
                }
            }

            foreach (uint id in _evictedIds)
            {
                _deviceKeys.Evict(id); // from now on no gateway opens its readings or seals a command to it
            }

            _refreshMetrics.Evicted = new List<uint>(_evictedIds);
            _refreshMetrics.Evicted.Sort();

            // The new key: derived from the scenario (deterministic), index i + 1.
            byte[] secret = SHA256.HashData(Encoding.ASCII.GetBytes("mesh-sim key refresh " + _scenario.Network.Key + " " + _scenario.Seed)).AsSpan(0, KeyHex.ShortKeyBytes).ToArray();
            int j = (_key.Index + 1) % 16;
            _newKey = new NetworkKey(secret, j, NodeCrypto());
            _distributeArgs = new byte[1 + secret.Length];
            _distributeArgs[0] = (byte)j;
            secret.CopyTo(_distributeArgs, 1);

            _ackedPhase = new int[_nodes.Length];
            Array.Fill(_ackedPhase, -1);
            foreach (SimNode n in _nodes)
            {
                bool provisionedCore = n.Behaviour == NodeBehaviour.Honest || n.Behaviour == NodeBehaviour.BlackHole || n.Behaviour == NodeBehaviour.Babbler;
                if (!n.IsSink && provisionedCore && !_evictedIds.Contains(n.Id))
                {
                    _ackedPhase[n.Index] = 0;
                    _refreshPending.Add(n.Index);
                }
            }

            _refreshMetrics.Targets = _refreshPending.Count;
            foreach (int s in _sinks)
            {
                // Every gateway accepts j beside i before any node can send under it.
                SimNode sink = _nodes[s];
                sink.Core?.NetworkKeys.Distribute(_newKey);
                sink.PersistedNextKey = _newKey;
                sink.PersistedNextPhase = NetworkKeyRing.PhaseDistributed;
            }

            foreach (int s in _sinks)
            {
                _refreshSinkCores[s] = _nodes[s].Core;
            }

            _refreshPhase = 1;
            _phaseDeadlineUs = _nowUs + (long)(k.PhaseDeadlineSeconds * 1e6);
        }

        private bool SendRefreshCommand(SimNode driver, int node, int phase, bool resend, long nowMs)
        {
            bool key = phase == 1 || resend;
            byte[] args = key ? _distributeArgs : new[] { _distributeArgs[0], (byte)phase };
            SendResult r = driver.Core!.SendCommand(_nodes[node].Id, key ? CommandKind.SetNetworkKey : CommandKind.KeyRefreshPhase, args, 0, args.Length, nowMs, out ushort id);
            if (r != SendResult.Queued)
            {
                return false;
            }

            _refreshInFlight[(driver.Index, id)] = (node, phase, resend);
            _refreshBusy.Add(node);
            _refreshSinkBusy[driver.Index] = _refreshSinkBusy.GetValueOrDefault(driver.Index) + 1;
            _refreshMetrics.CommandsSent++;
            return true;
        }
    }
}
