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
    /// A hop limit too small for the mesh shows only as commands and broadcasts that never arrive (a structured node's
    /// own readings carry their own, longer limit). The gateway says how many hops its frames have to spare past the
    /// deepest node it hears, on /api/topology and /metrics, and warns in its log when that is under two.
    /// </summary>
    public class HopLimitHeadroomTests
    {
        private static async Task<JsonElement> TopologyOnceHeardAsync(TestGateway gateway, uint node)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(30);
            while (true)
            {
                JsonElement t = JsonDocument.Parse(await gateway.Http.GetStringAsync("/api/topology")).RootElement;
                if (t.GetProperty("nodes").EnumerateArray().Any(n => n.GetProperty("id").GetUInt32() == node) || DateTime.UtcNow > deadline)
                {
                    return t;
                }

                await Task.Delay(100);
            }
        }

        [Fact]
        public async Task A_node_at_the_edge_of_the_hop_limit_is_reported_and_warned_about_once()
        {
            // Limit 1: a frame from the gateway travels at most 2 hops, 1 past a neighbour heard directly.
            await using var gateway = await TestGateway.StartAsync(s => s["Mesh:HopLimit"] = "1");
            await using var sensor = new MeshSensor(301, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 20));
            JsonElement t = await TopologyOnceHeardAsync(gateway, 301);

            Assert.Equal(1, t.GetProperty("hopLimit").GetInt32());
            Assert.Equal(1, t.GetProperty("deepestHops").GetInt32());
            Assert.Equal(1, t.GetProperty("hopLimitHeadroom").GetInt32());
            string metrics = await gateway.Http.GetStringAsync("/metrics");
            Assert.Contains("mesh_gateway_hop_limit 1\n", metrics, StringComparison.Ordinal);
            Assert.Contains("mesh_gateway_deepest_node_hops 1\n", metrics, StringComparison.Ordinal);

            sensor.Report((Quantity.Temperature, 21));
            sensor.Report((Quantity.Temperature, 22));
            await Poll.UntilAsync(() => gateway.Logs.Lines.Any(l => l.Contains("node 301 is 1 hops from this gateway and the hop limit is 1", StringComparison.Ordinal)), "the hop-limit warning");
            await Task.Delay(300);
            // Three frames at the edge, one warning: the log is rate-limited, not one line per frame.
            Assert.Single(gateway.Logs.Lines, l => l.Contains("hops from this gateway and the hop limit is", StringComparison.Ordinal));
            Assert.Contains(gateway.Logs.Lines, l => l.Contains("to at least 2", StringComparison.Ordinal));
        }

        [Fact]
        public async Task The_dashboard_header_shows_the_hop_limit_and_marks_it_when_too_tight()
        {
            await using var gateway = await TestGateway.StartAsync(s => s["Mesh:HopLimit"] = "1");
            await using var sensor = new MeshSensor(303, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 20));
            await TopologyOnceHeardAsync(gateway, 303);

            await using HeadlessChromium browser = await HeadlessChromium.LaunchAsync();
            await browser.NavigateAsync(gateway.Options.Http.Urls + "/");
            await browser.WaitForAsync("document.getElementById('network').innerText.includes('hop limit 1, deepest node 1 hops')", "the hop limit in the header");
            await browser.WaitForAsync("document.getElementById('network').dataset.tight === 'true'", "the header marked tight");
        }

        [Fact]
        public async Task With_the_default_hop_limit_a_neighbour_leaves_room_and_nothing_is_logged()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var sensor = new MeshSensor(302, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 20));
            JsonElement t = await TopologyOnceHeardAsync(gateway, 302);

            Assert.Equal(8, t.GetProperty("hopLimit").GetInt32());
            Assert.Equal(1, t.GetProperty("deepestHops").GetInt32());
            Assert.Equal(8, t.GetProperty("hopLimitHeadroom").GetInt32());
            Assert.DoesNotContain(gateway.Logs.Lines, l => l.Contains("hops from this gateway and the hop limit is", StringComparison.Ordinal));
        }
    }
}
