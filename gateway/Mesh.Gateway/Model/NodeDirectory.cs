using System;
using System.Collections.Generic;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Model
{
    /// <summary>What the gateway knows about one node now: the dashboard's node list and topology.</summary>
    public sealed record NodeSnapshot(
        uint Node,
        string? Role,
        string? Policy,
        uint? UptimeSeconds,
        bool Online,
        DateTimeOffset FirstSeen,
        DateTimeOffset LastSeen,
        int Hops,
        int Rssi,
        IReadOnlyList<NeighbourLink> Neighbours,
        IReadOnlyDictionary<string, SensorReading> Latest,
        NodeQos? Qos = null,
        NodeQosTotals? QosTotals = null,
        NodeRoute? Route = null,
        int? NeighboursKnown = null);

    /// <summary>
    /// What a node's heartbeats reported since the gateway first heard it: frames it throttled (fair
    /// share) and lost to a full queue per traffic class (counters for /metrics; they only grow), and the
    /// origin its latest heartbeat that throttled anything named, with that heartbeat's count — kept
    /// until another origin is named, so a babbler stays visible between heartbeats.
    /// </summary>
    public sealed record NodeQosTotals(long ThrottledFrames, IReadOnlyDictionary<string, long> LostByClass, uint? LastThrottledOrigin, int LastThrottledFrames);

    /// <summary>
    /// Live state of every node heard, kept in memory: seen-ness, latest reading per quantity, last
    /// heartbeat. Decides online/offline (a node is offline after <c>Mesh:OfflineAfterSeconds</c> without
    /// a frame) and tells subscribers when that changes. Fed on the mesh loop; read from anywhere.
    /// </summary>
    public sealed class NodeDirectory : IMeshListener
    {
        private readonly object _lock = new();
        private readonly Dictionary<uint, Entry> _nodes = new();
        private readonly TimeSpan _offlineAfter;
        private readonly TimeProvider _time;

        public NodeDirectory(TimeSpan offlineAfter, TimeProvider time)
        {
            _offlineAfter = offlineAfter;
            _time = time;
        }

        /// <summary>A node was heard for the first time, or again after being offline.</summary>
        public event Action<uint>? CameOnline;

        /// <summary>A node has not been heard for the offline interval.</summary>
        public event Action<uint>? WentOffline;

        /// <summary>Any change a live view should redraw (reading, heartbeat, online/offline).</summary>
        public event Action<uint>? Changed;

        /// <summary>A node was forgotten to keep the directory within <see cref="MaxNodes"/> (the least recently heard go first).</summary>
        public event Action<uint>? Evicted;

        /// <summary>
        /// Most nodes kept (Mesh:MaxNodes). Past it the least recently heard tenth is forgotten at once, so a
        /// flood of made-up origins costs bounded memory. (Once protocol v2's provisioning lands, origins
        /// the registry never authenticated should be the ones to go.)
        /// </summary>
        public int MaxNodes { get; init; } = 10_000;

        private readonly List<uint> _evictedPending = new();

        public void OnReadings(IReadOnlyList<SensorReading> readings)
        {
            foreach (SensorReading r in readings)
            {
                bool online;
                lock (_lock)
                {
                    Entry e = Touch(r.Node, r.Timestamp, r.Hops, r.Rssi, out online);
                    e.Latest[r.Quantity] = r;
                }

                Raise(r.Node, online);
            }
        }

        public void OnHeartbeat(NodeHeartbeat heartbeat)
        {
            bool online;
            lock (_lock)
            {
                Entry e = Touch(heartbeat.Node, heartbeat.Timestamp, heartbeat.Hops, heartbeat.Rssi, out online);
                e.Role = heartbeat.Role;
                e.Policy = heartbeat.Policy;
                e.Uptime = heartbeat.UptimeSeconds;
                e.Neighbours = heartbeat.Neighbours;
                e.Route = heartbeat.Route;
                e.NeighboursKnown = heartbeat.NeighboursKnown;
                if (heartbeat.Qos is NodeQos q)
                {
                    e.Qos = q;
                    e.ThrottledTotal += q.ThrottledFrames;
                    if (q.MostThrottled is uint origin)
                    {
                        e.LastThrottledOrigin = origin;
                        e.LastThrottledFrames = q.ThrottledFrames;
                    }

                    for (int i = 0; i < e.LostTotal.Length; i++)
                    {
                        e.LostTotal[i] += q.LostByClass.TryGetValue(NodeQos.ClassNames[i], out int n) ? n : 0;
                    }
                }
            }

            Raise(heartbeat.Node, online);
        }

        public void OnCommandOutcome(CommandOutcome outcome)
        {
        }

        public void OnText(ushort network, uint node, string text)
        {
        }

        public void OnFrameRejected(string transport, RejectReason reason)
        {
        }

        /// <summary>Marks nodes not heard for the offline interval as offline; call periodically.</summary>
        public void Sweep()
        {
            DateTimeOffset now = _time.GetUtcNow();
            var gone = new List<uint>();
            lock (_lock)
            {
                foreach (Entry e in _nodes.Values)
                {
                    if (e.Online && now - e.LastSeen > _offlineAfter)
                    {
                        e.Online = false;
                        gone.Add(e.Node);
                    }
                }
            }

            foreach (uint n in gone)
            {
                WentOffline?.Invoke(n);
                Changed?.Invoke(n);
            }
        }

        /// <summary>
        /// Adds a node remembered from history (a gateway restart) as offline, with its last known state, so
        /// the node list is complete before the node is heard again. No events: nothing has changed on air.
        /// A node already heard is left alone.
        /// </summary>
        public void Restore(uint node, DateTimeOffset lastSeen, string? role, string? policy, uint? uptime, int hops, int rssi,
            IReadOnlyList<NeighbourLink> neighbours, IReadOnlyList<SensorReading> latest, int? neighboursKnown = null)
        {
            lock (_lock)
            {
                if (_nodes.ContainsKey(node))
                {
                    return;
                }

                var e = new Entry(node, lastSeen) { Role = role, Policy = policy, Uptime = uptime, Hops = hops, Rssi = rssi, Neighbours = neighbours, NeighboursKnown = neighboursKnown };
                foreach (SensorReading r in latest)
                {
                    e.Latest[r.Quantity] = r;
                }

                _nodes.Add(node, e);
            }
        }

        public IReadOnlyList<NodeSnapshot> Snapshot()
        {
            lock (_lock)
            {
                var list = new List<NodeSnapshot>(_nodes.Count);
                foreach (Entry e in _nodes.Values)
                {
                    list.Add(e.ToSnapshot());
                }

                list.Sort((a, b) => a.Node.CompareTo(b.Node));
                return list;
            }
        }

        public NodeSnapshot? Find(uint node)
        {
            lock (_lock)
            {
                return _nodes.TryGetValue(node, out Entry? e) ? e.ToSnapshot() : null;
            }
        }

        public bool IsOnline(uint node)
        {
            lock (_lock)
            {
                return _nodes.TryGetValue(node, out Entry? e) && e.Online;
            }
        }

        private Entry Touch(uint node, DateTimeOffset at, int hops, int rssi, out bool cameOnline)
        {
            if (!_nodes.TryGetValue(node, out Entry? e))
            {
                if (_nodes.Count >= MaxNodes)
                {
                    EvictOldest();
                }

                e = new Entry(node, at);
                _nodes.Add(node, e);
            }

            cameOnline = !e.Online;
            e.Online = true;
            if (at > e.LastSeen)
            {
                e.LastSeen = at;
            }

            e.Hops = hops;
            e.Rssi = rssi;
            return e;
        }

        /// <summary>Forgets the least recently heard tenth in one go (one sort per tenth: amortised O(log n) per new node).</summary>
        private void EvictOldest()
        {
            var oldest = new List<Entry>(_nodes.Values);
            oldest.Sort((a, b) => a.LastSeen.CompareTo(b.LastSeen));
            int n = Math.Max(1, _nodes.Count / 10);
            for (int i = 0; i < n; i++)
            {
                _nodes.Remove(oldest[i].Node);
                _evictedPending.Add(oldest[i].Node);
            }
        }

        /// <summary>Raised outside the lock: listeners take their own locks and may call back into the directory.</summary>
        private void RaiseEvicted()
        {
            uint[] evicted;
            lock (_lock)
            {
                if (_evictedPending.Count == 0)
                {
                    return;
                }

                evicted = _evictedPending.ToArray();
                _evictedPending.Clear();
            }

            foreach (uint node in evicted)
            {
                Evicted?.Invoke(node);
            }
        }

        private void Raise(uint node, bool cameOnline)
        {
            RaiseEvicted();
            if (cameOnline)
            {
                CameOnline?.Invoke(node);
            }

            Changed?.Invoke(node);
        }

        private sealed class Entry
        {
            public Entry(uint node, DateTimeOffset at)
            {
                Node = node;
                FirstSeen = at;
                LastSeen = at;
            }

            public uint Node { get; }

            public DateTimeOffset FirstSeen { get; }

            public DateTimeOffset LastSeen { get; set; }

            public bool Online { get; set; }

            public string? Role { get; set; }

            public string? Policy { get; set; }

            public uint? Uptime { get; set; }

            public int Hops { get; set; }

            public int Rssi { get; set; }

            public IReadOnlyList<NeighbourLink> Neighbours { get; set; } = Array.Empty<NeighbourLink>();

            public Dictionary<string, SensorReading> Latest { get; } = new();

            public NodeQos? Qos { get; set; }

            public NodeRoute? Route { get; set; }

            public int? NeighboursKnown { get; set; }

            public long ThrottledTotal { get; set; }

            public uint? LastThrottledOrigin { get; set; }

            public int LastThrottledFrames { get; set; }

            public long[] LostTotal { get; } = new long[NodeQos.ClassNames.Length];

            public NodeSnapshot ToSnapshot() =>
                new(Node, Role, Policy, Uptime, Online, FirstSeen, LastSeen, Hops, Rssi, Neighbours, new Dictionary<string, SensorReading>(Latest),
                    Qos, Qos == null ? null : new NodeQosTotals(ThrottledTotal, LostTotals(), LastThrottledOrigin, LastThrottledFrames), Route, NeighboursKnown);

            private Dictionary<string, long> LostTotals()
            {
                var d = new Dictionary<string, long>(LostTotal.Length);
                for (int i = 0; i < LostTotal.Length; i++)
                {
                    d[NodeQos.ClassNames[i]] = LostTotal[i];
                }

                return d;
            }
        }
    }
}
