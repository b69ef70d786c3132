using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Provisioning;
using Mesh.Gateway.Tests.Infrastructure;
using Xunit;

namespace Mesh.Gateway.Tests.KeyRefresh
{
    /// <summary>
    /// The key refresh with real mesh-node processes provisioned by `mesh-gateway provision`: the node
    /// application stores the new key on its own, so a node restarted after the refresh comes back on it.
    /// </summary>
    public sealed class KeyRefreshProcessTests
    {
        [Fact]
        public async Task Mesh_node_processes_switch_to_the_new_key_store_it_and_come_back_on_it_after_a_restart()
        {
            string dir = TempDirectory.Create("keyref-proc");
            int udp = Ports.UniqueUdp();
            uint[] ids = { 201, 202 };
            foreach (uint id in ids)
            {
                var stdout = new StringWriter();
                Assert.Equal(0, ProvisionCommand.Run(new[] { "--Mesh:Key=" + TestGateway.KeyHex, "--State:Directory=" + dir }, id, Path.Combine(dir, id + ".conf"),
                    readmit: false, list: false, evict: null, stdout, stdout));
            }

            await using TestGateway gateway = await TestGateway.StartAsync(s => s["Mesh:DeriveDeviceKeys"] = "false", dir, udp);
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/+/temperature");
            MeshNodeProcess first = new(udp, "--config", Path.Combine(dir, "201.conf"));
            using MeshNodeProcess second = new(udp, "--config", Path.Combine(dir, "202.conf"));
            try
            {
                await probe.WaitForAsync(m => ids.All(id => m.Any(x => x.Topic == $"mesh/1/{id}/temperature")), TimeSpan.FromSeconds(60), "readings from both nodes before the refresh");

                HttpResponseMessage started = await gateway.Http.PostAsync("/api/keys/refresh", TestGateway.Json("{\"deadline_seconds\": 30}"));
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                JsonElement status = default;
                DateTime deadline = DateTime.UtcNow.AddSeconds(90);
                while (DateTime.UtcNow < deadline)
                {
                    status = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/keys/refresh")).RootElement.Clone();
                    if (status.GetProperty("state").GetString() == "done")
                    {
                        break;
                    }

                    await Task.Delay(200);
                }

                Assert.True(status.GetProperty("state").GetString() == "done", status + "\n" + first.Output + second.Output);
                Assert.Empty(status.GetProperty("notAnswered").EnumerateArray());
                Assert.Contains("network key 1 now current", first.Output);
                Assert.Contains("key_index = 1", File.ReadAllText(Path.Combine(dir, "201.conf")));

                // Readings keep coming under the new key (the gateway no longer holds the old one).
                int before = probe.Messages.Count;
                await probe.WaitForAsync(m => ids.All(id => m.Skip(before).Any(x => x.Topic == $"mesh/1/{id}/temperature")), TimeSpan.FromSeconds(30), "readings from both nodes after the refresh");

                // A node restarted from its settings file comes back on the key it stored.
                first.Dispose();
                first = new MeshNodeProcess(udp, "--config", Path.Combine(dir, "201.conf"));
                before = probe.Messages.Count;
                await probe.WaitForAsync(m => m.Skip(before).Any(x => x.Topic == "mesh/1/201/temperature"), TimeSpan.FromSeconds(60), "node 201's readings after its restart");
                Assert.Equal(HttpStatusCode.OK, (await gateway.Http.PostAsync("/api/nodes/201/commands/ping", TestGateway.Json("{}"))).StatusCode);
            }
            finally
            {
                first.Dispose();
            }
        }
    }
}
