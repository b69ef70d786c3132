using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Provisioning;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Xunit;

namespace Mesh.Gateway.Tests.KeyRefresh
{
    /// <summary>
    /// Replacing one node's device key from the gateway (command 8; PROTOCOL.md "Key refresh and
    /// eviction"), end to end over loopback UDP: whoever copied the old key (a settings file left on a
    /// laptop) can forge that node's readings until the rotation, and nothing after it.
    /// </summary>
    public sealed class DeviceKeyRotationTests
    {
        private const uint A = 21, Offline = 22;

        private static Dictionary<uint, DeviceKey> Provision(string directory, params uint[] nodes) => KeyRefreshTests.Provision(directory, nodes);

        private static Task<TestGateway> StartAsync(string directory, int udp) => KeyRefreshTests.StartAsync(directory, udp);

        private static NetworkKey NetKey() => new(Convert.FromHexString(TestGateway.KeyHex), DesktopCrypto.Instance);

        private static async Task<JsonElement> RotateAsync(TestGateway gateway, uint node, string body, HttpStatusCode expected)
        {
            HttpResponseMessage response = await gateway.Http.PostAsync($"/api/nodes/{node}/device-key", TestGateway.Json(body));
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(expected == response.StatusCode, $"{(int)response.StatusCode}: {text}\n" + string.Join("\n", gateway.Logs.Lines));
            return JsonDocument.Parse(text).RootElement.Clone();
        }

        [Fact]
        public async Task After_a_rotation_a_copy_of_the_old_device_key_can_no_longer_forge_the_nodes_readings()
        {
            string dir = TempDirectory.Create("devkey");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A);
            await using TestGateway gateway = await StartAsync(dir, udp);
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/+/temperature");

            // The attack: someone holding the network key and a copy of node 21's device key forges its readings.
            await using (var forger = new MeshSensor(A, udp, NetKey(), keys[A], initialSequence: 50_000))
            {
                forger.Report((Quantity.Temperature, 66.5));
                await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{A}/temperature" && x.Payload.Contains("66.5")), what: "a forged reading under the leaked key (before the rotation)");
            }

            // (The board's own sequence is ahead of the forger's: a forger can also push a node's replay
            // window forward — a consequence of the leak that the rotation ends too.)
            await using var a = new MeshSensor(A, udp, NetKey(), keys[A], initialSequence: 55_000);
            a.Report((Quantity.Temperature, 20.5));
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{A}/temperature" && x.Payload.Contains("20.5")), what: "the board's own reading");

            JsonElement done = await RotateAsync(gateway, A, "{\"deadline_seconds\": 30}", HttpStatusCode.OK);
            Assert.Equal("done", done.GetProperty("state").GetString());
            Assert.Equal(1, done.GetProperty("keyIndex").GetInt32());
            Assert.Equal(new[] { 1 }, a.With(_ => a.DeviceKeyChanges.ToList()));
            using (var registry = new NodeRegistry(Path.Combine(dir, "mesh-nodes.db")))
            {
                Assert.Equal(1, registry.Find(A)!.KeyIndex);
            }

            Assert.Contains(gateway.Logs.Lines, l => l.Contains("device key rotation") && l.Contains("now uses key index 1"));

            // The node itself carries on under its new key, and still takes commands.
            a.Report((Quantity.Temperature, 21.5));
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{A}/temperature" && x.Payload.Contains("21.5")), what: "the node's reading under its new key");
            Assert.Equal(HttpStatusCode.OK, (await gateway.Http.PostAsync($"/api/nodes/{A}/commands/ping", TestGateway.Json("{}"))).StatusCode);

            // The old key is worth nothing now.
            long before = gateway.Mesh.RejectedCount(RejectReason.UnknownDevice);
            await using (var forger = new MeshSensor(A, udp, NetKey(), keys[A], initialSequence: 55_500))
            {
                forger.Report((Quantity.Temperature, 77.5));
                DateTime until = DateTime.UtcNow.AddSeconds(10);
                while (gateway.Mesh.RejectedCount(RejectReason.UnknownDevice) == before && DateTime.UtcNow < until)
                {
                    await Task.Delay(50);
                }
            }

            Assert.True(gateway.Mesh.RejectedCount(RejectReason.UnknownDevice) > before, "the frame sealed with the retired key was not refused as UnknownDevice");
            await Task.Delay(300);
            Assert.DoesNotContain(probe.Messages, x => x.Payload.Contains("77.5"));
        }

        [Fact]
        public async Task A_lost_acknowledgement_is_recovered_by_asking_again_under_the_new_key()
        {
            string dir = TempDirectory.Create("devkey-lost");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A);
            await using TestGateway gateway = await StartAsync(dir, udp);
            await using var a = new MeshSensor(A, udp, NetKey(), keys[A]);
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/+/temperature");
            a.Report((Quantity.Temperature, 20.5));
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{A}/temperature"), what: "a reading before the rotation");

            // The node's first ack is lost: the first attempt, sealed with the old key, switches the node but
            // the gateway never hears so, and the node can no longer open anything sealed with the old key.
            bool dropped = false;
            a.With(_ => a.DropWhen = frame =>
            {
                if (dropped || frame[FrameLayout.OffsetType] != (byte)MessageType.Ack)
                {
                    return false;
                }

                dropped = true;
                return true;
            });

