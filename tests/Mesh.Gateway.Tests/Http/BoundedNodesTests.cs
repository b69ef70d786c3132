using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Http
{
    /// <summary>The node directory and the discovery configs stay within Mesh:MaxNodes, however many origins appear.</summary>
    public class BoundedNodesTests
    {
        private static async Task<uint[]> WaitForNodesAsync(TestGateway gateway, Func<uint[], bool> done)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            uint[] ids;
            do
            {
                await Task.Delay(50);
                ids = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/nodes")).RootElement.EnumerateArray().Select(n => n.GetProperty("node").GetUInt32()).ToArray();
            }
            while (!done(ids) && DateTime.UtcNow < deadline);
            return ids;
        }

        [Fact]
        public async Task Past_the_bound_the_least_recently_heard_node_is_forgotten_and_its_discovery_withdrawn()
        {
            await using var gateway = await TestGateway.StartAsync(s => s["Mesh:MaxNodes"] = "2");
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "homeassistant/sensor/mesh_1_101_temperature/config");
            await using var first = new MeshSensor(101, gateway.UdpPort);
            first.Report((Quantity.Temperature, 1));
            await WaitForNodesAsync(gateway, ids => ids.Contains(101u));
            await using var second = new MeshSensor(102, gateway.UdpPort);
            second.Report((Quantity.Temperature, 2));
            await WaitForNodesAsync(gateway, ids => ids.Contains(102u));

            await using var third = new MeshSensor(103, gateway.UdpPort);
            third.Report((Quantity.Temperature, 3));
            uint[] now = await WaitForNodesAsync(gateway, ids => ids.Contains(103u));
            Assert.Equal(new uint[] { 102, 103 }, now.OrderBy(x => x));
            await probe.WaitForAsync(m => m.Any(x => x.Payload.Length == 0), what: "node 101's discovery config withdrawn (empty retained)");
        }
    }
}
