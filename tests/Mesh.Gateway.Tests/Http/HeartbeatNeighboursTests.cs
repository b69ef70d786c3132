using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Dashboard;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Http
{
    /// <summary>
    /// A heartbeat lists a node's best few neighbours and says, in block 3, how many it knows (PROTOCOL.md,
    /// *Heartbeat*): the operator sees both, so a list cut to the best eight is not taken for a node with eight
    /// neighbours. Real gateway, real nodes, loopback UDP, the embedded broker, the dashboard in a real browser.
    /// </summary>
    public class HeartbeatNeighboursTests
    {
        [Fact]
        public async Task The_node_list_and_the_topology_say_how_many_neighbours_a_node_knows_beside_those_it_listed()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var watched = new MeshSensor(41, gateway.UdpPort, heartbeatIntervalMs: 2_000);
            await using var a = new MeshSensor(42, gateway.UdpPort);
            await using var b = new MeshSensor(43, gateway.UdpPort);

            JsonElement node = default;
            DateTime deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                // Frames heard first-hand from 42 and 43 make them 41's neighbours.
                a.Report((Quantity.Temperature, 20.5));
                b.Report((Quantity.Temperature, 21.5));
                using JsonDocument nodes = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/nodes"));
                JsonElement found = NodeJson.Find(nodes.RootElement, 41);
                if (NodeJson.NeighboursKnown(found) >= 2)
                {
                    node = found.Clone();
                    break;
                }

                await Task.Delay(200);
            }

            Assert.True(node.ValueKind == JsonValueKind.Object, "node 41's heartbeat never said it knows two neighbours");
            int known = node.GetProperty("neighboursKnown").GetInt32();
            int listed = node.GetProperty("neighbours").GetArrayLength();
            Assert.InRange(listed, 1, Math.Min(known, 8));
            uint[] ids = node.GetProperty("neighbours").EnumerateArray().Select(n => n.GetProperty("node").GetUInt32()).ToArray();
            Assert.Contains(42u, ids);
            Assert.Contains(43u, ids);

            using JsonDocument topology = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/topology"));
            JsonElement t = topology.RootElement.GetProperty("nodes").EnumerateArray().Single(n => n.GetProperty("id").GetUInt32() == 41);
            Assert.True(t.GetProperty("neighboursKnown").GetInt32() >= 2);

            // MQTT: the retained status carries the count beside the list.
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/41/status");
            ReceivedMessage status = (await probe.WaitForAsync(x => x.Count >= 1, what: "node 41's retained status")).First();
            using JsonDocument s = JsonDocument.Parse(status.Payload);
            Assert.True(s.RootElement.GetProperty("neighbours_known").GetInt32() >= s.RootElement.GetProperty("neighbours").GetArrayLength());

            // The dashboard, in a real headless Chromium: the node's tooltip in the topology says both.
            await using HeadlessChromium browser = await HeadlessChromium.LaunchAsync();
            await browser.NavigateAsync(gateway.Options.Http.Urls + "/");
            const string Title = "document.querySelector('#topology g.node[data-node=\"41\"] title')?.textContent ?? ''";
            await browser.WaitForAsync("/lists \\d+ of the \\d+ neighbours it hears/.test(" + Title + ")", "node 41's tooltip naming listed and known neighbours");
            string tooltip = (string)(await browser.EvaluateAsync(Title))!;
            Assert.Matches(@"^node 41: lists [1-8] of the \d+ neighbours it hears$", tooltip);
        }
    }
}
