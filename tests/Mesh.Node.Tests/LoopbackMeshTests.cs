using System;
using System.Collections.Generic;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Node.Desktop;
using Mesh.Node.Desktop.Hardware;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Runtime;
using Mesh.NodeApp.Sensors;
using Mesh.NodeApp.Settings;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Node.Tests
{
    /// <summary>
    /// mesh-node hosts (the very NodeHost the executable runs, with the UDP radio and simulated sensors) in
    /// this process, on loopback multicast with TTL 0, heard by a receiver that is nothing but the protocol
    /// core's public API over the LAN transport — as the gateway is. The gateway's own end-to-end test runs
    /// mesh-node as processes (tests/Mesh.Gateway.Tests/Nodes); this one needs no gateway and runs in seconds.
    /// </summary>
    public class LoopbackMeshTests
    {
        private static readonly uint[] NodeIds = { 201, 202, 203 };

        [Fact]
        public async Task Mesh_node_hosts_on_loopback_multicast_get_readings_to_a_receiver_and_relay_each_others_frames()
        {
            var udp = new UdpMeshOptions
            {
                Group = IPAddress.Parse(UdpMeshOptions.DefaultGroup),
                Port = FreeUdpPort(),
                Interface = IPAddress.Loopback,
                TimeToLive = 0, // never leaves this machine
            };

            // The receiver joins the group before any node starts, so the first readings are not missed.
            using var listener = new UdpMeshTransport(udp);
            var receiver = new MeshNode(
                new NodeConfig { NodeId = 0xFF0100, Role = NodeRole.Edge, ReportIntervalMs = 0, DeviceKeys = Air.DeviceKeys, RequireCheckpointConfirmation = false },
                new NetworkKey(Air.Key, DesktopCrypto.Instance), new DesktopRandom(), Environment.TickCount64);

            var hosts = new List<NodeHost>();
            try
            {
                foreach (uint id in NodeIds)
                {
                    var settings = new NodeSettings
                    {
                        NodeId = id, Key = Air.Key, DeviceKey = Air.DeviceKeys.SecretOf(id), SequenceStart = 1,
                        Radio = RadioMode.Udp, ReportIntervalSeconds = 1, HeartbeatIntervalSeconds = 60, UdpPort = udp.Port,
                    };
                    var log = new RecordingLogSync();
                    hosts.Add(new NodeHost(settings, id, udp, new ISensor[] { new SimulatedSensor(new XorShiftRandom(id), id) },
                        new SettingsStore(new FileConfigStore(null), log), log));
                }

                var temperatureFrom = new HashSet<uint>();
                var buffer = new byte[FrameLayout.MaxFrameSize + 1];
                var e = new MeshEvent();
                var readings = new ReadingSet();
                using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));

                // Done when every node's temperature has arrived and copies relayed by other nodes were heard
                // (the core drops them as duplicates): on one loopback segment everyone hears everyone, so this
                // shows the nodes relay, not that a reading needed the relay to arrive.
                while (temperatureFrom.Count < NodeIds.Length || receiver.Counters.RejectedFor(RejectReason.Duplicate) == 0
                    || hosts.Exists(h => h.Inspect(r => r.Node.Counters.RelaysScheduled) == 0))
                {
                    int n = await listener.ReceiveAsync(buffer, deadline.Token);
                    if (n <= 0 || n > FrameLayout.MaxFrameSize)
                    {
                        continue;
                    }

                    receiver.Receive(buffer, 0, n, udp.NominalRssi, Environment.TickCount64);
                    while (receiver.TryTakeEvent(e))
                    {
                        if (e.Kind == MeshEventKind.Message && e.Type == MessageType.Readings
                            && readings.TryDecode(e.Payload, 0, e.PayloadLength) && Array.IndexOf(NodeIds, e.Origin) >= 0)
                        {
                            for (int i = 0; i < readings.Count; i++)
                            {
                                if (readings.QuantityAt(i) == Quantity.Temperature)
                                {
                                    temperatureFrom.Add(e.Origin);
                                }
                            }
                        }
                    }
                }

                Assert.Equal(NodeIds.Length, temperatureFrom.Count);
                Assert.True(receiver.Counters.RejectedFor(RejectReason.Duplicate) > 0, "no relayed copy reached the receiver");
                foreach (NodeHost host in hosts)
                {
                    // Each node's own counters: it heard the others and put relays on the air.
                    Assert.True(host.Inspect(r => r.Node.Counters.RelaysScheduled) > 0);
                }
            }
            finally
            {
                foreach (NodeHost host in hosts)
                {
                    host.Dispose();
                }
            }
        }

        /// <summary>A port the OS says is free for UDP on loopback now (tests in parallel each get their own).</summary>
        private static int FreeUdpPort()
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(IPAddress.Loopback, 0));
            return ((IPEndPoint)probe.LocalEndPoint!).Port;
        }

        /// <summary>The hosts' loggers are written from their own threads.</summary>
        private sealed class RecordingLogSync : ILog
        {
            private readonly List<string> _lines = new();

            public void Write(LogLevel level, string message)
            {
                lock (_lines)
                {
                    _lines.Add(level + " " + message);
                }
            }
        }
    }
}
