using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mesh.Gateway.Provisioning;
using Microsoft.Data.Sqlite;
using Xunit;

namespace Mesh.Gateway.Tests.Provisioning
{
    /// <summary>
    /// `mesh-gateway provision --gateway`: the registry a second gateway on the mesh starts from — every
    /// device key it must open readings with, the network key, its own device key — written private and
    /// never shown; the gateway is registered as one so key refreshes command it.
    /// </summary>
    public sealed class GatewayProvisioningTests : IDisposable
    {
        private const string NetworkKeyHex = "7d20c4e9a15b38f6e02a9c4b71d5836f"; // random: patterned keys are refused
        private const uint Self = 900, Other = 901;
        private readonly string _dir = Directory.CreateTempSubdirectory("mesh-provision-gw-").FullName;

        public void Dispose() => Directory.Delete(_dir, recursive: true);

        private string Registry => Path.Combine(_dir, "nodes.db");

        private string LastOut { get; set; } = "";

        private int Provision(uint node, string output, bool gateway)
        {
            var said = new StringWriter();
            int rc = ProvisionCommand.Run(new[] { "--Mesh:Key=" + NetworkKeyHex, "--State:Directory=" + _dir, "--Mesh:RegistryFile=nodes.db", "--Mesh:NodeId=" + Self },
                node, output, readmit: false, list: false, evict: null, said, said, gateway);
            LastOut = said.ToString();
            return rc;
        }

        /// <summary>Every device key in a registry file, as stored (hex), by node.</summary>
        private static Dictionary<uint, string> DeviceKeys(string path)
        {
            var keys = new Dictionary<uint, string>();
            using var db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
            db.Open();
            using SqliteCommand cmd = db.CreateCommand();
            cmd.CommandText = "SELECT node_id, device_key FROM nodes";
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                keys[(uint)r.GetInt64(0)] = r.GetString(1);
            }

            return keys;
        }

        [Fact]
        public void A_second_gateway_gets_a_private_registry_with_the_device_keys_and_the_network_key_and_nothing_secret_is_printed()
        {
            Assert.Equal(0, Provision(4660, Path.Combine(_dir, "a.conf"), gateway: false));
            Assert.Equal(0, Provision(4661, Path.Combine(_dir, "b.conf"), gateway: false));
            using (var registry = new NodeRegistry(Registry))
            {
                Assert.True(registry.Evict(4661, DateTimeOffset.UtcNow));
            }

            string exported = Path.Combine(_dir, "gateway-901.db");
            Assert.Equal(0, Provision(Other, exported, gateway: true));
            Assert.Contains("gateway 901 provisioned (device key index 0)", LastOut);

            if (!OperatingSystem.IsWindows())
            {
                Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite, File.GetUnixFileMode(exported));
            }

            // Registered here as a gateway (a key refresh commands it); this gateway's own key created as its first start would.
            using (var registry = new NodeRegistry(Registry))
            {
                Assert.True(registry.Find(Other)!.IsGateway);
                Assert.True(registry.Find(Self)!.IsGateway);
                Assert.False(registry.Find(4660)!.IsGateway);
            }

            Dictionary<uint, string> mine = DeviceKeys(Registry);
            Dictionary<uint, string> theirs = DeviceKeys(exported);
            Assert.Equal(new uint[] { Self, Other, 4660 }, theirs.Keys.OrderBy(k => k).ToArray()); // the evicted node is left out
            foreach (uint n in theirs.Keys)
            {
                Assert.Equal(mine[n], theirs[n]);
            }

            using (var copy = new NodeRegistry(exported))
            {
                Assert.True(copy.Find(Self)!.IsGateway);
                Assert.True(copy.Find(Other)!.IsGateway);
                Assert.Null(copy.Find(4661));
            }

            using (var store = new KeyRefreshStore(exported))
            {
                Assert.Equal(0, store.CurrentKey()!.Value.Index);
                Assert.Equal(Convert.FromHexString(NetworkKeyHex), store.CurrentKey()!.Value.Secret);
                Assert.Null(store.Latest());
            }

