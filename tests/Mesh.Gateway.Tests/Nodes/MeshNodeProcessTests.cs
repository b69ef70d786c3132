using System;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;

namespace Mesh.Gateway.Tests.Nodes
{
    /// <summary>Several real mesh-node processes and the real gateway on one machine, over loopback multicast (TTL 0).</summary>
    public class MeshNodeProcessTests
    {
        /// <summary>A node by id with the test network key and its derived device key, keeping its settings in <paramref name="configPath"/>.</summary>
        private static MeshNodeProcess Start(uint id, int udpPort, string configPath) => new(udpPort,
            "--id", id.ToString(), "--key", TestGateway.KeyHex,
            "--device-key", Convert.ToHexString(new DerivedDeviceKeys(Convert.FromHexString(TestGateway.KeyHex), DesktopCrypto.Instance).SecretOf(id)),
            "--config", configPath,
            // Managed flooding on purpose: this test pins that mesh-node processes relay for each other. Under structured
            // routing, mesh-node's default, readings on one shared segment go straight to the gateway and a flooded one
            // is not relayed by nodes no nearer it (StructuredMeshProcessTests covers that policy).
            "--policy", "managed");

        [Fact]
        public async Task Three_mesh_node_processes_and_the_gateway_form_a_mesh_readings_reach_mqtt_relayed_and_a_command_is_acknowledged()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var mqtt = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/+/temperature");
            string dir = TempDirectory.Create("mesh-nodes");
            var nodes = new List<MeshNodeProcess>();
            try
            {
                foreach (uint id in new uint[] { 101, 102, 103 })
                {
                    nodes.Add(Start(id, gateway.UdpPort, Path.Combine(dir, id + ".conf")));
                }

                DateTime deadline = DateTime.UtcNow.AddSeconds(60);
                JsonElement list = default;
                while (DateTime.UtcNow < deadline)
                {
                    list = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/nodes")).RootElement;
                    if (new uint[] { 101, 102, 103 }.All(id => list.EnumerateArray().Any(n =>
                        n.GetProperty("node").GetUInt32() == id && n.GetProperty("latest").TryGetProperty("temperature", out _))))
                    {
                        break;
                    }

                    await Task.Delay(200);
                }

                Assert.True(new uint[] { 101, 102, 103 }.All(id => list.EnumerateArray().Any(n => n.GetProperty("node").GetUInt32() == id)),
                    "not every mesh-node reached the gateway: " + list + "\n" + string.Join("\n---\n", nodes.Select(n => n.Output)));

                // Every reading reaches a live MQTT subscriber ...
                await mqtt.WaitForAsync(m => new[] { 101, 102, 103 }.All(id => m.Any(x => x.Topic == "mesh/1/" + id + "/temperature")), what: "a temperature from each mesh-node");

                // ... and the nodes relay for each other: on one shared segment every node hears every frame, so the
                // gateway receives each reading again as the other nodes rebroadcast it, and drops those copies.
                // A relay leaves a node after a random delay, so a reading can reach MQTT before its first copy
                // reaches the gateway: wait for one (a single look right after MQTT failed under load).
                string duplicates = "";
                DateTime relayDeadline = DateTime.UtcNow.AddSeconds(30);
                while (true)
                {
                    string metrics = await gateway.Http.GetStringAsync("/metrics");
                    duplicates = metrics.Split('\n').Single(l => l.StartsWith("mesh_gateway_frames_rejected_total{reason=\"duplicate\"}", StringComparison.Ordinal));
                    if (long.Parse(duplicates.Split(' ')[1]) > 0 || DateTime.UtcNow > relayDeadline)
                    {
                        break;
                    }

                    await Task.Delay(200);
                }

                Assert.True(long.Parse(duplicates.Split(' ')[1]) > 0, "no relayed copy reached the gateway: " + duplicates);

                using HttpResponseMessage r = await gateway.Http.PostAsync("/api/nodes/102/commands/identify", TestGateway.Json("{\"seconds\":2}"));
                string body = await r.Content.ReadAsStringAsync();
                Assert.True(r.StatusCode == HttpStatusCode.OK, body + "\n" + nodes[1].Output);
                Assert.Equal("acknowledged", JsonDocument.Parse(body).RootElement.GetProperty("state").GetString());

                using HttpResponseMessage s = await gateway.Http.PostAsync("/api/nodes/103/commands/set_report_interval", TestGateway.Json("{\"seconds\":42}"));
                Assert.Equal(HttpStatusCode.OK, s.StatusCode);
                DateTime saved = DateTime.UtcNow.AddSeconds(10);
                while (!File.ReadAllText(Path.Combine(dir, "103.conf")).Contains("report_interval = 42") && DateTime.UtcNow < saved)
                {
                    await Task.Delay(100);
                }

                Assert.Contains("report_interval = 42", File.ReadAllText(Path.Combine(dir, "103.conf"))); // kept for the next start
                Assert.Contains("identify for 2 s", nodes[1].Output);
            }
            finally
            {
                foreach (MeshNodeProcess n in nodes)
                {
                    n.Dispose();
                }
            }
        }
    }
}
