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
    /// <summary>Commands to a dead node cannot starve the commands to live ones.</summary>
    public class CommandLimitTests
    {
        [Fact]
        public async Task A_burst_of_commands_to_a_dead_node_is_bounded_and_a_live_node_still_answers()
        {
            await using var gateway = await TestGateway.StartAsync(s => s["Mesh:CommandTimeoutMs"] = "5000");
            await using var sensor = new MeshSensor(81, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 8.1));
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (!(await gateway.Http.GetStringAsync("/api/nodes")).Contains("\"node\":81", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            // 40 pings to node 4242, which does not exist: each would wait the whole retry schedule (35 s here).
            Task<HttpResponseMessage>[] dead = Enumerable.Range(0, 40).Select(_ => gateway.Http.PostAsync("/api/nodes/4242/commands/ping", TestGateway.Json(""))).ToArray();
            var remaining = dead.ToList();
            int refused = 0;
            deadline = DateTime.UtcNow.AddSeconds(30);
            while (refused < 36 && remaining.Count > 0 && DateTime.UtcNow < deadline)
            {
                Task<HttpResponseMessage> done = await Task.WhenAny(remaining);
                remaining.Remove(done);
                using HttpResponseMessage r = await done;
                Assert.Equal(HttpStatusCode.TooManyRequests, r.StatusCode); // none can have timed out yet: the schedule is 35 s
                Assert.Contains("MaxPendingCommandsPerNode", await r.Content.ReadAsStringAsync());
                refused++;
            }

            Assert.Equal(36, refused); // 4 wait for node 4242, the other 36 are told at once

            using HttpResponseMessage live = await gateway.Http.PostAsync("/api/nodes/81/commands/ping", TestGateway.Json(""));
            string body = await live.Content.ReadAsStringAsync();
            Assert.True(live.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("acknowledged", JsonDocument.Parse(body).RootElement.GetProperty("state").GetString());
        }
    }
}
