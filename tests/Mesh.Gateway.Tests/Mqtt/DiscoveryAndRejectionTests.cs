using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Tests.Mqtt
{
    public class DiscoveryAndRejectionTests
    {
        [Fact]
        public async Task Home_assistant_discovery_configs_are_retained_and_describe_each_sensor_field_by_field()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "homeassistant/#");
            await using var sensor = new MeshSensor(30, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 22.0), (Quantity.BatteryVoltage, 3.9));
            var got = await probe.WaitForAsync(m => m.Count(x => x.Topic.StartsWith("homeassistant/sensor/", StringComparison.Ordinal)) >= 2, what: "two discovery configs");

            ReceivedMessage t = got.Single(m => m.Topic == "homeassistant/sensor/mesh_1_30_temperature/config");
            Assert.True(t.Retain || true); // delivered live; retention is checked below with a late subscriber
            JsonElement c = JsonDocument.Parse(t.Payload).RootElement;
            Assert.Equal("Temperature", c.GetProperty("name").GetString());
            Assert.Equal("mesh_1_30_temperature", c.GetProperty("unique_id").GetString());
            Assert.Equal("mesh/1/30/temperature", c.GetProperty("state_topic").GetString());
            Assert.Equal("{{ value_json.value }}", c.GetProperty("value_template").GetString());
            Assert.Equal("temperature", c.GetProperty("device_class").GetString());
            Assert.Equal("°C", c.GetProperty("unit_of_measurement").GetString());
            Assert.Equal("measurement", c.GetProperty("state_class").GetString());
            Assert.Equal("all", c.GetProperty("availability_mode").GetString());
            string[] availability = c.GetProperty("availability").EnumerateArray().Select(a => a.GetProperty("topic").GetString()!).ToArray();
            Assert.Equal(new[] { "mesh/1/30/availability", "mesh/1/gateway/900/status" }, availability);
            Assert.Equal("online", c.GetProperty("payload_available").GetString());
            Assert.Equal("offline", c.GetProperty("payload_not_available").GetString());
            JsonElement device = c.GetProperty("device");
            Assert.Equal(new[] { "mesh_1_30" }, device.GetProperty("identifiers").EnumerateArray().Select(x => x.GetString()).ToArray());
            Assert.Equal("Mesh node 30", device.GetProperty("name").GetString());
            Assert.Equal("Mesh", device.GetProperty("manufacturer").GetString());
            Assert.Equal("mesh_1_900_gateway", device.GetProperty("via_device").GetString());
            Assert.Equal(1, c.GetProperty("qos").GetInt32());

            JsonElement v = JsonDocument.Parse(got.Single(m => m.Topic == "homeassistant/sensor/mesh_1_30_battery_voltage/config").Payload).RootElement;
            Assert.Equal("voltage", v.GetProperty("device_class").GetString());
            Assert.Equal("V", v.GetProperty("unit_of_measurement").GetString());
            Assert.Equal("diagnostic", v.GetProperty("entity_category").GetString());

            // A late subscriber gets both configs from the broker's retained store (retain flag set). It may also see a
            // live copy (retain flag clear) if the gateway publishes one again just then — an at-least-once resend, or a
            // re-announce — so what is checked is that each config arrives retained, not that every message does (the
            // test failed once in a full run that way).
            string[] configs = { "homeassistant/sensor/mesh_1_30_temperature/config", "homeassistant/sensor/mesh_1_30_battery_voltage/config" };
            await using var late = await MqttProbe.ConnectAsync(gateway.BrokerPort, "homeassistant/sensor/+/config");
            await late.WaitForAsync(m => configs.All(topic => m.Any(x => x.Topic == topic && x.Retain)), what: "both configs retained");

            // The device every node names as via_device is announced too, with its own status entity. The gateway
            // announces it once, retained, when it connects to the broker, which can be while the first probe is
            // still subscribing; that probe missed it once in six full runs (2026-12-02; the cause is not pinned
            // down, a subscription racing the publish in the embedded broker being the likely one). The gateway
            // publishes it, and awaits the broker's acknowledgement, on connecting, before any node's config, so a
            // subscriber arriving now finds it retained.
            const string gatewayConfig = "homeassistant/binary_sensor/mesh_1_900_gateway_status/config";
            await using var lateGateway = await MqttProbe.ConnectAsync(gateway.BrokerPort, "homeassistant/binary_sensor/+/config");
            ReceivedMessage g = (await lateGateway.WaitForAsync(m => m.Any(x => x.Topic == gatewayConfig && x.Retain), what: "the gateway's device, retained"))
                .First(x => x.Topic == gatewayConfig && x.Retain);
            JsonElement gc = JsonDocument.Parse(g.Payload).RootElement;
            Assert.Equal("mesh_1_900_gateway", gc.GetProperty("device").GetProperty("identifiers")[0].GetString());
            Assert.Equal("mesh/1/gateway/900/status", gc.GetProperty("state_topic").GetString());
            Assert.Equal("connectivity", gc.GetProperty("device_class").GetString());
        }

        [Fact]
        public async Task Home_assistant_coming_online_gets_every_discovery_config_again()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "homeassistant/sensor/#");
            await using var sensor = new MeshSensor(31, gateway.UdpPort);
            sensor.Report((Quantity.Humidity, 50.0));
            await probe.WaitForAsync(m => m.Count >= 1, what: "first announcement");
            await probe.PublishAsync("homeassistant/status", "online");
            await probe.WaitForAsync(m => m.Count(x => !x.Retain) >= 2, what: "re-announcement");
        }

        [Fact]
        public async Task Forged_replayed_and_malformed_frames_are_counted_as_rejected_and_never_published()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/+/temperature");
            await using var honest = new MeshSensor(40, gateway.UdpPort);
            await using var forger = new MeshSensor(41, gateway.UdpPort, keyHex: "ffeeddccbbaa99887766554433221100");

            honest.Report((Quantity.Temperature, 20.0));
            await probe.WaitForAsync(m => m.Count == 1, what: "the honest reading");

            forger.Report((Quantity.Temperature, 99.0));                 // wrong key: bad MIC
            honest.SendRaw(honest.Sent[0]);                             // replay of an accepted frame
            honest.SendRaw(new byte[] { 0x20, 2, 3 });                  // too short (a v2 version byte, then nothing)
            byte[] wrongVersion = (byte[])honest.Sent[0].Clone();
            wrongVersion[0] ^= 0xF0;
            honest.SendRaw(wrongVersion);                               // not protocol v2
            byte[] tampered = (byte[])honest.Sent[0].Clone();
            tampered[^12] ^= 0x01;
            honest.SendRaw(tampered);                                   // an accepted frame altered: refused as a duplicate, or as a forgery while a relay of it is queued

            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            long Rejected(RejectReason r) => gateway.Mesh.RejectedCount(r);
            // A copy of a frame already handled is authenticated only when it could change something (cancel a
            // relay still queued): the tampered copy is a Duplicate once the gateway's relay of the reading has
            // gone, presumably a BadMic before: with a structured gateway it came out BadMic when the copies followed
            // the reading within a second, Duplicate a second later (not traced further). Refused either way.
            long Refused() => Rejected(RejectReason.BadMic) + Rejected(RejectReason.Duplicate) + Rejected(RejectReason.Replayed);
            while (DateTime.UtcNow < deadline && (Rejected(RejectReason.BadMic) < 1 || Rejected(RejectReason.Duplicate) + Rejected(RejectReason.Replayed) < 1 || Refused() < 3 ||
                   Rejected(RejectReason.TooShort) < 1 || Rejected(RejectReason.UnsupportedVersion) < 1))
            {
                await Task.Delay(50);
            }

            Assert.True(Rejected(RejectReason.BadMic) >= 1, "the forged frame fails the MIC");
            Assert.True(Rejected(RejectReason.Duplicate) + Rejected(RejectReason.Replayed) >= 1, "the replay is refused");
            Assert.True(Refused() >= 3, "the forgery, the replay and the altered copy are refused");
            Assert.Equal(1, Rejected(RejectReason.TooShort));
            Assert.Equal(1, Rejected(RejectReason.UnsupportedVersion));

            honest.Report((Quantity.Temperature, 21.0));
            var got = await probe.WaitForAsync(m => m.Count == 2, what: "the second honest reading");
            Assert.DoesNotContain(got, m => m.Topic == "mesh/1/41/temperature");
            Assert.Equal(2, got.Count(m => m.Topic == "mesh/1/40/temperature"));

            string metrics = await gateway.Http.GetStringAsync("/metrics");
            Assert.Contains("mesh_gateway_frames_rejected_total{reason=\"bad_mic\"} ", metrics);
            Assert.Matches("mesh_gateway_frames_rejected_total\\{reason=\"too_short\"\\} 1\\n", metrics);
        }

        /// <summary>
        /// A bundle (PROTOCOL.md, "Bundles") is handled frame by frame, and so is what the gateway reports: a forged frame
        /// riding behind an authentic one is counted as refused (bad MIC) and never published, and the authentic one is.
        /// </summary>
        [Fact]
        public async Task A_forged_frame_behind_an_authentic_one_in_a_bundle_is_counted_as_rejected_and_never_published()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/+/temperature");
            await using var honest = new MeshSensor(44, gateway.UdpPort);
            await using var forger = new MeshSensor(45, gateway.UdpPort, keyHex: "ffeeddccbbaa99887766554433221100");
            byte[]? authentic = null, forged = null;
            honest.With(_ => honest.DropWhen = f => { if (f[FrameLayout.OffsetType] == (byte)MessageType.Readings) { authentic ??= f; } return true; });
            forger.With(_ => forger.DropWhen = f => { if (f[FrameLayout.OffsetType] == (byte)MessageType.Readings) { forged ??= f; } return true; });
            honest.Report((Quantity.Temperature, 23.0));
            forger.Report((Quantity.Temperature, 99.0));
            byte[] bundle = authentic!.Concat(forged!).ToArray();
            Assert.True(FrameCodec.IsBundle(bundle, 0, bundle.Length));
            long badMicBefore = gateway.Mesh.RejectedCount(RejectReason.BadMic);

            honest.SendRaw(bundle);
            var got = await probe.WaitForAsync(m => m.Any(x => x.Topic == "mesh/1/44/temperature"), what: "the authentic reading of the bundle");
            DateTime deadline = DateTime.UtcNow.AddSeconds(10);
            while (DateTime.UtcNow < deadline && gateway.Mesh.RejectedCount(RejectReason.BadMic) == badMicBefore)
            {
                await Task.Delay(20);
            }

            Assert.Equal(badMicBefore + 1, gateway.Mesh.RejectedCount(RejectReason.BadMic));
            Assert.DoesNotContain(got, m => m.Topic == "mesh/1/45/temperature");
        }

        [Fact]
        public async Task An_oversize_datagram_is_counted_as_too_long_and_the_next_frames_are_taken()
        {
            // The gateway reads UDP with blocking receives on a thread of its own; a datagram larger than its
            // buffer must show as a too-long frame, not as a receive failure (which would pause reception).
            await using var gateway = await TestGateway.StartAsync();
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/+/temperature");
            await using var sensor = new MeshSensor(42, gateway.UdpPort);

            // Sent with a plain socket: the mesh transport refuses to send more than a frame's 250 bytes.
            var options = new global::Mesh.Protocol.Desktop.Transport.UdpMeshOptions { Port = gateway.UdpPort, TimeToLive = 0 };
            using (var raw = new System.Net.Sockets.Socket(System.Net.Sockets.AddressFamily.InterNetwork, System.Net.Sockets.SocketType.Dgram, System.Net.Sockets.ProtocolType.Udp))
            {
                raw.Bind(new System.Net.IPEndPoint(options.Interface, 0));
                raw.SetSocketOption(System.Net.Sockets.SocketOptionLevel.IP, System.Net.Sockets.SocketOptionName.MulticastInterface, options.Interface.GetAddressBytes());
                raw.SetSocketOption(System.Net.Sockets.SocketOptionLevel.IP, System.Net.Sockets.SocketOptionName.MulticastTimeToLive, 0);
                raw.SendTo(Enumerable.Repeat((byte)0x20, 400).ToArray(), new System.Net.IPEndPoint(options.Group, options.Port));
            }

            await Poll.UntilAsync(() => gateway.Mesh.RejectedCount(RejectReason.TooLong) >= 1, "the 400-byte datagram refused as too long", 20);
            Assert.Equal(1, gateway.Mesh.RejectedCount(RejectReason.TooLong));
            sensor.Report((Quantity.Temperature, 22.0));
            await probe.WaitForAsync(m => m.Any(x => x.Topic == "mesh/1/42/temperature"), what: "the reading after the oversize datagram");
        }
    }
}
