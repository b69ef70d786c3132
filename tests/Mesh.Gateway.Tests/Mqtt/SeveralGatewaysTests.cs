using System;
using System.Linq;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Mqtt;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Tests.Mqtt
{
    public class SeveralGatewaysTests
    {
        [Fact]
        public async Task Two_gateways_hearing_the_same_mesh_publish_each_reading_to_one_broker_once()
        {
            using var broker = new Mosquitto();
            int udp = Ports.UniqueUdp();
            void External(System.Collections.Generic.Dictionary<string, string?> s, uint id)
            {
                s["Mqtt:Mode"] = "external";
                s["Mqtt:Port"] = broker.Port.ToString();
                s["Mesh:NodeId"] = id.ToString();
                s["Mqtt:DedupHoldOffMs"] = "700";
            }

            await using var a = await TestGateway.StartAsync(s => External(s, 900), udpPort: udp);
            await using var b = await TestGateway.StartAsync(s => External(s, 901), udpPort: udp);
            GatewayRoster ra = a.Services.GetRequiredService<GatewayRoster>();
            GatewayRoster rb = b.Services.GetRequiredService<GatewayRoster>();
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while ((ra.Live.Count < 2 || rb.Live.Count < 2) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(2, ra.Live.Count);
            Assert.Equal(2, rb.Live.Count);

            await using var probe = await MqttProbe.ConnectAsync(broker.Port, "mesh/1/+/temperature");
            var sensors = Enumerable.Range(50, 8).Select(id => new MeshSensor((uint)id, udp)).ToList();
            try
            {
                for (int round = 0; round < 3; round++)
                {
                    foreach (MeshSensor s in sensors)
                    {
                        s.Report((Quantity.Temperature, round));
                    }
                }

                await probe.WaitForAsync(m => m.Count(x => !x.Retain) >= 24, what: "24 readings");
                await Task.Delay(2000); // longer than the hold-off: a duplicate would have arrived by now
                var keys = probe.Messages.Where(m => !m.Retain).Select(m =>
                {
                    JsonElement j = JsonDocument.Parse(m.Payload).RootElement;
                    return (j.GetProperty("node").GetUInt32(), j.GetProperty("sequence").GetUInt32());
                }).ToList();
                Assert.Equal(24, keys.Count);
                Assert.Equal(24, keys.Distinct().Count());

                MqttBridge ba = a.Services.GetRequiredService<MqttBridge>();
                MqttBridge bb = b.Services.GetRequiredService<MqttBridge>();
                Assert.Equal(24, ba.ReadingsPublished + bb.ReadingsPublished);
                Assert.True(ba.ReadingsPublished > 0 && bb.ReadingsPublished > 0, "rendezvous hashing shares the origins between the gateways");
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
