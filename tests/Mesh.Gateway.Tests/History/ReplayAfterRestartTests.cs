using System;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Wire;
using Xunit;

namespace Mesh.Gateway.Tests.History
{
    /// <summary>
    /// Attack 9 of the protocol issue, end to end: a reading captured on the air and re-sent just after the
    /// gateway restarted — inside the freshness window, when the gateway's RAM replay state is gone — is
    /// not published again: the gateway restores the newest sequence per node from its history.
    /// </summary>
    public sealed class ReplayAfterRestartTests
    {
        [Fact]
        public async Task A_reading_replayed_right_after_a_restart_is_refused_and_not_published_again()
        {
            string directory = TempDirectory.Create("gw-replay");
            int udp = Ports.UniqueUdp();
            await using var sensor = new MeshSensor(61, udp);
            await using (TestGateway first = await TestGateway.StartAsync(directory: directory, udpPort: udp))
            {
                await using var probe = await MqttProbe.ConnectAsync(first.BrokerPort, "mesh/1/61/temperature");
                sensor.Report((Quantity.Temperature, 18.5));
                await probe.WaitForAsync(m => m.Count == 1, what: "the reading before the restart");
                DateTime stored = DateTime.UtcNow.AddSeconds(20);
                while (!(await first.Http.GetStringAsync("/api/readings?node=61&quantity=temperature")).Contains("18.5") && DateTime.UtcNow < stored)
                {
                    await Task.Delay(100);
                }
            }

            await using TestGateway second = await TestGateway.StartAsync(directory: directory, udpPort: udp);
            await using var after = await MqttProbe.ConnectAsync(second.BrokerPort, "mesh/1/61/temperature");
            sensor.SendRaw(sensor.Sent[0]);
            await Poll.UntilAsync(() => second.Mesh.RejectedCount(RejectReason.Replayed) + second.Mesh.RejectedCount(RejectReason.TooOld) >= 1, "the replay is refused", 10);

            // A new reading still goes through, and it is the only one published after the restart.
            sensor.Report((Quantity.Temperature, 19.5));
            var got = await after.WaitForAsync(m => m.Count >= 1, what: "the new reading");
            Assert.Single(got);
            Assert.Contains("19.5", got[0].Payload);
        }
    }
}
