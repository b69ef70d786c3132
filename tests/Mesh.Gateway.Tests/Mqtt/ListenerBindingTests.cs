using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Sockets;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Tests.Mqtt
{
    /// <summary>The broker and the UDP listener listen exactly where configured, in each address family.</summary>
    public class ListenerBindingTests
    {
        private static async Task<bool> AcceptsTcpAsync(IPAddress address, int port)
        {
            using var client = new TcpClient(address.AddressFamily);
            try
            {
                await client.ConnectAsync(address, port);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        [Fact]
        public async Task A_broker_bound_to_127_0_0_1_does_not_listen_on_ipv6()
        {
            await using var gateway = await TestGateway.StartAsync();
            Assert.True(await AcceptsTcpAsync(IPAddress.Loopback, gateway.BrokerPort));
            Assert.False(await AcceptsTcpAsync(IPAddress.IPv6Loopback, gateway.BrokerPort), "the broker listens on [::] although its bind address is 127.0.0.1");
        }

        [Fact]
        public async Task A_broker_bound_to_ipv6_loopback_listens_there_only_and_the_gateway_publishes_through_it()
        {
            await using var gateway = await TestGateway.StartAsync(s => s["Mqtt:Embedded:BindAddress"] = "::1");
            Assert.False(await AcceptsTcpAsync(IPAddress.Loopback, gateway.BrokerPort));
            Assert.True(await AcceptsTcpAsync(IPAddress.IPv6Loopback, gateway.BrokerPort));
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/33/#", configure: b => b.WithTcpServer("::1", gateway.BrokerPort));
            await using var sensor = new MeshSensor(33, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 19.5));
            await probe.WaitForAsync(x => x.Any(m => m.Topic == "mesh/1/33/temperature"), what: "the reading through the IPv6 broker");
        }

        [Fact]
        public async Task The_udp_listener_hears_the_group_and_not_a_unicast_to_another_local_address()
        {
            await using var gateway = await TestGateway.StartAsync();
            var key = new NetworkKey(Convert.FromHexString(TestGateway.KeyHex), DesktopCrypto.Instance);
            var stranger = new MeshNode(new NodeConfig
            {
                NodeId = 41, RequireCheckpointConfirmation = false, InitialNetworkTime = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
                DeviceKey = new DerivedDeviceKeys(Convert.FromHexString(TestGateway.KeyHex), DesktopCrypto.Instance).KeyOf(41),
            }, key, new XorShiftRandom(41), 0);
            var set = new ReadingSet();
            set.Add(Quantity.Temperature, 41.0);
            Assert.Equal(SendResult.Queued, stranger.SendReadings(set, 0));
            var frame = new byte[FrameLayout.MaxFrameSize];
            Assert.True(stranger.TryTakeTransmit(0, frame, 0, out int length));
            using (var unicast = new UdpClient(AddressFamily.InterNetwork))
            {
                // A valid frame, but sent to an address the gateway was not told to listen on.
                unicast.Send(frame, length, new IPEndPoint(IPAddress.Parse("127.0.0.2"), gateway.UdpPort));
            }

            await using var sensor = new MeshSensor(42, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 42.0));
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            JsonElement nodes;
            do
            {
                await Task.Delay(50);
                nodes = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/nodes")).RootElement;
            }
            while (!nodes.EnumerateArray().Any(n => n.GetProperty("node").GetUInt32() == 42) && DateTime.UtcNow < deadline);

            // The unicast was sent first: had the socket heard it, node 41 would be listed before 42.
            uint[] heard = nodes.EnumerateArray().Select(n => n.GetProperty("node").GetUInt32()).ToArray();
            Assert.Contains(42u, heard);
            Assert.DoesNotContain(41u, heard);
        }

        [Fact]
        public async Task A_frame_heard_on_the_udp_group_is_not_relayed_back_onto_it()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var sensor = new MeshSensor(43, gateway.UdpPort);
            sensor.Report((Quantity.Humidity, 43.0));
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (gateway.Mesh.RelaysSuppressed == 0 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(20);
            }

            Assert.Equal(1, gateway.Mesh.RelaysSuppressed);
            // The gateway may send frames of its own meanwhile (under structured routing, its default, a beacon soon after
            // start); none may be a copy of the sensor's frame.
            await Task.Delay(500);
            uint gatewayId = gateway.Mesh.NodeId;
            Assert.DoesNotContain(sensor.Heard, f => f.Length >= FrameLayout.HeaderSize
                && LittleEndian.ReadUInt32(f, FrameLayout.OffsetOrigin) == 43 && LittleEndian.ReadUInt32(f, FrameLayout.OffsetPreviousHop) == gatewayId);
        }
    }
}
