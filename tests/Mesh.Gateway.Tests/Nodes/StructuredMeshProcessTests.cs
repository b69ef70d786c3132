using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;

namespace Mesh.Gateway.Tests.Nodes
{
    /// <summary>
    /// Structured routing (issue 13, PROTOCOL.md "Structured routing") run by the shipped programs, not the simulator:
    /// the real gateway as the gradient's root (Mesh:Policy = structured) and real mesh-node processes — the node
    /// application the boards run — over loopback multicast (TTL 0).
    /// </summary>
    public class StructuredMeshProcessTests
    {
        private const uint GatewayId = 900; // TestGateway.Defaults

        private static MeshNodeProcess Start(uint id, int udpPort, string configPath, params string[] more) => new(udpPort, new[]
        {
            "--id", id.ToString(), "--key", TestGateway.KeyHex,
            "--device-key", Convert.ToHexString(new DerivedDeviceKeys(Convert.FromHexString(TestGateway.KeyHex), DesktopCrypto.Instance).SecretOf(id)),
            "--config", configPath, "--policy", "structured", "--set", "heartbeat_interval=10",
        }.Concat(more).ToArray());

        private static bool TryRoute(JsonElement node, out JsonElement route)
        {
            foreach (JsonProperty p in node.EnumerateObject())
            {
                if (string.Equals(p.Name, "route", StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.Object)
                {
                    route = p.Value;
                    return true;
                }
            }

            route = default;
            return false;
        }

        private static long? Field(JsonElement o, string name)
        {
            foreach (JsonProperty p in o.EnumerateObject())
            {
                if (string.Equals(p.Name, name, StringComparison.OrdinalIgnoreCase) && p.Value.ValueKind == JsonValueKind.Number)
                {
                    return (long)p.Value.GetDouble();
                }
            }

            return null;
        }

        [Fact]
        public async Task Mesh_node_processes_take_the_structured_gateway_as_parent_and_their_readings_reach_mqtt_up_the_gradient()
        {
            await using var gateway = await TestGateway.StartAsync(c => c["Mesh:Policy"] = "structured");
            await using var mqtt = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/+/temperature");
            string dir = TempDirectory.Create("mesh-structured");
            uint[] ids = { 111, 112, 113 };
            var nodes = new List<MeshNodeProcess>();
            try
            {
                foreach (uint id in ids)
                {
                    nodes.Add(Start(id, gateway.UdpPort, Path.Combine(dir, id + ".conf")));
                }

                // Each node's heartbeat (every 10 s here, the shortest the settings allow) carries its place in the
                // gradient (block 2): on one shared segment every node hears the gateway's beacons, so the gateway is
                // every node's parent, one hop away.
                JsonElement list = default;
                bool routed = false;
                DateTime deadline = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < deadline && !routed)
                {
                    list = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/nodes")).RootElement;
                    routed = ids.All(id => list.EnumerateArray().Any(n => n.GetProperty("node").GetUInt32() == id
                        && TryRoute(n, out JsonElement r) && Field(r, "parent") == GatewayId && Field(r, "hops") == 1));
                    if (!routed)
                    {
                        await Task.Delay(250);
                    }
                }

                Assert.True(routed, "not every mesh-node reported the gateway as its parent: " + list + "\n" + string.Join("\n---\n", nodes.Select(n => n.Output))
                    + "\n" + string.Join("\n", (await gateway.Http.GetStringAsync("/metrics")).Split('\n').Where(l => l.StartsWith("mesh_gateway_frames", StringComparison.Ordinal))));

                // Their readings arrive: sent to the parent (the gateway), which acknowledges them in its hop-ack bundles.
                await mqtt.WaitForAsync(m => ids.All(id => m.Any(x => x.Topic == "mesh/1/" + id + "/temperature")), what: "a temperature from each structured mesh-node");
            }
            finally
            {
                foreach (MeshNodeProcess n in nodes)
                {
                    n.Dispose();
                }
            }
        }
        [Fact]
        public async Task The_heartbeat_neighbours_setting_cuts_the_list_a_mesh_node_sends_and_the_gateway_still_learns_how_many_it_hears()
        {
            await using var gateway = await TestGateway.StartAsync(c => c["Mesh:Policy"] = "structured");
            string dir = TempDirectory.Create("mesh-heartbeat-neighbours");
            var nodes = new List<MeshNodeProcess>();
            try
            {
                // Node 123 lists one neighbour (the settings file's heartbeat_neighbours, as a board reads it); it hears
                // the gateway and the two other nodes on the shared segment.
                nodes.Add(Start(121, gateway.UdpPort, Path.Combine(dir, "121.conf")));
                nodes.Add(Start(122, gateway.UdpPort, Path.Combine(dir, "122.conf")));
                nodes.Add(Start(123, gateway.UdpPort, Path.Combine(dir, "123.conf"), "--set", "heartbeat_neighbours=1"));

                JsonElement cut = default, full = default;
                DateTime deadline = DateTime.UtcNow.AddSeconds(60);
                while (DateTime.UtcNow < deadline)
                {
                    JsonElement list = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/nodes")).RootElement;
                    cut = NodeJson.Find(list, 123);
                    full = NodeJson.Find(list, 121);
                    if (NodeJson.NeighboursKnown(cut) >= 3 && NodeJson.NeighboursKnown(full) >= 3)
                    {
                        break;
                    }

                    await Task.Delay(250);
                }

                Assert.True(NodeJson.NeighboursKnown(cut) >= 3 && NodeJson.NeighboursKnown(full) >= 3, "nodes 121 and 123 never reported hearing three neighbours: " + cut + " / " + full
                    + "\n" + string.Join("\n---\n", nodes.Select(n => n.Output)));
                Assert.Equal(1, cut.GetProperty("neighbours").GetArrayLength());
                Assert.True(full.GetProperty("neighbours").GetArrayLength() >= 3, "node 121 (the default, eight) listed fewer than it hears: " + full);
                Assert.Contains("heartbeat_neighbours = 1", File.ReadAllText(Path.Combine(dir, "123.conf")));
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
