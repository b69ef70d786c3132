using System;
using System.IO;
using Mesh.Gateway.Provisioning;
using Mesh.NodeApp.Settings;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Xunit;

namespace Mesh.Gateway.Tests.Provisioning
{
    /// <summary>
    /// `mesh-gateway provision`: device keys generated per node in a private registry, the settings file a
    /// node starts from, and that a node built from that file is heard by a gateway built from the registry.
    /// </summary>
    public sealed class ProvisioningTests : IDisposable
    {
        private const string NetworkKeyHex = "5be81f0a93c47d2e6a0b9f13c8d4572e"; // random: patterned keys are refused
        private readonly string _dir = Directory.CreateTempSubdirectory("mesh-provision-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private int Provision(params string[] args)
        {
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            uint? node = null;
            string? output = null;
            uint? evict = null;
            for (int i = 0; i < args.Length; i++)
            {
                switch (args[i])
                {
                    case "--node": node = uint.Parse(args[++i]); break;
                    case "--out": output = args[++i]; break;
                    case "--evict": evict = uint.Parse(args[++i]); break;
                }
            }

            int rc = ProvisionCommand.Run(new[] { "--Mesh:Key=" + NetworkKeyHex, "--State:Directory=" + _dir, "--Mesh:RegistryFile=nodes.db" },
                node, output, readmit: false, list: false, evict, stdout, stderr);
            LastOut = stdout.ToString() + stderr.ToString();
            return rc;
        }

        private string LastOut { get; set; } = "";

        private static NodeSettings Read(string path)
        {
            var settings = new NodeSettings();
            Assert.Equal(0, NodeSettingsText.Parse(File.ReadAllText(path), settings, null));
            return settings;
        }

        [Fact]
        public void Each_node_gets_its_own_random_device_key_in_a_private_file_and_the_output_never_shows_it()
        {
            string a = Path.Combine(_dir, "a.conf");
            string b = Path.Combine(_dir, "b.conf");
            Assert.Equal(0, Provision("--node", "4660", "--out", a));
            string said = LastOut;
            Assert.Equal(0, Provision("--node", "4661", "--out", b));

            NodeSettings sa = Read(a);
            NodeSettings sb = Read(b);
            Assert.Equal(4660u, sa.NodeId);
            Assert.Equal(Convert.FromHexString(NetworkKeyHex), sa.Key);
            Assert.NotNull(sa.DeviceKey);
            Assert.NotEqual(sa.DeviceKey, sb.DeviceKey);
            Assert.Equal(1u, sa.SequenceStart);
            Assert.False(sa.SequenceStartLost);
            Assert.True(sa.NetworkTime > 1_700_000_000u, "a board without a clock starts from the provisioning time");
            Assert.DoesNotContain(KeyHex.Format(sa.DeviceKey!), said, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain(NetworkKeyHex, said, StringComparison.OrdinalIgnoreCase);
            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(a));
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(Path.Combine(_dir, "nodes.db")));
            }
        }

        [Fact]
        public void An_existing_settings_file_is_never_overwritten_and_an_evicted_node_is_not_readmitted_silently()
        {
            string a = Path.Combine(_dir, "a.conf");
            Assert.Equal(0, Provision("--node", "4660", "--out", a));
            Assert.Equal(2, Provision("--node", "4661", "--out", a));
            Assert.Contains("exists", LastOut);

            Assert.Equal(0, Provision("--evict", "4660"));
            Assert.Equal(1, Provision("--node", "4660", "--out", Path.Combine(_dir, "again.conf")));
            Assert.Contains("evicted", LastOut);

            using var registry = new NodeRegistry(Path.Combine(_dir, "nodes.db"));
            var table = new DeviceKeyTable();
            registry.LoadInto(table, DesktopCrypto.Instance);
            Assert.False(table.Contains(4660));
        }

