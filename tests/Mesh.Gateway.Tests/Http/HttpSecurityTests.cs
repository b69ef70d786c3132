using System;
using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Http
{
    /// <summary>Commands over HTTP need the token, JSON and this gateway's own Host/Origin; each refusal names the header.</summary>
    public class HttpSecurityTests
    {
        private static async Task<(HttpStatusCode Status, string Body)> SendAsync(TestGateway gateway, HttpRequestMessage request)
        {
            using var anonymous = new HttpClient { BaseAddress = gateway.Http.BaseAddress };
            using HttpResponseMessage r = await anonymous.SendAsync(request);
            return (r.StatusCode, await r.Content.ReadAsStringAsync());
        }

        private static HttpRequestMessage Command(string? token, HttpContent? content, string? origin = null)
        {
            var m = new HttpRequestMessage(HttpMethod.Post, "/api/nodes/9/commands/ping") { Content = content };
            if (token != null)
            {
                m.Headers.Authorization = new AuthenticationHeaderValue("Bearer", token);
            }

            if (origin != null)
            {
                m.Headers.Add("Origin", origin);
            }

            return m;
        }

        [Fact]
        public async Task A_command_without_the_token_with_a_non_json_body_or_from_another_origin_is_refused_naming_the_header()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var sensor = new MeshSensor(9, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 18.0));

            (HttpStatusCode s, string b) = await SendAsync(gateway, Command(null, TestGateway.Json("")));
            Assert.Equal(HttpStatusCode.Unauthorized, s);
            Assert.Contains("Authorization", b);

            (s, b) = await SendAsync(gateway, Command("wrong-token-wrong-token-wrong-token", TestGateway.Json("")));
            Assert.Equal(HttpStatusCode.Unauthorized, s);

            (s, b) = await SendAsync(gateway, Command(gateway.Token, new StringContent("{}", System.Text.Encoding.UTF8, "text/plain")));
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, s);
            Assert.Contains("Content-Type", b);

            (s, b) = await SendAsync(gateway, Command(gateway.Token, new FormUrlEncodedContent(new[] { KeyValuePair.Create("seconds", "5") })));
            Assert.Equal(HttpStatusCode.UnsupportedMediaType, s);

            (s, b) = await SendAsync(gateway, Command(gateway.Token, TestGateway.Json(""), origin: "http://evil.example"));
            Assert.Equal(HttpStatusCode.Forbidden, s);
            Assert.Contains("Origin", b);

            Assert.Empty(sensor.CommandsReceived);

            // The same request done right is accepted, and the log says who sent it.
            (s, b) = await SendAsync(gateway, Command(gateway.Token, TestGateway.Json(""), origin: gateway.Options.Http.Urls));
            Assert.True(s == HttpStatusCode.OK, b);
            Assert.Contains(gateway.Logs.Lines, l => l.Contains("command ping for node 9 accepted from HTTP 127.0.0.1", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_request_naming_another_host_is_refused_so_a_dns_rebinding_page_cannot_read_the_api()
        {
            await using var gateway = await TestGateway.StartAsync();
            var request = new HttpRequestMessage(HttpMethod.Get, "/api/nodes");
            request.Headers.Host = "rebound.evil.example:" + new Uri(gateway.Options.Http.Urls).Port;
            (HttpStatusCode s, string b) = await SendAsync(gateway, request);
            Assert.Equal(HttpStatusCode.BadRequest, s);
            Assert.Contains("Host", b);

            var local = new HttpRequestMessage(HttpMethod.Get, "/api/nodes");
            local.Headers.Host = "localhost:" + new Uri(gateway.Options.Http.Urls).Port;
            (s, _) = await SendAsync(gateway, local);
            Assert.Equal(HttpStatusCode.OK, s);
        }

        [Fact]
        public async Task The_token_is_created_once_in_the_state_folder_and_kept_across_restarts()
        {
            string directory = TempDirectory.Create("token");
            int udp = Ports.UniqueUdp();
            string first;
            await using (var a = await TestGateway.StartAsync(directory: directory, udpPort: udp))
            {
                first = a.Token;
            }

            await using var b = await TestGateway.StartAsync(directory: directory, udpPort: udp);
            Assert.Equal(first, b.Token);
            Assert.True(first.Length >= 40);
        }
    }
}