            JsonElement done = await RotateAsync(gateway, A, "{\"deadline_seconds\": 60}", HttpStatusCode.OK);
            Assert.Equal("done", done.GetProperty("state").GetString());
            Assert.True(done.GetProperty("attempts").GetInt32() >= 2, done.ToString());
            Assert.Equal(1, done.GetProperty("keyIndex").GetInt32());

            a.Report((Quantity.Temperature, 23.5));
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{A}/temperature" && x.Payload.Contains("23.5")), what: "the node's reading under its new key");
        }

        [Fact]
        public async Task The_keys_command_rotates_a_device_key_through_the_running_gateway()
        {
            string dir = TempDirectory.Create("devkey-cli");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A);
            await using TestGateway gateway = await StartAsync(dir, udp);
            await using var a = new MeshSensor(A, udp, NetKey(), keys[A]);
            string[] config = { "--Mesh:Key=" + TestGateway.KeyHex, "--State:Directory=" + dir, "--Http:Urls=" + gateway.Options.Http.Urls };
            var stdout = new StringWriter();
            var stderr = new StringWriter();

            Assert.Equal(2, KeysCommand.RotateDevice(config, A, "a while", url: null, stdout, stderr));
            Assert.Contains("--deadline", stderr.ToString());

            int rc = await Task.Run(() => KeysCommand.RotateDevice(config, A, "30s", url: null, stdout, stderr));
            Assert.True(rc == 0, stdout + "\n" + stderr);
            Assert.Contains($"node {A} uses device key 1; the old key is forgotten", stdout.ToString());
            Assert.Equal(new[] { 1 }, a.With(_ => a.DeviceKeyChanges.ToList()));
        }

        [Fact]
        public async Task Over_MQTT_a_device_key_rotation_and_a_network_key_refresh_run_and_report_on_their_result_topics()
        {
            string dir = TempDirectory.Create("devkey-mqtt");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A);
            await using TestGateway gateway = await StartAsync(dir, udp);
            await using var a = new MeshSensor(A, udp, NetKey(), keys[A]);
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/+/cmd/+/result");
            uint gw = gateway.Mesh.NodeId;

            // A retained key command is never executed (it would run again after every restart).
            await probe.PublishAsync($"mesh/1/{A}/cmd/device-key", "{}", retain: true);
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{A}/cmd/device-key/result" && x.Payload.Contains("retained")), what: "the retained command refused");
            await probe.PublishAsync($"mesh/1/{A}/cmd/device-key", "", retain: true); // clear it

            await probe.PublishAsync($"mesh/1/{A}/cmd/device-key", "{\"deadline_seconds\": 30}");
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{A}/cmd/device-key/result" && x.Payload.Contains("\"state\":\"done\"")), TimeSpan.FromSeconds(40), "the rotation's result");
            Assert.Equal(new[] { 1 }, a.With(_ => a.DeviceKeyChanges.ToList()));

            await probe.PublishAsync($"mesh/1/{gw}/cmd/keys-refresh", "{\"deadline_seconds\": 1}");
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{gw}/cmd/keys-refresh/result" && x.Payload.Contains("deadline_seconds")), what: "a bad body named");
            await probe.PublishAsync($"mesh/1/{gw}/cmd/keys-refresh", "{\"deadline_seconds\": 20}");
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{gw}/cmd/keys-refresh/result" && x.Payload.Contains("\"state\":\"started\"")), what: "the refresh started");
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{gw}/cmd/keys-refresh/result" && x.Payload.Contains("\"state\":\"done\"")), TimeSpan.FromSeconds(90), "the refresh done");
            Assert.Equal(1, a.With(n => n.NetworkKeys.Current.Index));
        }

        [Fact]
        public async Task A_node_that_never_answers_keeps_both_keys_accepted_and_bad_requests_are_named()
        {
            string dir = TempDirectory.Create("devkey-offline");
            int udp = Ports.UniqueUdp();
            Provision(dir, Offline);
            await using TestGateway gateway = await StartAsync(dir, udp);

            JsonElement timedOut = await RotateAsync(gateway, Offline, "{\"deadline_seconds\": 5}", HttpStatusCode.GatewayTimeout);
            Assert.Equal("not_acknowledged", timedOut.GetProperty("state").GetString());
            Assert.Contains("ask again to resume", timedOut.GetProperty("message").GetString());
            using (var registry = new NodeRegistry(Path.Combine(dir, "mesh-nodes.db")))
            {
                Assert.Equal(0, registry.Find(Offline)!.KeyIndex); // not switched
                (byte[] pending, int index) = registry.BeginDeviceKeyRotation(Offline); // resumes the same new key
                Assert.Equal(1, index);
                Assert.Equal(pending, registry.BeginDeviceKeyRotation(Offline).Key);
            }

            Assert.Equal(HttpStatusCode.Conflict, (await gateway.Http.PostAsync("/api/nodes/999/device-key", TestGateway.Json(""))).StatusCode);
            HttpResponseMessage bad = await gateway.Http.PostAsync($"/api/nodes/{Offline}/device-key", TestGateway.Json("{\"deadline_seconds\": 1}"));
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("deadline_seconds", await bad.Content.ReadAsStringAsync());
            HttpResponseMessage unknown = await gateway.Http.PostAsync($"/api/nodes/{Offline}/device-key", TestGateway.Json("{\"deadline\": 10}"));
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
            Assert.Contains("unknown field 'deadline'", JsonDocument.Parse(await unknown.Content.ReadAsStringAsync()).RootElement.GetProperty("error").GetString());
        }
    }
}
