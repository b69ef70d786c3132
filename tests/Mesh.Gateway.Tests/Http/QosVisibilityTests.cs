using System;
using System.Linq;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Http
{
    /// <summary>
    /// Issue 15, "Visible": a node that throttles a babbling neighbour says so in its heartbeat, and the
    /// operator sees it on /metrics (which node throttles which origin) and in /api/nodes (what the
    /// dashboard's channel column draws). Real gateway, real nodes, loopback UDP.
    /// </summary>
    public class QosVisibilityTests
    {
        [Fact]
        public async Task A_relay_that_throttles_a_babbler_names_it_on_metrics_and_in_the_node_list()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var relay = new MeshSensor(21, gateway.UdpPort, heartbeatIntervalMs: 2_000);
            await using var babbler = new MeshSensor(22, gateway.UdpPort);

            // 40 readings at once: far past the fair share (a burst of 8, then 6 a minute) the relay keeps for one origin.
            for (int i = 0; i < 40; i++)
            {
                babbler.Report((Quantity.Temperature, 20 + i * 0.01));
                await Task.Delay(5);
            }

            // Heartbeats every 2 s: wait until the relay's reports add up to the burst it refused.
            string metrics = "";
            DateTime deadline = DateTime.UtcNow.AddSeconds(30);
            while (DateTime.UtcNow < deadline)
            {
                metrics = await gateway.Http.GetStringAsync("/metrics");
                string? line = metrics.Split('\n').FirstOrDefault(l => l.StartsWith("mesh_gateway_node_throttled_frames_total{node=\"21\"}", StringComparison.Ordinal));
                if (line != null && double.Parse(line.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture) >= 20)
                {
                    break;
                }

                await Task.Delay(100);
            }

            Assert.Contains("mesh_gateway_node_throttling{node=\"21\",origin=\"22\"}", metrics);
            Assert.Contains("# TYPE mesh_gateway_node_throttled_frames_total counter", metrics);
            string throttledLine = metrics.Split('\n').Single(l => l.StartsWith("mesh_gateway_node_throttled_frames_total{node=\"21\"}", StringComparison.Ordinal));
            Assert.InRange(double.Parse(throttledLine.Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture), 20, 40);
            Assert.Contains("mesh_gateway_node_channel_utilisation{node=\"21\"}", metrics);
            Assert.Contains("mesh_gateway_node_queue_lost_frames_total{node=\"21\",class=\"control\"}", metrics);

            using JsonDocument nodes = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/nodes"));
            JsonElement r = nodes.RootElement.EnumerateArray().Single(n => n.GetProperty("node").GetUInt32() == 21);
            JsonElement totals = r.GetProperty("qosTotals");
            Assert.InRange(totals.GetProperty("throttledFrames").GetInt64(), 20, 40);
            Assert.Equal(22u, totals.GetProperty("lastThrottledOrigin").GetUInt32());
            JsonElement qos = r.GetProperty("qos");
            Assert.InRange(qos.GetProperty("channelUtilisation").GetDouble(), 0.0, 1.0);
            Assert.Equal(4, qos.GetProperty("lostByClass").EnumerateObject().Count());
        }
    }
}
