using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Http
{
    /// <summary>The HTTP API of a real gateway, fed by real frames over loopback UDP.</summary>
    public class HttpApiTests
    {
        private static async Task<JsonElement> GetJsonAsync(TestGateway gateway, string path)
        {
            using HttpResponseMessage r = await gateway.Http.GetAsync(path);
            string body = await r.Content.ReadAsStringAsync();
            Assert.True(r.IsSuccessStatusCode, path + " → " + (int)r.StatusCode + " " + body);
            return JsonDocument.Parse(body).RootElement;
        }

        /// <summary>Polls <paramref name="path"/> until <paramref name="done"/> holds (the mesh loop and the history writer are asynchronous).</summary>
        private static async Task<JsonElement> PollAsync(TestGateway gateway, string path, Func<JsonElement, bool> done, string what)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            JsonElement last = default;
            while (DateTime.UtcNow < deadline)
            {
                last = await GetJsonAsync(gateway, path);
                if (done(last))
                {
                    return last;
                }

                await Task.Delay(50);
            }

            throw new TimeoutException($"waiting for {what} at {path}; last answer: {last}");
        }

        [Fact]
        public async Task A_node_heard_over_udp_is_listed_with_its_latest_readings_and_its_history_is_queryable()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var sensor = new MeshSensor(7, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 20.0), (Quantity.BatteryLevel, 87));
            sensor.Report((Quantity.Temperature, 20.5));

            JsonElement nodes = await PollAsync(gateway, "/api/nodes",
                j => j.EnumerateArray().Any(n => n.GetProperty("node").GetUInt32() == 7
                    && n.GetProperty("latest").TryGetProperty("temperature", out JsonElement t) && t.GetProperty("value").GetDouble() == 20.5),
                "node 7 with its second temperature");
            JsonElement seven = nodes.EnumerateArray().Single(n => n.GetProperty("node").GetUInt32() == 7);
            Assert.True(seven.GetProperty("online").GetBoolean());
            Assert.Equal(87, seven.GetProperty("latest").GetProperty("battery").GetProperty("value").GetDouble());

            JsonElement one = await GetJsonAsync(gateway, "/api/nodes/7");
            Assert.Equal(7u, one.GetProperty("node").GetUInt32());

            JsonElement rows = await PollAsync(gateway, "/api/readings?node=7&quantity=temperature",
                j => j.GetArrayLength() == 2, "both temperatures in the history");
            Assert.Equal(new[] { 20.0, 20.5 }, rows.EnumerateArray().Select(r => r.GetProperty("value").GetDouble()).OrderBy(v => v));
            Assert.All(rows.EnumerateArray(), r => Assert.Equal("temperature", r.GetProperty("quantity").GetString()));

            JsonElement none = await GetJsonAsync(gateway, "/api/readings?node=7&from=" + Uri.EscapeDataString(DateTimeOffset.UtcNow.AddHours(1).ToString("O")));
            Assert.Equal(0, none.GetArrayLength());
        }

        [Fact]
        public async Task Bad_queries_get_a_400_that_says_what_is_wrong()
        {
            await using var gateway = await TestGateway.StartAsync();
            foreach ((string path, string expected) in new[]
            {
                ("/api/readings?node=seven", "node"),
                ("/api/readings?from=yesterday", "from"),
                ("/api/readings?limit=0", "limit"),
                ("/api/nodes/x", "not a number"),
            })
            {
                using HttpResponseMessage r = await gateway.Http.GetAsync(path);
                Assert.Equal(HttpStatusCode.BadRequest, r.StatusCode);
                Assert.Contains(expected, await r.Content.ReadAsStringAsync());
            }

            using HttpResponseMessage missing = await gateway.Http.GetAsync("/api/nodes/4242");
            Assert.Equal(HttpStatusCode.NotFound, missing.StatusCode);
            using HttpResponseMessage unknown = await gateway.Http.PostAsync("/api/nodes/7/commands/self_destruct", TestGateway.Json(""));
            Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
        }

        [Fact]
        public async Task A_command_posted_over_http_reaches_the_node_and_its_acknowledgement_is_the_answer()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var sensor = new MeshSensor(9, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 18.0)); // the gateway learns a path to 9
            await PollAsync(gateway, "/api/nodes", j => j.GetArrayLength() > 0, "node 9");

            using HttpResponseMessage r = await gateway.Http.PostAsync("/api/nodes/9/commands/identify", TestGateway.Json(""));
            string body = await r.Content.ReadAsStringAsync();
            Assert.True(r.StatusCode == HttpStatusCode.OK, body);
            Assert.Equal("acknowledged", JsonDocument.Parse(body).RootElement.GetProperty("state").GetString());
            Assert.Contains(sensor.CommandsReceived, c => c.Kind == CommandKind.Identify);
        }

        [Fact]
        public async Task The_node_list_and_history_survive_a_gateway_restart()
        {
            string directory = TempDirectory.Create("restart");
            int udp = Ports.UniqueUdp();
            await using (var first = await TestGateway.StartAsync(directory: directory, udpPort: udp))
            {
                await using var sensor = new MeshSensor(11, first.UdpPort);
                sensor.Report((Quantity.Humidity, 55.5));
                await PollAsync(first, "/api/readings?node=11", j => j.GetArrayLength() == 1, "the reading in the history");
            }

            await using var second = await TestGateway.StartAsync(directory: directory, udpPort: udp);
            JsonElement nodes = await GetJsonAsync(second, "/api/nodes");
            JsonElement eleven = nodes.EnumerateArray().Single(n => n.GetProperty("node").GetUInt32() == 11);
            Assert.False(eleven.GetProperty("online").GetBoolean()); // remembered, not yet heard again
            Assert.Equal(55.5, eleven.GetProperty("latest").GetProperty("humidity").GetProperty("value").GetDouble());
            JsonElement rows = await GetJsonAsync(second, "/api/readings?node=11");
            Assert.Equal(55.5, rows.EnumerateArray().Single().GetProperty("value").GetDouble());
        }

        [Fact]
        public async Task How_many_neighbours_a_node_knows_survives_a_gateway_restart()
        {
            string directory = TempDirectory.Create("restart-known");
            int udp = Ports.UniqueUdp();
            int known;
            await using (var first = await TestGateway.StartAsync(directory: directory, udpPort: udp))
            {
                await using var watched = new MeshSensor(41, first.UdpPort, heartbeatIntervalMs: 2_000);
                await using var other = new MeshSensor(42, first.UdpPort);
                JsonElement node = default;
                DateTime deadline = DateTime.UtcNow.AddSeconds(30);
                while (DateTime.UtcNow < deadline && NodeJson.NeighboursKnown(node) < 1)
                {
                    other.Report((Quantity.Temperature, 20.5)); // heard first-hand, 42 is one of 41's neighbours
                    await Task.Delay(200);
                    node = NodeJson.Find(await GetJsonAsync(first, "/api/nodes"), 41);
                }

                known = NodeJson.NeighboursKnown(node);
                Assert.True(known >= 0, "node 41's heartbeat never said how many neighbours it knows: " + node);
            }

            await using var second = await TestGateway.StartAsync(directory: directory, udpPort: udp);
            JsonElement again = (await GetJsonAsync(second, "/api/nodes")).EnumerateArray().Single(n => n.GetProperty("node").GetUInt32() == 41);
            Assert.False(again.GetProperty("online").GetBoolean()); // remembered, not heard again
            Assert.Equal(known, again.GetProperty("neighboursKnown").GetInt32());
        }

        [Fact]
        public async Task Metrics_are_prometheus_text_with_frames_rejections_history_and_publish_latency()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var sensor = new MeshSensor(12, gateway.UdpPort);
            sensor.Report((Quantity.Pressure, 1013.2));
            sensor.SendRaw(new byte[] { 1, 2, 3 });
            await PollAsync(gateway, "/api/readings?node=12", j => j.GetArrayLength() == 1, "the reading");

            using HttpResponseMessage r = await gateway.Http.GetAsync("/metrics");
            Assert.StartsWith("text/plain", r.Content.Headers.ContentType!.ToString());
            string text = await r.Content.ReadAsStringAsync();
            Assert.Matches(@"mesh_gateway_frames_in_total\{transport=""udp""\} [1-9]", text);
            Assert.Contains("mesh_gateway_frames_rejected_total{reason=", text);
            Assert.Contains("mesh_gateway_publish_latency_ms_bucket", text);
            Assert.Contains("mesh_gateway_history_", text);
            foreach (string line in text.Split('\n', StringSplitOptions.RemoveEmptyEntries))
            {
                Assert.Matches(@"^(# (HELP|TYPE) mesh_gateway_\w+ .+|mesh_gateway_\w+(\{[^}]*\})? -?[0-9.eE+]+|mesh_gateway_\w+(\{[^}]*\})? (NaN|\+Inf))$", line);
            }

            using HttpResponseMessage health = await gateway.Http.GetAsync("/healthz");
            Assert.Equal(HttpStatusCode.OK, health.StatusCode);
        }

        [Fact]
        public async Task The_event_stream_starts_with_the_node_list_and_then_pushes_new_readings()
        {
            await using var gateway = await TestGateway.StartAsync();
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            using HttpResponseMessage r = await gateway.Http.GetAsync("/api/events", HttpCompletionOption.ResponseHeadersRead, cts.Token);
            Assert.Equal("text/event-stream", r.Content.Headers.ContentType!.MediaType);
            using var reader = new StreamReader(await r.Content.ReadAsStreamAsync(cts.Token), Encoding.UTF8);
            Assert.Equal("event: nodes", await reader.ReadLineAsync(cts.Token));

            await using var sensor = new MeshSensor(13, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 22.25));
            string? line;
            string? lastEvent = null;
            while ((line = await reader.ReadLineAsync(cts.Token)) != null)
            {
                if (line.StartsWith("event: ", StringComparison.Ordinal))
                {
                    lastEvent = line[7..];
                }
                else if (line.StartsWith("data: ", StringComparison.Ordinal) && lastEvent == "readings" && line.Contains("22.25"))
                {
                    break;
                }
            }

            Assert.NotNull(line);
        }
    }
}
