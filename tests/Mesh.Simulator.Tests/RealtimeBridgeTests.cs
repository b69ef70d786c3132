using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Realtime;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>
    /// The real-time bridge joins a running simulation to the LAN mesh over UDP multicast. Here the
    /// "LAN" is this machine only: the mesh group on the loopback interface with TTL 0, on a port
    /// picked per test. The simulation runs 20 times faster than the wall clock.
    /// </summary>
    public class RealtimeBridgeTests
    {
        private const string Key = "f0e1d2c3b4a5968778695a4b3c2d1e0f";
        private const ushort NetworkId = 0x2A7;
        private const uint LanNodeId = 5000;

        /// <summary>Nine nodes, 3 × 3, all within range of the gateway in the middle (node 4), which is bridged.</summary>
        private static string Scenario(double readingSeconds, double heartbeatSeconds) => $$"""
        {
          "name": "realtime-9",
          "seed": 21,
          "durationSeconds": 3600,
          "network": { "id": {{NetworkId}}, "key": "{{Key}}" },
          "topology": { "kind": "grid", "nodes": 9, "spacingMeters": 10 },
          "radio": { "model": "unitDisk", "rangeMeters": 15 },
          "policy": { "kind": "flooding" },
          "workload": { "readingIntervalSeconds": {{readingSeconds}}, "broadcastIntervalSeconds": 0, "commandIntervalSeconds": 0, "heartbeatIntervalSeconds": {{heartbeatSeconds}} }
        }
        """;

        private static readonly string Busy = Scenario(2, 5);

        // Nothing of its own on the air for the test's lifetime: only what comes from the LAN.
        private static readonly string Quiet = Scenario(0, 100_000_000);

        /// <summary>A simulation bridged to the loopback multicast group, with a listener on the LAN side.</summary>
        private sealed class Bridged : IAsyncDisposable
        {
            private readonly UdpMeshTransport _bridgeUdp;
            private readonly CancellationTokenSource _stop = new(TimeSpan.FromSeconds(30)); // a safety net, not a timing assertion
            private readonly Task _running;

            public Bridged(string json)
            {
                Simulation = new Simulation(Runs.Parse(json));
                External = Simulation.Sinks[0];
                Simulation.MessageDelivered = (node, e, _) =>
                    Delivered.Enqueue((node.Index, e.Type, e.Origin, e.Sequence, Encoding.UTF8.GetString(e.Payload, 0, e.PayloadLength)));

                var options = new UdpMeshOptions
                {
                    Group = IPAddress.Parse(UdpMeshOptions.DefaultGroup),
                    Port = FreeUdpPort(),
                    Interface = IPAddress.Loopback,
                    TimeToLive = 0,
                };
                Assert.Null(options.Validate());
                Listener = new UdpMeshTransport(options); // joined before the bridge starts
                _bridgeUdp = new UdpMeshTransport(options);
                Bridge = new RealtimeBridge(Simulation, _bridgeUdp, External, speed: 20);
                _running = Task.Run(() => Bridge.RunAsync(long.MaxValue / 2, _stop.Token));
            }

            public Simulation Simulation { get; }
            public int External { get; }
            public RealtimeBridge Bridge { get; }
            public UdpMeshTransport Listener { get; }
            public ConcurrentQueue<(int Node, MessageType Type, uint Origin, uint Sequence, string Text)> Delivered { get; } = new();
            public bool GivenUp => _stop.IsCancellationRequested;

            /// <summary>The next datagram on the group, or null after half a second of silence.</summary>
            public async Task<byte[]?> HearAsync()
            {
                using var wait = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
                wait.CancelAfter(TimeSpan.FromMilliseconds(500));
                var buffer = new byte[FrameLayout.MaxFrameSize + 1];
                try
                {
                    int n = await Listener.ReceiveAsync(buffer, wait.Token);
                    return buffer.AsSpan(0, n).ToArray();
                }
                catch (OperationCanceledException)
                {
                    return null;
                }
            }

            public async ValueTask DisposeAsync()
            {
                _stop.Cancel();
                await _running;
                _bridgeUdp.Dispose();
                Listener.Dispose();
                _stop.Dispose();
            }
        }

        /// <summary>A UDP port the OS considers free right now.</summary>
        private static int FreeUdpPort()
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        private static NetworkKey NetworkKey() => new(Convert.FromHexString(Key), DesktopCrypto.Instance);

        /// <summary>The device keys mesh-sim provisions its nodes with (derived from the scenario's key): what a gateway's registry would hold.</summary>
        private static DerivedDeviceKeys DeviceKeys() => new(Convert.FromHexString(Key), DesktopCrypto.Instance);

        /// <summary>A real protocol node on the LAN side, holding the scenario's key; its clock starts at the simulation's epoch.</summary>
        private static MeshNode LanNode(int hopLimit) => new(
            new NodeConfig
            {
                NodeId = LanNodeId, NetworkId = NetworkId, HopLimit = hopLimit, HeartbeatIntervalMs = 3_600_000, ReportIntervalMs = 0,
                RequireCheckpointConfirmation = false, InitialNetworkTime = Simulation.SimulatedEpochSeconds,
            },
            NetworkKey(), new XorShiftRandom(99), 0);

        private static byte[] BroadcastFrame(MeshNode lanNode, string text, long simulatedMs)
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            Assert.Equal(SendResult.Queued, lanNode.SendText(bytes, 0, bytes.Length, NodeAddress.Broadcast, simulatedMs));
            var frame = new byte[FrameLayout.MaxFrameSize];
            Assert.True(lanNode.TryTakeTransmit(simulatedMs, frame, 0, out int length));
            return frame.AsSpan(0, length).ToArray();
        }

        /// <summary>Decodes and authenticates (network MIC) a datagram as a frame of the scenario's mesh; null if it is not one.</summary>
        private static FrameHeader? Authentic(byte[] datagram, NetworkKey key)
        {
            var h = new FrameHeader();
            bool ok = FrameCodec.TryDecode(datagram, 0, datagram.Length, h) == RejectReason.None && h.Network == NetworkId
                && new NetworkSealer().Verify(key, datagram, 0, datagram.Length);
            return ok ? h : null; // anything else could only come from another process on this port
        }

        [Fact]
        public Task Frames_from_simulated_nodes_reach_a_loopback_listener_and_decode_under_the_network_key() => Task.Run(async () =>
        {
            await using var b = new Bridged(Busy);
            Assert.Equal(4, b.External);
            Assert.Equal(NodeBehaviour.External, b.Simulation.Nodes[b.External].Behaviour);
            NetworkKey protector = NetworkKey();
            DerivedDeviceKeys devices = DeviceKeys();
            var origins = new HashSet<uint>();
            int verified = 0, readings = 0;
            while (!(verified >= 20 && origins.Count >= 4 && readings >= 3))
            {
                Assert.False(b.GivenUp, $"gave up: {verified} frames verified from nodes {{{string.Join(",", origins)}}}, {readings} readings");
                byte[]? datagram = await b.HearAsync();
                if (datagram == null || Authentic(datagram, protector) is not FrameHeader h)
                {
                    continue;
                }

                verified++;
                origins.Add(h.Origin);
                Assert.InRange(h.Origin, 1u, 9u);
                Assert.NotEqual(b.Simulation.Nodes[b.External].Id, h.Origin); // the bridged node has no core of its own
                if (h.Type == MessageType.Readings)
                {
                    // Open with the origin's device key and parse: what a real gateway does.
                    byte[] work = new byte[PayloadSealer.WorkSize];
                    Assert.True(new PayloadSealer().Open(devices.KeyOf(h.Origin).Sealing, h, datagram, 0, work), "a reading opens under its origin's device key");
                    var set = new ReadingSet();
                    Assert.True(set.TryDecode(work, FrameLayout.HeaderSize, h.PayloadLength), "a reading parses");
                    Assert.Equal(Quantity.Temperature, set.QuantityAt(0));
                    readings++;
                }
            }

            Assert.True(b.Bridge.FramesToLan >= verified, $"bridge sent {b.Bridge.FramesToLan}, listener verified {verified}");
        });

        [Fact]
        public Task A_lan_broadcast_is_delivered_to_simulated_nodes_and_their_relays_come_back_out() => Task.Run(async () =>
        {
            await using var b = new Bridged(Quiet);
            NetworkKey protector = NetworkKey();
            MeshNode lan = LanNode(hopLimit: 8);
            int spoken = 0, echoes = 0;
            long lastSpokeUs = -10_000_000;
            while (echoes == 0)
            {
                Assert.False(b.GivenUp, $"gave up: {spoken} LAN broadcasts, {b.Bridge.FramesFromLan} reached the bridge, {b.Delivered.Count} delivered, no relay heard back");

                // Say something, and again (as a new message) if two simulated seconds bring no relay back:
                // the relays of the eight nodes can collide at the bridged node.
                if (b.Simulation.NowUs - lastSpokeUs > 2_000_000)
                {
                    byte[] frame = BroadcastFrame(lan, "hello from the LAN", b.Simulation.NowUs / 1000);
                    b.Listener.Send(frame, 0, frame.Length);
                    spoken++;
                    lastSpokeUs = b.Simulation.NowUs;
                }

                byte[]? datagram = await b.HearAsync();
                if (datagram != null && Authentic(datagram, protector) is FrameHeader h && h.Origin == LanNodeId)
                {
                    Assert.True(h.HopsTaken >= 1, "what comes back was relayed by a simulated node");
                    echoes++;
                }
            }

            Assert.True(b.Bridge.FramesFromLan >= 1);
            var lanDeliveries = b.Delivered.Where(d => d.Origin == LanNodeId).ToList();
            Assert.All(lanDeliveries, d => Assert.Equal((MessageType.Text, "hello from the LAN"), (d.Type, d.Text)));
            Assert.DoesNotContain(lanDeliveries, d => d.Node == b.External);
            Assert.Equal(lanDeliveries.Count, lanDeliveries.Select(d => (d.Node, d.Sequence)).Distinct().Count());

            // Every simulated node is in range of the bridged one and the channel was otherwise silent.
            Assert.Contains(lanDeliveries.GroupBy(d => d.Sequence), g => g.Select(d => d.Node).Order().SequenceEqual(new[] { 0, 1, 2, 3, 5, 6, 7, 8 }));
        });

        [Fact]
        public Task A_burst_of_lan_frames_goes_on_the_air_one_after_another() => Task.Run(async () =>
        {
            // Frames with hop limit 0 are not relayed, so the only transmissions in this simulation are the
            // five the bridged node makes for the LAN. One radio sends them one after another, and each
            // reaches all eight nodes in range; sent at the same instant they would destroy each other.
            await using var b = new Bridged(Quiet);
            MeshNode lan = LanNode(hopLimit: 0);
            const int Burst = 5;
            var frames = Enumerable.Range(0, Burst).Select(i => BroadcastFrame(lan, $"burst {i}", b.Simulation.NowUs / 1000)).ToList();
            foreach (byte[] frame in frames)
            {
                b.Listener.Send(frame, 0, frame.Length);
            }

            // Wait (on simulated time, not wall time) until the bridge has taken all five and the
            // simulation has run a further simulated second: long after five frames' airtime.
            while (b.Bridge.FramesFromLan < Burst)
            {
                Assert.False(b.GivenUp, $"only {b.Bridge.FramesFromLan} of {Burst} datagrams reached the bridge");
                await Task.Delay(10);
            }

            long taken = b.Simulation.NowUs;
            while (b.Simulation.NowUs < taken + 1_000_000)
            {
                Assert.False(b.GivenUp);
                await Task.Delay(10);
            }

            var delivered = b.Delivered.Where(d => d.Origin == LanNodeId).ToList();
            for (int i = 0; i < Burst; i++)
            {
                var at = delivered.Where(d => d.Text == $"burst {i}").Select(d => d.Node).Order();
                Assert.True(at.SequenceEqual(new[] { 0, 1, 2, 3, 5, 6, 7, 8 }), $"burst {i} reached nodes {{{string.Join(",", at)}}}");
            }

            Assert.Equal(Burst * 8, delivered.Count);
            Assert.Equal(0, b.Simulation.Metrics.CollidedArrivals);
        });
    }
}
