using System;
using System.Collections.Generic;
using System.Linq;
using System.Security.Cryptography;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Model;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Security;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>What <c>GET /api/keys/refresh</c> answers.</summary>
    public sealed record KeyRefreshStatus(
        string State,
        long? Refresh,
        int? Phase,
        int? OldIndex,
        int? NewIndex,
        int GatewayKeyIndex,
        int GatewayKeyPhase,
        int? DeadlineSeconds,
        DateTimeOffset? Started,
        DateTimeOffset? Finished,
        string? Stalled,
        IReadOnlyList<uint> Evicted,
        IReadOnlyList<KeyRefreshStore.NodeState> Nodes,
        IReadOnlyList<uint> NotAnswered);

    /// <summary>
    /// The gateway-driven network key refresh and eviction (PROTOCOL.md, "Key refresh and eviction"). A
    /// running gateway does it, because it holds the mesh link: <c>POST /api/keys/refresh</c> starts one.
    /// <list type="number">
    /// <item>A new random 16-byte key under index j = i + 1 (mod 16) is stored in the registry, then the
    /// gateway's own key ring accepts it beside i; command 6 (j, key), sealed by the core with each node's
    /// device key, goes to every provisioned node that is not evicted, retried until each acknowledged
    /// or the phase deadline passed. Nodes that did not answer are listed.</item>
    /// <item>Command 7 (j, 2) to the nodes that acknowledged phase 1; then the gateway sends under j.</item>
    /// <item>Command 7 (j, 3) to the same nodes; then the gateway drops i and j becomes the stored network key.</item>
    /// </list>
    /// Every acknowledgement and phase change is stored as it happens (<see cref="KeyRefreshStore"/>), and a
    /// refresh found unfinished at start resumes at its phase. Evicted nodes lose their device key in the
    /// gateway at once and never receive j: after phase 3 their frames are refused (UnknownKey).
    /// </summary>
    public sealed partial class KeyRefreshService : BackgroundService
    {
        /// <summary>
        /// Nodes sent a refresh command at once (the core has 64 command slots for everything). Four, not more:
        /// the commands and acks share the channel with the readings, and in the simulator's 1,000-node refresh
        /// (adversarial-v2-1000, seeds 5, 6, 7) 16 at once per gateway delivered 98.4-99.3 % of the honest
        /// readings sent meanwhile, 4 delivered 99.4-99.8 %; the refresh took 77, 77 and 166 s instead of
        /// 74-88 s (simulator/README.md).
        /// </summary>
        private const int Concurrency = 4;

        private readonly MeshGateway _mesh;
        private readonly IDeviceKeyDirectory _deviceKeys;
        private readonly GatewayOptions _options;
        private readonly TimeProvider _time;
        private readonly ILogger _log;
        private readonly KeyRefreshStore? _store;
        private readonly object _gate = new();
        private readonly CancellationTokenSource _stop = new();
        private Task _running = Task.CompletedTask;
        private volatile bool _disposed;

        public KeyRefreshService(MeshGateway mesh, IDeviceKeyDirectory deviceKeys, GatewayOptions options, KeyRefreshStore? store, TimeProvider time, ILoggerFactory logs)
        {
            _mesh = mesh;
            _deviceKeys = deviceKeys;
            _options = options;
            _store = store;
            _time = time;
            _log = logs.CreateLogger("Mesh.Gateway.KeyRefresh");
        }

        /// <summary>Shortest and longest phase deadline accepted.</summary>
        public static readonly TimeSpan MinDeadline = TimeSpan.FromSeconds(5), MaxDeadline = TimeSpan.FromDays(7);

        public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(10);

        /// <summary>
        /// Starts a refresh that evicts <paramref name="evict"/> (besides nodes already evicted), or resumes a
        /// stalled one. Returns an HTTP status (202 started, 400 bad request, 409 not now) and a message.
        /// </summary>
        public (int Status, string Message) Start(IReadOnlyCollection<uint> evict, TimeSpan deadline)
        {
            if (_store == null)
            {
                return (409, "key refresh needs the node registry, and Mesh:DeriveDeviceKeys is set (demo/simulator provisioning: every device key is derived from the network key)");
            }

            if (deadline < MinDeadline || deadline > MaxDeadline)
            {
                return (400, $"deadline_seconds: {MinDeadline.TotalSeconds:0} .. {MaxDeadline.TotalSeconds:0} (was {deadline.TotalSeconds:0})");
            }

            lock (_gate)
            {
                KeyRefreshStore.Refresh? latest;
                lock (_store)
                {
                    latest = _store.Latest();
                }

                if (!_running.IsCompleted || latest?.Running == true)
                {
                    return (409, $"a key refresh is already running (#{latest?.Id}, to key index {latest?.NewIndex}, phase {latest?.Phase}); GET /api/keys/refresh shows its progress");
                }

                if (latest?.Stalled != null && latest.Finished == null)
                {
                    if (evict.Count > 0)
                    {
                        return (409, $"key refresh #{latest.Id} stalled in phase {latest.Phase} ({latest.Stalled}); POST again without evict to resume it first");
                    }

                    lock (_store)
                    {
                        _store.Unstall(latest.Id, deadline);
                    }

                    _log.LogInformation("key refresh #{Id}: resumed by request at phase {Phase} (deadline {Deadline} s per phase)", latest.Id, latest.Phase, deadline.TotalSeconds);
                    Launch(latest.Id);
                    return (202, $"key refresh #{latest.Id} resumed at phase {latest.Phase}");
                }

                KeyRefreshStore.FollowedRefresh? followed;
                lock (_store)
                {
                    followed = _store.Followed();
                }

                if (followed != null)
                {
                    // Its new key would replace the one the driving gateway is distributing, in this gateway's key ring.
                    return (409, $"this gateway follows a key refresh another gateway drives (to network key index {followed.Index}, phase {followed.Phase}); " +
                        "let it finish there: refresh keys from one gateway (gateway/README.md, \"Several gateways, one broker\")");
                }

                if (_mesh.NetworkKeyPhase != NetworkKeyRing.PhaseNormal)
                {
                    return (409, $"the gateway's key ring is in refresh phase {_mesh.NetworkKeyPhase} with no refresh stored; restart the gateway");
                }

                using var registry = new NodeRegistry(_options.Mesh.RegistryFile);
                IReadOnlyList<NodeRegistry.Entry> entries = registry.List();
                foreach (uint n in evict)
                {
                    if (n == _options.Mesh.NodeId)
                    {
                        return (400, $"evict: node {n} is this gateway");
                    }

                    if (!entries.Any(e => e.NodeId == n))
                    {
                        return (400, $"evict: node {n} is not provisioned (mesh-gateway provision --list)");
                    }
                }

                List<uint> nodes = entries.Where(e => e.Evicted == null && e.NodeId != _options.Mesh.NodeId && !evict.Contains(e.NodeId)).Select(e => e.NodeId).ToList();
                if (nodes.Count == 0)
                {
                    return (409, "no provisioned node would keep the network key (all evicted, or none provisioned: mesh-gateway provision --node <id> --out <file>)");
                }

                DateTimeOffset now = _time.GetUtcNow();
                foreach (uint n in evict)
                {
                    registry.Evict(n, now);
                }

                List<uint> evicted = registry.List().Where(e => e.Evicted != null).Select(e => e.NodeId).ToList();
                foreach (uint n in evicted)
                {
                    // Its readings are no longer opened and no command is sealed to it, from now on.
                    (_deviceKeys as DeviceKeyTable)?.Remove(n);
                }

                int oldIndex = _mesh.NetworkKeyIndex;
                int newIndex = (oldIndex + 1) % 16;
                byte[] key = RandomNumberGenerator.GetBytes(KeyHex.ShortKeyBytes);
                long id;
                lock (_store)
                {
                    // Stored before it is sent anywhere: a restart finds it and resumes.
                    id = _store.Begin(oldIndex, newIndex, key, deadline, nodes, evicted, now);
                }

                _log.LogInformation("key refresh #{Id}: started, network key index {Old} -> {New}, {Count} node(s), evicted {Evicted}, deadline {Deadline} s per phase",
                    id, oldIndex, newIndex, nodes.Count, evicted.Count == 0 ? "none" : string.Join(", ", evicted), deadline.TotalSeconds);
                Launch(id);
                return (202, $"key refresh #{id} started: network key index {oldIndex} -> {newIndex}, {nodes.Count} node(s)" +
                    (evicted.Count > 0 ? ", evicted " + string.Join(", ", evicted) : ""));
            }
        }

        public KeyRefreshStatus Status()
        {
            KeyRefreshStore.Refresh? r = null;
            if (_store != null)
            {
                lock (_store)
                {
                    r = _store.Latest();
                }
            }

            if (r == null)
            {
                return new KeyRefreshStatus("idle", null, null, null, null, _mesh.NetworkKeyIndex, _mesh.NetworkKeyPhase, null, null, null, null,
                    Array.Empty<uint>(), Array.Empty<KeyRefreshStore.NodeState>(), Array.Empty<uint>());
            }

            string state = r.Finished != null ? "done" : r.Stalled != null ? "stalled" : "running";
            int needed = r.Finished != null ? 3 : r.Phase;
            return new KeyRefreshStatus(state, r.Id, r.Phase, r.OldIndex, r.NewIndex, _mesh.NetworkKeyIndex, _mesh.NetworkKeyPhase,
                (int)r.Deadline.TotalSeconds, r.Started, r.Finished, r.Stalled, r.Evicted, r.Nodes,
                r.Nodes.Where(n => n.AckedPhase < needed).Select(n => n.Node).ToList());
        }

        /// <summary>Resumes a refresh a restart interrupted (the mesh gateway restored its key ring from the store already).</summary>
        protected override Task ExecuteAsync(CancellationToken stoppingToken)
        {
            stoppingToken.Register(() => _stop.Cancel());
            if (_store == null)
            {
                return Task.CompletedTask;
            }

            KeyRefreshStore.Refresh? latest;
            lock (_store)
            {
                latest = _store.Latest();
            }

            if (latest?.Running == true)
            {
                _log.LogInformation("key refresh #{Id}: resuming after a restart at phase {Phase} (network key index {Old} -> {New}; the gateway sends under {Sending})",
                    latest.Id, latest.Phase, latest.OldIndex, latest.NewIndex, _mesh.NetworkKeyIndex);
                lock (_gate)
                {
                    Launch(latest.Id);
                }
            }
            else if (latest?.Stalled != null && latest.Finished == null)
            {
                _log.LogWarning("key refresh #{Id} is stalled in phase {Phase}: {Why}; POST /api/keys/refresh resumes it", latest.Id, latest.Phase, latest.Stalled);
            }

            return Task.CompletedTask;
        }

        public override async Task StopAsync(CancellationToken cancellationToken)
        {
            if (_disposed)
            {
                return; // a host that failed part-way may dispose before it stops; nothing runs by then
            }

            _stop.Cancel();
            try
            {
                await _running.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            await base.StopAsync(cancellationToken).ConfigureAwait(false);
        }

        public override void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _stop.Cancel();
            _stop.Dispose();
            base.Dispose();
        }

        /// <summary>Runs refresh <paramref name="id"/> in the background; call under <see cref="_gate"/>.</summary>
        private void Launch(long id) => _running = Task.Run(() => RunAsync(id, _stop.Token));

        private KeyRefreshStore.Refresh Load()
        {
            lock (_store!)
            {
                return _store.Latest()!;
            }
        }

        private void Store(Action<KeyRefreshStore> write)
        {
            lock (_store!)
            {
                write(_store);
            }
        }
    }
}
