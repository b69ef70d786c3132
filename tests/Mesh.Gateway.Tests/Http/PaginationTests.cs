using System;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Http
{
    /// <summary>/api/nodes answers are bounded and paged by node id.</summary>
    public class PaginationTests
    {
        [Fact]
        public async Task The_node_list_comes_in_pages_of_at_most_limit_nodes_in_id_order()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var a = new MeshSensor(93, gateway.UdpPort);
            await using var b = new MeshSensor(91, gateway.UdpPort);
            await using var c = new MeshSensor(92, gateway.UdpPort);
            a.Report((Quantity.Temperature, 1));
            b.Report((Quantity.Temperature, 2));
            c.Report((Quantity.Temperature, 3));
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/nodes")).RootElement.GetArrayLength() < 3 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            using HttpResponseMessage first = await gateway.Http.GetAsync("/api/nodes?limit=2");
            uint[] ids = JsonDocument.Parse(await first.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(n => n.GetProperty("node").GetUInt32()).ToArray();
            Assert.Equal(new uint[] { 91, 92 }, ids);
            Assert.Equal("92", first.Headers.GetValues("X-Next-After").Single());

            using HttpResponseMessage second = await gateway.Http.GetAsync("/api/nodes?limit=2&after=92");
            Assert.Equal(new uint[] { 93 }, JsonDocument.Parse(await second.Content.ReadAsStringAsync()).RootElement.EnumerateArray().Select(n => n.GetProperty("node").GetUInt32()));
            Assert.False(second.Headers.Contains("X-Next-After"));

            using HttpResponseMessage bad = await gateway.Http.GetAsync("/api/nodes?limit=100000");
            Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);
            Assert.Contains("limit", await bad.Content.ReadAsStringAsync());
        }
    }
}
