using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading.Tasks;
using Mesh.Gateway.Provisioning;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Xunit;

namespace Mesh.Gateway.Tests.KeyRefresh
{
    /// <summary>
    /// Key refresh and eviction (PROTOCOL.md, "Key refresh and eviction"), end to end: a gateway with a
    /// registry, three provisioned in-process sensors on loopback UDP, one of them a stolen board.
    /// </summary>
    public sealed class KeyRefreshTests
    {
        private const uint A = 11, B = 12, Stolen = 13;

        /// <summary>A state folder whose registry holds <paramref name="nodes"/>; returns their device keys.</summary>
        private static Dictionary<uint, DeviceKey> Provision(string directory, params uint[] nodes)
        {
            var keys = new Dictionary<uint, DeviceKey>();
            using var registry = new NodeRegistry(Path.Combine(directory, "mesh-nodes.db"));
            foreach (uint n in nodes)
            {
                (byte[] key, int index) = registry.Provision(n, DateTimeOffset.UtcNow);
                keys[n] = new DeviceKey(n, key, index, DesktopCrypto.Instance);
            }

            return keys;
        }

        private static Task<TestGateway> StartAsync(string directory, int udp) =>
            TestGateway.StartAsync(s => s["Mesh:DeriveDeviceKeys"] = "false", directory, udp);

        private static NetworkKey FirstKey() => new(Convert.FromHexString(TestGateway.KeyHex), DesktopCrypto.Instance);

        private static async Task WaitAsync(Func<bool> condition, string what, int seconds = 30)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
            while (!condition())
            {
                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("not met: " + what);
                }

                await Task.Delay(50);
            }
        }

        [Fact]
        public async Task An_evicted_node_cannot_inject_text_once_evicted()
        {
            string dir = TempDirectory.Create("keyref-attack");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A, B, Stolen);
            using (var registry = new NodeRegistry(Path.Combine(dir, "mesh-nodes.db")))
            {
                Assert.True(registry.Evict(Stolen, DateTimeOffset.UtcNow)); // mesh-gateway provision --evict 13
            }

            await using TestGateway gateway = await StartAsync(dir, udp);
            await using var stolen = new MeshSensor(Stolen, udp, FirstKey(), keys[Stolen]);
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/" + Stolen + "/#");

            long refusedBefore = gateway.Mesh.RejectedCount(RejectReason.UnknownKey) + gateway.Mesh.RejectedCount(RejectReason.BadMic);
            stolen.Text("open the valve");
            await WaitAsync(() => probe.Messages.Count > 0
                || gateway.Mesh.RejectedCount(RejectReason.UnknownKey) + gateway.Mesh.RejectedCount(RejectReason.BadMic) > refusedBefore,
                "the stolen board's text is either published or refused");
            Assert.Empty(probe.Messages);
        }
    }
}