        [Fact]
        public void After_a_key_refresh_new_nodes_get_the_refreshed_network_key_and_none_is_provisioned_while_one_runs()
        {
            byte[] refreshed = Convert.FromHexString("c61d9e2b7a05f48e3b9d1c6a2e7f5084");
            long id;
            using (var store = new KeyRefreshStore(Path.Combine(_dir, "nodes.db")))
            {
                id = store.Begin(0, 1, refreshed, TimeSpan.FromMinutes(1), new uint[] { 4660 }, Array.Empty<uint>(), DateTimeOffset.UtcNow);
            }

            Assert.Equal(1, Provision("--node", "4661", "--out", Path.Combine(_dir, "during.conf")));
            Assert.Contains("key refresh #" + id + " is in progress", LastOut);
            Assert.False(File.Exists(Path.Combine(_dir, "during.conf")));

            using (var store = new KeyRefreshStore(Path.Combine(_dir, "nodes.db")))
            {
                store.Finish(id, 1, refreshed, DateTimeOffset.UtcNow);
            }

            string path = Path.Combine(_dir, "after.conf");
            Assert.Equal(0, Provision("--node", "4661", "--out", path));
            NodeSettings s = Read(path);
            Assert.Equal(refreshed, s.Key);
            Assert.Equal(1, s.KeyIndex);
            Assert.DoesNotContain(KeyHex.Format(refreshed), LastOut, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void A_node_built_from_its_settings_file_is_heard_by_a_gateway_built_from_the_registry_and_no_one_else_can_read_it()
        {
            string path = Path.Combine(_dir, "n.conf");
            Assert.Equal(0, Provision("--node", "4660", "--out", path));
            NodeSettings s = Read(path);

            var gatewayKeys = new DeviceKeyTable();
            using (var registry = new NodeRegistry(Path.Combine(_dir, "nodes.db")))
            {
                registry.LoadInto(gatewayKeys, DesktopCrypto.Instance);
            }

            var key = new NetworkKey(s.Key!, DesktopCrypto.Instance);
            var sensor = new MeshNode(new NodeConfig
            {
                NodeId = s.NodeId, DeviceKey = new DeviceKey(s.NodeId, s.DeviceKey!, s.DeviceKeyIndex, DesktopCrypto.Instance),
                InitialNetworkTime = s.NetworkTime, RequireCheckpointConfirmation = false,
            }, key, new XorShiftRandom(1), 0);
            var gateway = new MeshNode(new NodeConfig
            {
                NodeId = 0xFF0001, Role = NodeRole.Bridge, DeviceKeys = gatewayKeys, RequireCheckpointConfirmation = false,
                InitialNetworkTime = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            }, key, new XorShiftRandom(2), 0);
            var insider = new MeshNode(new NodeConfig
            {
                NodeId = 77, Role = NodeRole.Bridge, RequireCheckpointConfirmation = false,
                DeviceKeys = new DerivedDeviceKeys(s.Key!, DesktopCrypto.Instance), // guesses keys the demo way
            }, key, new XorShiftRandom(3), 0);

            var set = new ReadingSet();
            set.Add(Quantity.Temperature, 21.5);
            Assert.Equal(SendResult.Queued, sensor.SendReadings(set, 0));
            var frame = new byte[FrameLayout.MaxFrameSize];
            Assert.True(sensor.TryTakeTransmit(0, frame, 0, out int length));

            Assert.Equal(RejectReason.None, gateway.Receive(frame, 0, length, -60, 0));
            var e = new MeshEvent();
            Assert.True(gateway.TryTakeEvent(e));
            var got = new ReadingSet();
            Assert.True(got.TryDecode(e.Payload, 0, e.PayloadLength));
            Assert.Equal(21.5, got.ValueAt(0), 6);

            Assert.Equal(RejectReason.BadPayloadMic, insider.Receive(frame, 0, length, -60, 0));
            Assert.False(insider.TryTakeEvent(e));
        }
    }
}
