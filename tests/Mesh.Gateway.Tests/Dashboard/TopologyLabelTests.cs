using System;
using System.Collections.Generic;
using System.Linq;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Dashboard
{
    /// <summary>The topology view of a crowded mesh in a real headless Chromium: node labels must not overprint each other.</summary>
    public class TopologyLabelTests
    {
        [Fact]
        public async Task In_a_crowded_topology_no_two_node_labels_overlap()
        {
            // 36 sensors on one UDP group hear each other well (-55 dBm) and the gateway, and are heard by
            // it, only faintly (-85 dBm): the layout's springs put the gateway far off and the sensors in a
            // tight cluster, so the picture is crowded by construction, whichever neighbour lists have
            // arrived (equal signal everywhere left it to chance: about half of the partial link sets a
            // loaded machine delivers laid out with no two nodes closer than a label).
            await using var gateway = await TestGateway.StartAsync(c => c["Udp:NominalRssi"] = "-85");
            uint gatewayId = gateway.Options.Mesh.NodeId;
            var sensors = new List<MeshSensor>();
            try
            {
                for (uint id = 1001; id <= 1036; id++)
                {
                    var s = new MeshSensor(id, gateway.UdpPort, heartbeatIntervalMs: 1_000) { RssiFrom = from => from == gatewayId ? -85 : -55 };
                    sensors.Add(s);
                    s.Report((Quantity.Temperature, 20.0));
                }

                await using HeadlessChromium browser = await HeadlessChromium.LaunchAsync();
                await browser.NavigateAsync(gateway.Options.Http.Urls + "/");
                await browser.WaitForAsync("document.querySelectorAll('#topology g.node').length >= 37", "all 36 sensors and the gateway in the topology", seconds: 60);
                // Heartbeats with neighbour lists arrive: wait for a dense link picture, then for a redraw to settle.
                await browser.WaitForAsync("document.querySelectorAll('#topology line').length >= 36", "the links heartbeats report", seconds: 60);
                // The layout follows the links: wait (rather than for a fixed time) until a redraw has drawn
                // the crowded picture this test is about; what is measured below is one complete redraw.
                await browser.WaitForAsync(
                    "(() => { const c = [...document.querySelectorAll('#topology circle')].map(e => [+e.getAttribute('cx'), +e.getAttribute('cy')]);" +
                    " for (let i = 0; i < c.length; i++) for (let j = i + 1; j < c.length; j++) if (Math.hypot(c[i][0] - c[j][0], c[i][1] - c[j][1]) < 28) return true; return false; })()",
                    "a crowded layout (two nodes closer than a label is wide)", seconds: 60);

                JsonNode result = (await browser.EvaluateAsync(
                    "(() => { const box = (e) => { const r = e.getBoundingClientRect(); return { x: r.x, y: r.y, w: r.width, h: r.height, text: e.textContent }; };" +
                    " const texts = [...document.querySelectorAll('#topology text')];" +
                    " const visible = texts.filter(t => getComputedStyle(t).display !== 'none').map(box);" +
                    " const nodes = [...document.querySelectorAll('#topology circle')].map(c => ({ x: +c.getAttribute('cx'), y: +c.getAttribute('cy') }));" +
                    " let closest = 1e9; for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) closest = Math.min(closest, Math.hypot(nodes[i].x - nodes[j].x, nodes[i].y - nodes[j].y));" +
                    " return { visible, total: texts.length, closest, legend: document.getElementById('topology-legend')?.innerText ?? '' }; })()"))!;

                var boxes = result["visible"]!.AsArray().Select(b => (X: (double)b!["x"]!, Y: (double)b["y"]!, W: (double)b["w"]!, H: (double)b["h"]!, Text: (string)b["text"]!)).ToList();
                int total = (int)result["total"]!;
                double closest = (double)result["closest"]!;

                // The picture is crowded: some nodes are closer than a label is wide (labels above each node overprinted before).
                Assert.True(closest < 28, $"the test topology is not crowded (closest nodes {closest:F1} px apart in the 600-wide picture)");
                Assert.Equal(37, total);

                var overlaps = new List<string>();
                for (int i = 0; i < boxes.Count; i++)
                {
                    for (int j = i + 1; j < boxes.Count; j++)
                    {
                        var a = boxes[i];
                        var b = boxes[j];
                        double w = Math.Min(a.X + a.W, b.X + b.W) - Math.Max(a.X, b.X);
                        double h = Math.Min(a.Y + a.H, b.Y + b.H) - Math.Max(a.Y, b.Y);
                        if (w > 0.5 && h > 0.5)
                        {
                            overlaps.Add($"{a.Text} and {b.Text} ({w:F1} x {h:F1} px)");
                        }
                    }
                }

                Assert.True(overlaps.Count == 0, $"{overlaps.Count} pairs of node labels overlap: {string.Join("; ", overlaps.Take(10))}");
                // Most nodes keep a visible label; any left out are counted in the legend (and shown on hover).
                Assert.True(boxes.Count >= total * 2 / 3, $"only {boxes.Count} of {total} labels visible");
                Assert.Contains(boxes, b => b.Text == gateway.Options.Mesh.NodeId.ToString(System.Globalization.CultureInfo.InvariantCulture));
                if (boxes.Count < total)
                {
                    Assert.Contains($"{total - boxes.Count} of {total} labels left out", (string)result["legend"]!);
                }
            }
            finally
            {
                foreach (MeshSensor s in sensors)
                {
                    await s.DisposeAsync();
                }
            }
        }
    }
}
