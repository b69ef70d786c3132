using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;

namespace Mesh.Gateway.Tests.Hosting
{
    /// <summary>
    /// The README's first command, `mesh-gateway-demo demo`, as a real process on free loopback ports: the simulated
    /// mesh (structured routing, like the boards and the gateway) in real time, the gateway joined to it, its embedded
    /// broker. What a user is told to look at must be there: every simulated sensor's readings on MQTT, and a command
    /// published on MQTT acknowledged by its node.
    /// Its own collection, run alone: a whole real-time mesh, gateway and broker in another process would otherwise
    /// load the machine under the suite's timing-sensitive tests.
    /// </summary>
    [Collection(nameof(DemoProcessCollection))]
    public class DemoProcessTests
    {
        [Fact]
        public async Task The_demo_brings_every_simulated_sensor_to_mqtt_and_a_command_published_there_is_acknowledged()
        {
            int broker = Ports.FreeTcp();
            int http = Ports.FreeTcp();
            int udp = Ports.UniqueUdp();
            using var demo = new DotnetProcess("mesh-gateway-demo.dll", new[]
            {
                "demo", "--Mqtt:Embedded:Port=" + broker, "--Http:Urls=http://127.0.0.1:" + http, "--Udp:Port=" + udp,
            });
            await using var mqtt = await MqttProbe.ConnectAsync(broker, "mesh/1/#", retryFor: TimeSpan.FromSeconds(60));

            // 25 simulated nodes, the gateway in the place of the first (id 1): sensors 2 … 25, a reading every 10 s.
            int[] sensors = Enumerable.Range(2, 24).ToArray();
            try
            {
                await mqtt.WaitForAsync(m => sensors.All(id => m.Any(x => x.Topic == "mesh/1/" + id + "/temperature")),
                    TimeSpan.FromSeconds(120), "a temperature from every simulated sensor");
            }
            catch (TimeoutException e)
            {
                string seen = string.Join(",", sensors.Where(id => mqtt.Messages.Any(x => x.Topic == "mesh/1/" + id + "/temperature")));
                throw new TimeoutException(e.Message + "\nsensors heard: " + seen + "\ndemo output:\n" + demo.Output, e);
            }

            await mqtt.PublishAsync("mesh/1/2/cmd/identify", "{\"seconds\":5}");
            var got = await mqtt.WaitForAsync(m => m.Any(x => x.Topic == "mesh/1/2/cmd/identify/result" && x.Payload.Contains("\"acknowledged\"", StringComparison.Ordinal)),
                TimeSpan.FromSeconds(60), "the identify command's acknowledgement");
            JsonElement result = JsonDocument.Parse(got.Last(x => x.Topic == "mesh/1/2/cmd/identify/result").Payload).RootElement;
            Assert.Equal(2u, result.GetProperty("node").GetUInt32());
            Assert.Equal("ok", result.GetProperty("status").GetString());
        }
    }

    [CollectionDefinition(nameof(DemoProcessCollection), DisableParallelization = true)]
    public sealed class DemoProcessCollection
    {
    }
}
