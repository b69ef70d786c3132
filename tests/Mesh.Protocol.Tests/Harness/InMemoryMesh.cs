using System;
using System.Collections.Generic;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Harness
{
    /// <summary>One transmission, as the harness saw it on air.</summary>
    public sealed record Transmission(long TimeMs, uint Node, uint Origin, uint Sequence, MessageType Type, int HopsTaken, uint NextHop, uint Destination);

    /// <summary>
    /// A tiny deterministic radio for protocol tests: explicit links with fixed RSSI, a 1 ms airtime
    /// (a frame sent at t is heard at t + 1), virtual time, no loss. Ties resolve by node id, so runs are
    /// exactly repeatable. Every MeshNode is driven only through its public sans-I/O API.
    /// </summary>
    public sealed class InMemoryMesh
    {
        public const long AirtimeMs = 1;

        // One key per mesh, not per process: a NetworkKey holds cipher and MAC state, and test classes run in parallel.
        private readonly NetworkKey _key = new(TestKeys.NetworkSecret, DesktopCrypto.Instance);

        // Every node provisioned with a device key derived from the test secret; bridges and edges (the
        // gateway roles) hold them all, as a gateway's registry would.
        private readonly DerivedDeviceKeys _deviceKeys = new(TestKeys.NetworkSecret, DesktopCrypto.Instance);

        private readonly SortedDictionary<uint, MeshNode> _nodes = new();
        private readonly Dictionary<uint, List<(uint To, int Rssi)>> _links = new();
        private readonly HashSet<uint> _dead = new();
        private readonly List<(long At, uint To, byte[] Frame, int Rssi)> _inFlight = new();
        private readonly byte[] _buffer = new byte[FrameLayout.MaxFrameSize];

        public long Now { get; private set; }

        public List<Transmission> Log { get; } = new();

        /// <summary>Every frame put on the air, with its transmitter: what an eavesdropper captures.</summary>
        public List<(uint Node, byte[] Frame)> Air { get; } = new();

        /// <summary>Radio frames that carried more than one frame (PROTOCOL.md, "Bundles"); their frames are in <see cref="Air"/> one by one.</summary>
        public List<(uint Node, byte[] Frame)> Bundles { get; } = new();

        public Dictionary<uint, List<MeshEvent>> Events { get; } = new();

        /// <summary>What each Receive call returned, per receiving node.</summary>
        public Dictionary<uint, List<RejectReason>> Results { get; } = new();

        /// <summary>A frame this picks (transmitter, receiver, bytes) is lost on that one link: a fade, a collision.</summary>
        public Func<uint, uint, byte[], bool>? DropWhen { get; set; }

        /// <summary>When true, events are left in the nodes' queues (to test backpressure).</summary>
        public bool HoldEvents { get; set; }

        public static NodeConfig Config(uint id, NodeRole role = NodeRole.Relay)
        {
            // Quiet by default: no periodic traffic unless a test asks for it.
            return new NodeConfig
            {
                NodeId = id,
                Role = role,
                HeartbeatIntervalMs = 10_000_000,
                ReportIntervalMs = 0,
                Policy = Forwarding.PolicySettings.Flooding(),
                RequireCheckpointConfirmation = false,
                InitialNetworkTime = TestKeys.Epoch,
                Crypto = DesktopCrypto.Instance, // to install keys received in key-refresh commands
            };
        }

        public NetworkKey Key => _key;

        public DerivedDeviceKeys DeviceKeys => _deviceKeys;

        public MeshNode Add(NodeConfig config)
        {
            TestKeys.Provisioned(config, _deviceKeys);

            var node = new MeshNode(config, _key, new XorShiftRandom(config.NodeId), Now);
            _nodes.Add(config.NodeId, node);
            _links[config.NodeId] = new List<(uint, int)>();
            Events[config.NodeId] = new List<MeshEvent>();
            Results[config.NodeId] = new List<RejectReason>();
            return node;
        }

        public MeshNode this[uint id] => _nodes[id];

        /// <summary>
        /// Restarts node <paramref name="config"/>.NodeId: a new MeshNode with empty RAM tables, built from
        /// what its application persisted (put it in <paramref name="config"/>); links are kept.
        /// </summary>
        public MeshNode Restart(NodeConfig config)
        {
            TestKeys.Provisioned(config, _deviceKeys);

            var node = new MeshNode(config, _key, new XorShiftRandom(config.NodeId ^ (ulong)Now), Now);
            _nodes[config.NodeId] = node;
            _dead.Remove(config.NodeId);
            return node;
        }

        /// <summary>A radio that is not a mesh node (an attacker's): it can only be linked and <see cref="Inject"/>.</summary>
        public void AddRadio(uint id)
        {
            _links[id] = new List<(uint, int)>();
            _dead.Add(id);
        }

        public void Link(uint a, uint b, int rssi = -60) => Link(a, b, rssi, rssi);

        public void Link(uint a, uint b, int rssiAtB, int rssiAtA)
        {
            _links[a].Add((b, rssiAtB));
            _links[b].Add((a, rssiAtA));
        }

        public void Unlink(uint a, uint b)
        {
            _links[a].RemoveAll(l => l.To == b);
            _links[b].RemoveAll(l => l.To == a);
        }

        public void Kill(uint id) => _dead.Add(id);

        /// <summary>A line 1 - 2 - ... - n.</summary>
        public static InMemoryMesh Line(int n, Func<uint, NodeConfig>? config = null)
        {
            var mesh = new InMemoryMesh();
            for (uint i = 1; i <= n; i++)
            {
                mesh.Add(config?.Invoke(i) ?? Config(i));
            }

            for (uint i = 1; i < n; i++)
            {
                mesh.Link(i, i + 1);
            }

            return mesh;
        }

        /// <summary>A w × h grid, ids row by row from 1, 4-neighbour links.</summary>
        public static InMemoryMesh Grid(int w, int h, Func<uint, NodeConfig>? config = null)
        {
            var mesh = new InMemoryMesh();
            for (uint i = 1; i <= w * h; i++)
            {
                mesh.Add(config?.Invoke(i) ?? Config(i));
            }

            for (int r = 0; r < h; r++)
            {
                for (int c = 0; c < w; c++)
                {
                    uint id = (uint)(r * w + c + 1);
                    if (c + 1 < w)
                    {
                        mesh.Link(id, id + 1);
                    }

                    if (r + 1 < h)
                    {
                        mesh.Link(id, id + (uint)w);
                    }
                }
            }

            return mesh;
        }

        /// <summary>Breadth-first hop distances from <paramref name="from"/> over the current links.</summary>
        public Dictionary<uint, int> Distances(uint from)
        {
            var d = new Dictionary<uint, int> { [from] = 0 };
            var queue = new Queue<uint>();
            queue.Enqueue(from);
            while (queue.Count > 0)
            {
                uint u = queue.Dequeue();
                foreach (var (to, _) in _links[u])
                {
                    if (!d.ContainsKey(to) && !_dead.Contains(to))
                    {
                        d[to] = d[u] + 1;
                        queue.Enqueue(to);
                    }
                }
            }

            return d;
        }

        public void RunFor(long ms) => RunUntil(Now + ms);

        public void RunUntil(long endMs)
        {
            for (int guard = 0; guard < 10_000_000; guard++)
            {
                long next = long.MaxValue;
                foreach (var (id, node) in _nodes)
                {
                    if (!_dead.Contains(id))
                    {
                        next = Math.Min(next, node.NextWakeMs);
                    }
                }

                foreach (var f in _inFlight)
                {
                    next = Math.Min(next, f.At);
                }

                if (next > endMs)
                {
                    Now = endMs;
                    return;
                }

                Now = Math.Max(Now, next);
                Deliver();
                foreach (var (id, node) in _nodes)
                {
                    if (_dead.Contains(id) || node.NextWakeMs > Now)
                    {
                        continue;
                    }

                    node.Poll(Now);
                    Transmit(id, node);
                    Drain(id, node);
                }
            }

            throw new InvalidOperationException("harness did not settle");
        }

        private void Deliver()
        {
            var due = _inFlight.FindAll(f => f.At <= Now);
            _inFlight.RemoveAll(f => f.At <= Now);
            due.Sort((a, b) => a.To.CompareTo(b.To));
            foreach (var (_, to, frame, rssi) in due)
            {
                if (_dead.Contains(to))
                {
                    continue;
                }

                MeshNode node = _nodes[to];
                Results[to].Add(node.Receive(frame, 0, frame.Length, rssi, Now));
                Drain(to, node);
            }
        }

        private void Transmit(uint id, MeshNode node)
        {
            while (node.TryTakeTransmit(Now, _buffer, 0, out int length))
            {
                var frame = new byte[length];
                Array.Copy(_buffer, frame, length);
                // Log and Air list frames; a bundle (several frames in one radio frame) goes on air whole, and is noted.
                bool bundle = FrameCodec.IsBundle(frame, 0, length);
                if (bundle)
                {
                    Bundles.Add((id, frame));
                }

                for (int at = 0; at < length;)
                {
                    int part = bundle ? FrameCodec.DeclaredLength(frame, at, length - at) : length;
                    var f = new byte[part];
                    Array.Copy(frame, at, f, 0, part);
                    at += part;
                    Log.Add(new Transmission(Now, id,
                        LittleEndian.ReadUInt32(f, FrameLayout.OffsetOrigin),
                        LittleEndian.ReadUInt32(f, FrameLayout.OffsetSequence),
                        (MessageType)f[FrameLayout.OffsetType],
                        f[FrameLayout.OffsetHopsTaken],
                        LittleEndian.ReadUInt32(f, FrameLayout.OffsetNextHop),
                        LittleEndian.ReadUInt32(f, FrameLayout.OffsetDestination)));
                    Air.Add((id, f));
                }

                foreach (var (to, rssi) in _links[id])
                {
                    if (DropWhen?.Invoke(id, to, frame) != true)
                    {
                        _inFlight.Add((Now + AirtimeMs, to, frame, rssi));
                    }
                }
            }
        }

        /// <summary>Puts raw bytes on the air from <paramref name="from"/> (replays, forgeries).</summary>
        public void Inject(uint from, byte[] frame)
        {
            foreach (var (to, rssi) in _links[from])
            {
                _inFlight.Add((Now + AirtimeMs, to, (byte[])frame.Clone(), rssi));
            }
        }

        public void Drain(uint id, MeshNode node)
        {
            if (HoldEvents)
            {
                return;
            }

            var e = new MeshEvent();
            while (node.TryTakeEvent(e))
            {
                Events[id].Add(e);
                e = new MeshEvent();
            }
        }

        public List<Transmission> TransmissionsOf(uint origin, uint sequence) =>
            Log.FindAll(t => t.Origin == origin && t.Sequence == sequence);
    }
}