            foreach (string secret in mine.Values.Append(NetworkKeyHex))
            {
                Assert.DoesNotContain(secret, LastOut, StringComparison.OrdinalIgnoreCase);
            }
        }

        [Fact]
        public void After_a_key_refresh_the_exported_registry_carries_the_refreshed_key_and_none_is_exported_while_a_refresh_runs()
        {
            byte[] refreshed = Convert.FromHexString("a93e05c7d1f2684b0e7c3a9d15b2f846");
            long id;
            using (var store = new KeyRefreshStore(Registry))
            {
                id = store.Begin(0, 1, refreshed, TimeSpan.FromMinutes(1), new uint[] { 4660 }, Array.Empty<uint>(), DateTimeOffset.UtcNow);
            }

            Assert.Equal(1, Provision(Other, Path.Combine(_dir, "during.db"), gateway: true));
            Assert.Contains("in progress", LastOut);
            Assert.False(File.Exists(Path.Combine(_dir, "during.db")));

            using (var store = new KeyRefreshStore(Registry))
            {
                store.Finish(id, 1, refreshed, DateTimeOffset.UtcNow);
            }

            string exported = Path.Combine(_dir, "after.db");
            Assert.Equal(0, Provision(Other, exported, gateway: true));
            using (var store = new KeyRefreshStore(exported))
            {
                Assert.Equal(1, store.CurrentKey()!.Value.Index);
                Assert.Equal(refreshed, store.CurrentKey()!.Value.Secret);
                Assert.Null(store.Latest()); // the refresh this gateway drove is not the other one's
            }

            Assert.DoesNotContain(Convert.ToHexString(refreshed), LastOut, StringComparison.OrdinalIgnoreCase);
        }

        [Fact]
        public void An_export_carries_this_gateways_command_counter_floor_so_a_replaced_registry_reopens_no_command()
        {
            // Gateway 901's registry holds the counter of the last command of 900's it executed (a key refresh
            // phase); replacing it with a fresh export used to reset that, so a phase command captured before
            // could run on 901 again. The export now records 900's stored sequence checkpoint, less one: 900's
            // commands sent before the export are numbered below it (the checkpoint is above every sequence
            // used; the core refuses them as CommandReplayed), and 900 numbers from the checkpoint after a restart.
            File.WriteAllText(Path.Combine(_dir, "mesh-gateway.seq"), "5000");
            string first = Path.Combine(_dir, "first.db");
            Assert.Equal(0, Provision(Other, first, gateway: true));
            using (var counters = new CommandCounterStore(first))
            {
                Assert.Equal(new uint[] { Self, 4999 }, counters.Load());
            }

            File.WriteAllText(Path.Combine(_dir, "mesh-gateway.seq"), "5256"); // 900 ran on and stored its next checkpoint
            string again = Path.Combine(_dir, "again.db");
            Assert.Equal(0, Provision(Other, again, gateway: true));
            Assert.Contains("Restart this gateway before its next key refresh", LastOut);
            using (var counters = new CommandCounterStore(again))
            {
                Assert.Equal(new uint[] { Self, 5255 }, counters.Load());
            }
        }

        [Fact]
        public void Provisioning_a_gateway_again_keeps_its_key_and_this_gateway_a_node_id_or_an_existing_file_are_refused()
        {
            string first = Path.Combine(_dir, "first.db");
            Assert.Equal(0, Provision(Other, first, gateway: true));
            string again = Path.Combine(_dir, "again.db");
            Assert.Equal(0, Provision(Other, again, gateway: true));
            Assert.Contains("already provisioned (device key index 0, unchanged)", LastOut);
            Assert.Equal(DeviceKeys(first)[Other], DeviceKeys(again)[Other]);
            Assert.Equal(DeviceKeys(Registry)[Other], DeviceKeys(again)[Other]);

            byte[] before = File.ReadAllBytes(first);
            Assert.Equal(2, Provision(Other, first, gateway: true));
            Assert.Contains("exists", LastOut);
            Assert.Equal(before, File.ReadAllBytes(first));

            Assert.Equal(2, Provision(Self, Path.Combine(_dir, "self.db"), gateway: true));
            Assert.Contains("is this gateway", LastOut);

            Assert.Equal(0, Provision(4660, Path.Combine(_dir, "a.conf"), gateway: false));
            Assert.Equal(2, Provision(4660, Path.Combine(_dir, "node.db"), gateway: true));
            Assert.Contains("provisioned as a node", LastOut);
            Assert.False(File.Exists(Path.Combine(_dir, "self.db")) || File.Exists(Path.Combine(_dir, "node.db")));
        }

        [Fact]
        public void A_gateway_following_a_refresh_another_drives_provisions_nothing_until_it_is_over()
        {
            using (var store = new KeyRefreshStore(Registry))
            {
                store.FollowDistributed(1, Convert.FromHexString("3b8e0d51c7a29f64e1d07b3c95a2f186"));
            }

            Assert.Equal(1, Provision(4660, Path.Combine(_dir, "a.conf"), gateway: false));
            Assert.Contains("follows a key refresh another gateway drives", LastOut);
            Assert.Equal(1, Provision(Other, Path.Combine(_dir, "gw.db"), gateway: true));
            Assert.False(File.Exists(Path.Combine(_dir, "a.conf")) || File.Exists(Path.Combine(_dir, "gw.db")));

            using (var store = new KeyRefreshStore(Registry))
            {
                Assert.True(store.FollowSwitched(1));
                Assert.True(store.FollowRevoked(1, DateTimeOffset.UtcNow));
                Assert.False(store.FollowRevoked(1, DateTimeOffset.UtcNow)); // a retried phase 3: already stored
                Assert.Null(store.Followed());
                Assert.Equal(1, store.CurrentKey()!.Value.Index);
            }

            Assert.Equal(0, Provision(4660, Path.Combine(_dir, "a.conf"), gateway: false));
        }
    }
}
