using System;
using System.Diagnostics;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Mqtt
{
    /// <summary>Commands as MQTT clients send them: stock MQTT 3.1.1 clients, retained commands, malformed topics and bodies.</summary>
    public class CommandInputTests
    {
        private static async Task<(int Code, string Output)> RunAsync(string program, params string[] args)
        {
            var start = new ProcessStartInfo(program) { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            foreach (string a in args)
            {
                start.ArgumentList.Add(a);
            }

            using Process p = Process.Start(start)!;
            Task<string> output = p.StandardOutput.ReadToEndAsync();
            Task<string> error = p.StandardError.ReadToEndAsync();
            await p.WaitForExitAsync(new System.Threading.CancellationTokenSource(TimeSpan.FromSeconds(60)).Token);
            return (p.ExitCode, await output + await error);
        }

        private static async Task<JsonElement> Result(MqttProbe probe, string topic, string what) =>
            JsonDocument.Parse((await probe.WaitForAsync(x => x.Any(m => m.Topic == topic), what: what)).First(m => m.Topic == topic).Payload).RootElement;

        [Fact]
        public async Task Stock_mosquitto_clients_without_a_client_id_subscribe_and_command_over_mqtt_3_1_1()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var sensor = new MeshSensor(61, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 16.5)); // retained: a subscriber that connects later still gets it
            string port = gateway.BrokerPort.ToString(System.Globalization.CultureInfo.InvariantCulture);

            // mosquitto_sub's default protocol is MQTT 3.1.1 and, without -i, it sends an empty client id.
            (int code, string output) = await RunAsync("mosquitto_sub", "-h", "127.0.0.1", "-p", port, "-t", "mesh/1/61/temperature", "-v", "-C", "1", "-W", "30");
            Assert.True(code == 0, "mosquitto_sub: " + output);
            Assert.Contains("mesh/1/61/temperature", output);
            Assert.Contains("16.5", output);

            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/61/cmd/+/result");
            (code, output) = await RunAsync("mosquitto_pub", "-h", "127.0.0.1", "-p", port, "-q", "1", "-t", "mesh/1/61/cmd/identify", "-m", "{\"seconds\":2}");
            Assert.True(code == 0, "mosquitto_pub: " + output);
            Assert.Equal("acknowledged", (await Result(probe, "mesh/1/61/cmd/identify/result", "the identify result")).GetProperty("state").GetString());
        }

        [Fact]
        public async Task A_retained_command_is_never_executed_and_is_answered_with_an_error()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var sensor = new MeshSensor(62, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 16.0));
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/62/cmd/+/result");
            await probe.PublishAsync("mesh/1/62/cmd/reboot", "", retain: true);

            JsonElement r = await Result(probe, "mesh/1/62/cmd/reboot/result", "the refusal of the retained reboot");
            Assert.Equal("rejected", r.GetProperty("state").GetString());
            Assert.Contains("retained", r.GetProperty("error").GetString());

            // A non-retained ping afterwards goes through: the node had every chance to get the reboot.
            await probe.PublishAsync("mesh/1/62/cmd/ping", "");
            Assert.Equal("acknowledged", (await Result(probe, "mesh/1/62/cmd/ping/result", "the ping")).GetProperty("state").GetString());
            Assert.DoesNotContain(sensor.CommandsReceived, c => c.Kind == CommandKind.Reboot);
            Assert.Contains(gateway.Logs.Lines, l => l.Contains("retained command not executed", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Malformed_command_topics_and_bodies_get_an_error_result_naming_the_field_and_a_log_line()
        {
            await using var gateway = await TestGateway.StartAsync();
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/#");
            await probe.PublishAsync("mesh/1/abc/cmd/ping", "");
            await probe.PublishAsync("mesh/1/64/cmd/set_forwarding_policy", "{\"policy\":\"gossip\",\"k\":1.5}");
            await probe.PublishAsync("mesh/1/64/cmd/set_forwarding_policy", "{\"policy\":\"managed\",\"cancel_threshold\":1e30}");
            await probe.PublishAsync("mesh/2/64/cmd/ping", "");

            Assert.Contains("node", (await Result(probe, "mesh/1/abc/cmd/ping/result", "the malformed node's result")).GetProperty("error").GetString());
            await probe.WaitForAsync(x => x.Count(m => m.Topic == "mesh/1/64/cmd/set_forwarding_policy/result") == 2, what: "both policy refusals");
            string[] errors = probe.Messages.Where(m => m.Topic == "mesh/1/64/cmd/set_forwarding_policy/result")
                .Select(m => JsonDocument.Parse(m.Payload).RootElement.GetProperty("error").GetString()!).ToArray();
            Assert.Contains(errors, e => e.Contains("k must be a whole number", StringComparison.Ordinal));
            Assert.Contains(errors, e => e.Contains("cancel_threshold must be a whole number", StringComparison.Ordinal));

            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (!gateway.Logs.Lines.Any(l => l.Contains("mesh/2/64/cmd/ping ignored", StringComparison.Ordinal)) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Contains(gateway.Logs.Lines, l => l.Contains("mesh/1/abc/cmd/ping rejected", StringComparison.Ordinal));
            Assert.Contains(gateway.Logs.Lines, l => l.Contains("mesh/2/64/cmd/ping ignored", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Bad_http_command_bodies_and_query_values_get_a_4xx_naming_the_field()
        {
            await using var gateway = await TestGateway.StartAsync();
            foreach ((string path, string? body, string field) in new (string, string?, string)[]
            {
                ("/api/nodes/64/commands/set_forwarding_policy", "{\"policy\":\"gossip\",\"k\":1.5}", "k must be"),
                ("/api/nodes/64/commands/set_forwarding_policy", "{\"policy\":\"managed\",\"cancel_threshold\":99999999999999999999}", "cancel_threshold must be"),
                ("/api/nodes/64/commands/identify", "{\"seconds\":\"soon\"}", "seconds must be"),
                ("/api/nodes/64/commands/identify", "{\"seconds\":" + new string('9', 5000) + "}", "body"),
                ("/api/nodes/0/commands/ping", "", "node"),
                ("/api/readings?from=99999999999999999", null, "from"),
                ("/api/readings?to=-99999999999999999", null, "to"),
                ("/api/readings?limit=20000", null, "limit"),
            })
            {
                using HttpResponseMessage r = body == null ? await gateway.Http.GetAsync(path) : await gateway.Http.PostAsync(path, TestGateway.Json(body));
                string text = await r.Content.ReadAsStringAsync();
                Assert.True((int)r.StatusCode is >= 400 and < 500, $"{path} {body?[..Math.Min(60, body.Length)]} → {(int)r.StatusCode} {text}");
                Assert.Contains(field, JsonDocument.Parse(text).RootElement.GetProperty("error").GetString());
            }
        }
    }
}
