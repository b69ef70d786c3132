using System;
using System.IO;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Dashboard
{
    /// <summary>The dashboard in a real headless Chromium against a real gateway fed by real UDP frames.</summary>
    public class DashboardTests
    {
        [Fact]
        public async Task The_dashboard_renders_the_nodes_heard_and_updates_live_without_a_reload()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var a = new MeshSensor(21, gateway.UdpPort);
            await using var b = new MeshSensor(22, gateway.UdpPort);
            a.Report((Quantity.Temperature, 21.0), (Quantity.BatteryLevel, 80));
            b.Report((Quantity.Humidity, 40.0));

            await using HeadlessChromium browser = await HeadlessChromium.LaunchAsync();
            await browser.NavigateAsync(gateway.Options.Http.Urls + "/");
            await browser.WaitForAsync("document.querySelectorAll('#nodes tbody tr[data-node]').length === 2", "both nodes in the node list");
            await browser.WaitForAsync("document.getElementById('live').dataset.state === 'open'", "the live event stream");
            await browser.WaitForAsync("document.querySelectorAll('#topology g.node').length >= 3", "both nodes and the gateway in the topology");

            JsonNode row = (await browser.EvaluateAsync(
                "(() => { const r = document.querySelector('#nodes tr[data-node=\"21\"]'); return { text: r.innerText, online: r.dataset.online }; })()"))!;
            Assert.Contains("temperature 21.0 °C", (string)row["text"]!);
            Assert.Contains("80.0 %", (string)row["text"]!); // the battery column
            Assert.Equal("true", (string)row["online"]!);

            // A new reading reaches the open page through the event stream: no reload.
            a.Report((Quantity.Temperature, 23.5));
            await browser.WaitForAsync("document.querySelector('#nodes tr[data-node=\"21\"]').innerText.includes('23.5')", "the new reading in the row");
            await browser.WaitForAsync("[...document.querySelectorAll('#feed li')].some(li => li.innerText.includes('23.5'))", "the new reading in the live feed");
            await browser.WaitForAsync("document.querySelector('#charts .chart[data-quantity=\"temperature\"] polyline')", "node 21's temperature chart");

            byte[] png = await browser.ScreenshotAsync();
            string file = Path.Combine(gateway.Directory, "dashboard.png");
            await File.WriteAllBytesAsync(file, png);
            PngImage page = PngImage.Decode(png);
            Assert.Equal(1400, page.Width);

            // Look at the pixels of node 21's status dot: the page is rendered, styled, and says online (green).
            JsonNode dot = (await browser.EvaluateAsync(
                "(() => { const r = document.querySelector('#nodes tr[data-node=\"21\"] .dot').getBoundingClientRect(); return { x: r.x + r.width / 2, y: r.y + r.height / 2 }; })()"))!;
            (byte R, byte G, byte B) = page.Pixel((int)(double)dot["x"]!, (int)(double)dot["y"]!);
            Assert.True(G > 150 && R < 120 && B < 120, $"node 21's status dot should be green in {file}, was rgb({R},{G},{B})");

            // And the page is not blank: many distinct colours (text, table, chart, topology).
            int distinct = Enumerable.Range(0, 200).Select(i => page.Pixel((i * 37) % page.Width, (i * 53) % page.Height)).Distinct().Count();
            Assert.True(distinct > 5, $"the screenshot {file} looks blank ({distinct} distinct colours sampled)");
        }

        [Fact]
        public async Task At_1280_pixels_nothing_in_the_node_list_is_cut_off()
        {
            // A node with every column filled: readings of several quantities, battery, and the QoS channel column.
            await using var gateway = await TestGateway.StartAsync();
            await using var a = new MeshSensor(21, gateway.UdpPort, heartbeatIntervalMs: 1_000);
            a.Report((Quantity.Temperature, 21.0), (Quantity.Humidity, 40.0), (Quantity.Pressure, 101325), (Quantity.BatteryLevel, 80),
                (Quantity.Illuminance, 320), (Quantity.Co2, 612));

            await using HeadlessChromium browser = await HeadlessChromium.LaunchAsync(width: 1280, height: 900);
            await browser.NavigateAsync(gateway.Options.Http.Urls + "/");
            await browser.WaitForAsync("document.querySelectorAll('#nodes tbody tr[data-node] .chip').length >= 6", "node 21 with its readings and channel use");
            JsonNode fit = (await browser.EvaluateAsync(
                "(() => { const p = document.querySelector('.nodes'); const d = document.documentElement; " +
                "return { panel: p.scrollWidth - p.clientWidth, page: d.scrollWidth - d.clientWidth }; })()"))!;
            Assert.True((int)fit["page"]! <= 0, $"the page scrolls sideways by {fit["page"]} px at 1,280");
            Assert.True((int)fit["panel"]! <= 0, $"the node list is cut off by {fit["panel"]} px at 1,280 (it scrolls)");
        }

        [Fact]
        public async Task The_dashboard_says_so_when_no_node_has_been_heard()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using HeadlessChromium browser = await HeadlessChromium.LaunchAsync();
            await browser.NavigateAsync(gateway.Options.Http.Urls + "/");
            await browser.WaitForAsync("document.getElementById('summary').innerText === '0 of 0 nodes online'", "the empty summary");
            Assert.False((bool)(await browser.EvaluateAsync("document.getElementById('no-nodes').hidden"))!);
            using System.Net.Http.HttpResponseMessage icon = await gateway.Http.GetAsync("/favicon.ico");
            Assert.Equal(System.Net.HttpStatusCode.OK, icon.StatusCode);
            Assert.Equal("image/x-icon", icon.Content.Headers.ContentType!.MediaType);
        }
    }
}
