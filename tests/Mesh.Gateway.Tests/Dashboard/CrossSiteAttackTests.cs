using System;
using System.Globalization;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;

namespace Mesh.Gateway.Tests.Dashboard
{
    /// <summary>
    /// What the issue found: a page on another origin, open in a browser on the same machine, rebooted a
    /// node through the API. Here a real Chromium opens such a page (served from another loopback port)
    /// that tries every request a page can make without the gateway's consent: a form post, no-cors
    /// fetches with text/plain and form bodies, and a JSON fetch that needs a CORS preflight.
    /// </summary>
    public class CrossSiteAttackTests
    {
        private const string AttackPage = """
            <!doctype html><html><body>
            <iframe name="sink" id="sink"></iframe>
            <form id="form" method="POST" target="sink" enctype="text/plain" action="GW/api/nodes/9/commands/reboot"><input name='{"a":"' value='"}'></form>
            <script>
            const gw = "GW";
            const attempts = [
              new Promise(done => { document.getElementById("sink").onload = done; document.getElementById("form").submit(); }),
              fetch(gw + "/api/nodes/9/commands/reboot", { method: "POST", mode: "no-cors", body: "" }).catch(() => {}),
              fetch(gw + "/api/nodes/9/commands/set_report_interval", { method: "POST", mode: "no-cors", headers: { "Content-Type": "text/plain" }, body: '{"seconds":0}' }).catch(() => {}),
              fetch(gw + "/api/nodes/9/commands/identify", { method: "POST", mode: "no-cors", body: new URLSearchParams({ seconds: "5" }) }).catch(() => {}),
              fetch(gw + "/api/nodes/9/commands/reboot", { method: "POST", headers: { "Content-Type": "application/json" }, body: "{}" }).catch(() => {}),
            ];
            Promise.all(attempts).then(() => { document.title = "attempted"; });
            </script></body></html>
            """;

        [Fact]
        public async Task A_page_on_another_origin_cannot_command_the_mesh_from_a_real_browser()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var sensor = new MeshSensor(9, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 18.0)); // the gateway now has a path to node 9: a command would reach it

            int port = Ports.FreeTcp();
            WebApplicationBuilder b = WebApplication.CreateBuilder();
            b.WebHost.UseUrls("http://127.0.0.1:" + port.ToString(CultureInfo.InvariantCulture));
            await using WebApplication attacker = b.Build();
            string html = AttackPage.Replace("GW", gateway.Options.Http.Urls, StringComparison.Ordinal);
            attacker.MapGet("/", () => Results.Content(html, "text/html"));
            await attacker.StartAsync();

            await using HeadlessChromium browser = await HeadlessChromium.LaunchAsync();
            await browser.NavigateAsync($"http://127.0.0.1:{port}/");
            await browser.WaitForAsync("document.title === 'attempted'", "the attack page's requests to complete");

            // Every attempt has been answered by the gateway (the page waited for each); none reached the node.
            Assert.Empty(sensor.CommandsReceived);
            Assert.DoesNotContain(gateway.Logs.Lines, l => l.Contains("accepted from HTTP", StringComparison.Ordinal));
            Assert.Contains(gateway.Logs.Lines, l => l.Contains("refused", StringComparison.Ordinal));
        }
    }
}
