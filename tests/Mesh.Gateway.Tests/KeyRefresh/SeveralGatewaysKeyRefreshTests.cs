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
    /// Two gateways on one mesh (one loopback UDP port, each with its own embedded broker, so what each
    /// publishes is seen apart): B is provisioned from A, A refreshes the network key and evicts a board,
    /// and B is carried along — it keeps opening and publishing readings under the new key, across its restart.
    /// </summary>
    public sealed class SeveralGatewaysKeyRefreshTests
    {
        private const uint GatewayA = 900, GatewayB = 901, Sensor = 21, Stolen = 23;

        private static Task<TestGateway> StartAsync(string directory, int udp, uint nodeId) =>
            TestGateway.StartAsync(s =>
            {
                s["Mesh:DeriveDeviceKeys"] = "false"; // a registry, as in production
                s["Mesh:NodeId"] = nodeId.ToString(System.Globalization.CultureInfo.InvariantCulture);
                s["Logging:LogLevel:Mesh.Gateway.KeyRefresh"] = "Information";
            }, directory, udp);

        private static NetworkKey FirstKey() => new(Convert.FromHexString(TestGateway.KeyHex), DesktopCrypto.Instance);

        /// <summary>`mesh-gateway provision --gateway --node 901 --out <B's registry>` on A's state folder; returns what it printed.</summary>
        internal static string ProvisionGateway(string dirA, string dirB, uint gatewayA = GatewayA, uint gatewayB = GatewayB)
        {
            var said = new StringWriter();
            int rc = ProvisionCommand.Run(new[] { "--Mesh:Key=" + TestGateway.KeyHex, "--State:Directory=" + dirA, "--Mesh:NodeId=" + gatewayA },
                gatewayB, Path.Combine(dirB, "mesh-nodes.db"), readmit: false, list: false, evict: null, said, said, gateway: true);
            Assert.True(rc == 0, said.ToString());
            return said.ToString();
        }

        private static (int Index, byte[] Key)? NetworkKeyIn(string dir)
        {
            using var store = new KeyRefreshStore(Path.Combine(dir, "mesh-nodes.db"));
            return store.CurrentKey();
        }

        private static async Task<JsonElement> WaitForDoneAsync(TestGateway gateway, int seconds = 90)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
            while (true)
            {
                JsonElement status = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/keys/refresh")).RootElement.Clone();
                if (status.GetProperty("state").GetString() == "done")
                {
                    return status;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"key refresh not done; status {status}\n" + string.Join("\n", gateway.Logs.Lines));
                }

                await Task.Delay(100);
            }
        }

        private static string Cut(TestGateway b) =>
            $"gateway B sends under network key index {b.Mesh.NetworkKeyIndex} (phase {b.Mesh.NetworkKeyPhase}) and refused {b.Mesh.RejectedCount(RejectReason.UnknownKey)} frame(s) as UnknownKey";

        [Fact]
        public async Task A_gateway_provisioned_from_another_follows_its_key_refresh_and_keeps_publishing_across_a_restart()
        {
            string dirA = TempDirectory.Create("mgw-a");
            string dirB = TempDirectory.Create("mgw-b");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = KeyRefreshTests.Provision(dirA, Sensor, Stolen);
            string said = ProvisionGateway(dirA, dirB);
            Assert.Contains("gateway 901 provisioned", said);

            await using TestGateway a = await StartAsync(dirA, udp, GatewayA);
            TestGateway b = await StartAsync(dirB, udp, GatewayB);
            try
            {
                await using var sensor = new MeshSensor(Sensor, udp, FirstKey(), keys[Sensor]);
                await using var stolen = new MeshSensor(Stolen, udp, FirstKey(), keys[Stolen]);
                await using (var probe = await MqttProbe.ConnectAsync(b.BrokerPort, $"mesh/1/{Sensor}/temperature"))
                {
                    // B opens the sensor's readings with the device key it got from A.
                    sensor.Report((Quantity.Temperature, 20.5));
                    await probe.WaitForAsync(m => m.Any(x => x.Payload.Contains("20.5")), what: "B publishing the sensor's reading before the refresh");

                    HttpResponseMessage started = await a.Http.PostAsync("/api/keys/refresh", TestGateway.Json($"{{\"evict\": [{Stolen}], \"deadline_seconds\": 30}}"));
                    Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                    JsonElement done = await WaitForDoneAsync(a);
                    Assert.Equal(1, a.Mesh.NetworkKeyIndex);
                    // B is one of the nodes A commanded (sealed with B's device key), A itself is not.
                    Assert.Equal(new[] { (Sensor, 3), (GatewayB, 3) }, done.GetProperty("nodes").EnumerateArray()
                        .Select(n => (n.GetProperty("node").GetUInt32(), n.GetProperty("ackedPhase").GetInt32())).ToArray());
                    Assert.Empty(done.GetProperty("notAnswered").EnumerateArray());
                    Assert.Equal(1, sensor.With(n => n.NetworkKeys.Current.Index));

                    // The sensor now sends under the new key only; B must hear it.
                    sensor.Report((Quantity.Temperature, 21.5));
                    try
                    {
                        await probe.WaitForAsync(m => m.Any(x => x.Payload.Contains("21.5")), TimeSpan.FromSeconds(15), "B publishing the sensor's reading under the new key");
                    }
                    catch (TimeoutException ex)
                    {
                        throw new TimeoutException(ex.Message + "; " + Cut(b) + "; refresh " + done, ex);
                    }

                    Assert.Equal((1, 0), (b.Mesh.NetworkKeyIndex, b.Mesh.NetworkKeyPhase));
                    foreach (string phase in new[] { "(phase 1)", "(phase 2)", "(phase 3" })
                    {
                        Assert.Contains(b.Logs.Lines, l => l.Contains("key refresh driven by another gateway") && l.Contains(phase));
                    }
                }

                // B stored the new key in its own registry, as A did: B runs on it alone from now on.
                (int Index, byte[] Key)? keyA = NetworkKeyIn(dirA);
                (int Index, byte[] Key)? keyB = NetworkKeyIn(dirB);
                Assert.Equal(1, keyB?.Index);
                Assert.Equal(keyA!.Value.Key, keyB!.Value.Key);
                Assert.NotEqual(Convert.FromHexString(TestGateway.KeyHex), keyB.Value.Key);
                Assert.DoesNotContain(b.Logs.Lines, l => l.Contains(KeyHex.Format(keyB.Value.Key), StringComparison.OrdinalIgnoreCase));

                // Restarted on the same state folder, B comes back on the new key and still publishes.
                await b.DisposeAsync();
                b = await StartAsync(dirB, udp, GatewayB);
                Assert.Equal((1, 0), (b.Mesh.NetworkKeyIndex, b.Mesh.NetworkKeyPhase));
                await using (var probe = await MqttProbe.ConnectAsync(b.BrokerPort, $"mesh/1/{Sensor}/temperature"))
                {
                    sensor.Report((Quantity.Temperature, 22.5));
                    await probe.WaitForAsync(m => m.Any(x => x.Payload.Contains("22.5")), what: "B publishing the sensor's reading after B's restart; " + Cut(b));
                }

                // The evicted board is cut off at B as well.
                long refused = b.Mesh.RejectedCount(RejectReason.UnknownKey);
                stolen.Report((Quantity.Temperature, 99.0));
                await Poll.UntilAsync(() => b.Mesh.RejectedCount(RejectReason.UnknownKey) > refused, "the evicted board's frame refused at B", 10);
            }
            finally
            {
                await b.DisposeAsync();
            }
        }

        [Fact]
        public async Task A_gateway_restarted_in_the_middle_of_a_refresh_another_drives_comes_back_holding_the_new_key()
        {
            const uint Offline = 24; // provisioned, never on: phase 1 waits for it until the deadline
            string dirA = TempDirectory.Create("mgw-mid-a");
            string dirB = TempDirectory.Create("mgw-mid-b");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = KeyRefreshTests.Provision(dirA, Sensor, Offline);
            ProvisionGateway(dirA, dirB);

            await using TestGateway a = await StartAsync(dirA, udp, GatewayA);
            TestGateway b = await StartAsync(dirB, udp, GatewayB);
            try
            {
                await using var sensor = new MeshSensor(Sensor, udp, FirstKey(), keys[Sensor]);
                HttpResponseMessage started = await a.Http.PostAsync("/api/keys/refresh", TestGateway.Json("{\"deadline_seconds\": 8}"));
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                DateTime until = DateTime.UtcNow.AddSeconds(30);
                while (b.Mesh.NetworkKeyPhase != 1 && DateTime.UtcNow < until)
                {
                    await Task.Delay(50);
                }

                Assert.True(b.Mesh.NetworkKeyPhase == 1, "B accepted the new key in phase 1; " + Cut(b));

                // Stopped while A still waits for the offline node in phase 1, and started again at once.
                await b.DisposeAsync();
                b = await StartAsync(dirB, udp, GatewayB);
                Assert.Equal((0, 1), (b.Mesh.NetworkKeyIndex, b.Mesh.NetworkKeyPhase)); // the new key accepted beside the old, from the registry
                Assert.Contains(b.Logs.Lines, l => l.Contains("key refresh driven by another gateway in progress (phase 1)"));
                using (var counters = new CommandCounterStore(Path.Combine(dirB, "mesh-nodes.db")))
                {
                    Assert.Contains(GatewayA, counters.Load().Where((_, i) => i % 2 == 0)); // what A's commands executed here, for after the restart
                }

                // B follows; it does not drive a refresh of its own meanwhile (its key would replace A's in its ring).
                HttpResponseMessage own = await b.Http.PostAsync("/api/keys/refresh", TestGateway.Json("{\"deadline_seconds\": 8}"));
                Assert.Equal(HttpStatusCode.Conflict, own.StatusCode);
                Assert.Contains("follows a key refresh another gateway drives", await own.Content.ReadAsStringAsync());

                JsonElement done = await WaitForDoneAsync(a);
                Assert.Equal(new[] { Offline }, done.GetProperty("notAnswered").EnumerateArray().Select(e => e.GetUInt32()).ToArray());
                Assert.Equal(3, done.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("node").GetUInt32() == GatewayB).GetProperty("ackedPhase").GetInt32());
                Assert.Equal((1, 0), (b.Mesh.NetworkKeyIndex, b.Mesh.NetworkKeyPhase));
                Assert.Equal(1, NetworkKeyIn(dirB)?.Index);

                await using var probe = await MqttProbe.ConnectAsync(b.BrokerPort, $"mesh/1/{Sensor}/temperature");
                sensor.Report((Quantity.Temperature, 23.5));
                await probe.WaitForAsync(m => m.Any(x => x.Payload.Contains("23.5")), what: "B publishing the sensor's reading under the new key; " + Cut(b));
            }
            finally
            {
                await b.DisposeAsync();
            }
        }

        /// <summary>A node's device key as a registry file stores it (hex), to compare two gateways' registries.</summary>
        private static string StoredDeviceKey(string dir, uint node)
        {
            using var db = new Microsoft.Data.Sqlite.SqliteConnection("Data Source=" + Path.Combine(dir, "mesh-nodes.db") + ";Pooling=False");
            db.Open();
            using Microsoft.Data.Sqlite.SqliteCommand cmd = db.CreateCommand();
            cmd.CommandText = "SELECT device_key || ':' || key_index FROM nodes WHERE node_id = $id";
            cmd.Parameters.AddWithValue("$id", (long)node);
            return (string)cmd.ExecuteScalar()!;
        }

        private static async Task RotateAsync(TestGateway gateway, uint node)
        {
            HttpResponseMessage response = await gateway.Http.PostAsync($"/api/nodes/{node}/device-key", TestGateway.Json("{\"deadline_seconds\": 30}"));
            string text = await response.Content.ReadAsStringAsync();
            Assert.True(response.StatusCode == HttpStatusCode.OK, $"{(int)response.StatusCode}: {text}\n" + string.Join("\n", gateway.Logs.Lines));
        }

        [Fact]
        public async Task A_gateway_stores_its_own_device_key_rotated_by_another_and_gets_a_nodes_rotated_key_by_a_fresh_export()
        {
            string dirA = TempDirectory.Create("mgw-dk-a");
            string dirB = TempDirectory.Create("mgw-dk-b");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = KeyRefreshTests.Provision(dirA, Sensor);
            ProvisionGateway(dirA, dirB);

            await using TestGateway a = await StartAsync(dirA, udp, GatewayA);
            TestGateway b = await StartAsync(dirB, udp, GatewayB);
            try
            {
                await using var sensor = new MeshSensor(Sensor, udp, FirstKey(), keys[Sensor]);

                // A replaces B's device key (command 8, as for any node): B's registry keeps what B's core switched to.
                await RotateAsync(a, GatewayB);
                Assert.EndsWith(":1", StoredDeviceKey(dirB, GatewayB));
                Assert.Equal(StoredDeviceKey(dirA, GatewayB), StoredDeviceKey(dirB, GatewayB));
                Assert.Contains(b.Logs.Lines, l => l.Contains("this gateway's device key was replaced by command (index 1)"));
                await b.DisposeAsync();
                b = await StartAsync(dirB, udp, GatewayB);
                Assert.Equal(HttpStatusCode.OK, (await a.Http.PostAsync($"/api/nodes/{GatewayB}/commands/ping", TestGateway.Json("{}"))).StatusCode);

                // A replaces the sensor's device key: B still holds the old one and cannot open its readings ...
                await RotateAsync(a, Sensor);
                long before = b.Mesh.RejectedCount(RejectReason.UnknownDevice);
                sensor.Report((Quantity.Temperature, 30.5));
                await Poll.UntilAsync(() => b.Mesh.RejectedCount(RejectReason.UnknownDevice) > before, "B refused the reading sealed with the sensor's new key", 10);

                // ... until B is given a fresh export (its own key unchanged) and restarted with it.
                await b.DisposeAsync();
                string fresh = Path.Combine(dirB, "fresh.db");
                var said = new StringWriter();
                Assert.Equal(0, ProvisionCommand.Run(new[] { "--Mesh:Key=" + TestGateway.KeyHex, "--State:Directory=" + dirA, "--Mesh:NodeId=" + GatewayA },
                    GatewayB, fresh, readmit: false, list: false, evict: null, said, said, gateway: true));
                Assert.Contains("unchanged", said.ToString());
                File.Move(fresh, Path.Combine(dirB, "mesh-nodes.db"), overwrite: true);
                b = await StartAsync(dirB, udp, GatewayB);
                await using var probe = await MqttProbe.ConnectAsync(b.BrokerPort, $"mesh/1/{Sensor}/temperature");
                sensor.Report((Quantity.Temperature, 31.5));
                await probe.WaitForAsync(m => m.Any(x => x.Payload.Contains("31.5")), what: "B publishing the sensor's reading under its new device key after the fresh export");
                Assert.Equal(HttpStatusCode.OK, (await a.Http.PostAsync($"/api/nodes/{GatewayB}/commands/ping", TestGateway.Json("{}"))).StatusCode);
            }
            finally
            {
                await b.DisposeAsync();
            }
        }
    }
}
