using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Net.Http;
using System.Text.Json;
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
        internal static Dictionary<uint, DeviceKey> Provision(string directory, params uint[] nodes)
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

        internal static Task<TestGateway> StartAsync(string directory, int udp) =>
            TestGateway.StartAsync(s =>
            {
                s["Mesh:DeriveDeviceKeys"] = "false"; // a registry, as in production
                s["Logging:LogLevel:Mesh.Gateway.KeyRefresh"] = "Information";
            }, directory, udp);

        private static async Task<JsonElement> StatusAsync(TestGateway gateway)
        {
            string json = await gateway.Http.GetStringAsync("/api/keys/refresh");
            return JsonDocument.Parse(json).RootElement.Clone();
        }

        private static async Task<JsonElement> WaitForStateAsync(TestGateway gateway, Func<JsonElement, bool> done, string what, int seconds = 60)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
            while (true)
            {
                JsonElement status = await StatusAsync(gateway);
                if (done(status))
                {
                    return status;
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException($"key refresh: {what} not reached; status {status}\n" + string.Join("\n", gateway.Logs.Lines));
                }

                await Task.Delay(100);
            }
        }

        private static int AckedPhase(JsonElement status, uint node) =>
            status.GetProperty("nodes").EnumerateArray().Where(n => n.GetProperty("node").GetUInt32() == node).Select(n => n.GetProperty("ackedPhase").GetInt32()).Single();

        private static uint[] Nodes(JsonElement status, string list) => status.GetProperty(list).EnumerateArray().Select(e => e.GetUInt32()).ToArray();

        private static long Refused(TestGateway g) => g.Mesh.RejectedCount(RejectReason.UnknownKey) + g.Mesh.RejectedCount(RejectReason.BadMic);

        private static NetworkKey FirstKey() => new(Convert.FromHexString(TestGateway.KeyHex), DesktopCrypto.Instance);

        [Fact]
        public async Task An_evicted_board_keeps_injecting_until_a_key_refresh_cuts_it_off_while_the_kept_nodes_carry_on()
        {
            string dir = TempDirectory.Create("keyref");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A, B, Stolen);
            await using TestGateway gateway = await StartAsync(dir, udp);
            await using var a = new MeshSensor(A, udp, FirstKey(), keys[A]);
            await using var b = new MeshSensor(B, udp, FirstKey(), keys[B]);
            await using var stolen = new MeshSensor(Stolen, udp, FirstKey(), keys[Stolen]);
            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/+/+");

            // The attack: the board was stolen; marking it evicted does not take the network key back.
            using (var registry = new NodeRegistry(Path.Combine(dir, "mesh-nodes.db")))
            {
                Assert.True(registry.Evict(Stolen, DateTimeOffset.UtcNow)); // mesh-gateway provision --evict 13
            }

            stolen.Text("open the valve");
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{Stolen}/text"), what: "the evicted board's text, published before the refresh (the attack)");

            HttpResponseMessage started = await gateway.Http.PostAsync("/api/keys/refresh", TestGateway.Json($"{{\"evict\": [{Stolen}], \"deadline_seconds\": 20}}"));
            Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
            JsonElement done = await WaitForStateAsync(gateway, s => s.GetProperty("state").GetString() == "done", "done");

            // "done" is stored before the gateway drops the old key and logs the end (a restart from there loads the
            // new key alone), so the status can say it a moment before the last step has run.
            await Poll.UntilAsync(() => gateway.Logs.Lines.Any(l => l.Contains("key refresh #") && l.Contains("done")), "the refresh's last step logged", 10);

            Assert.Equal(1, done.GetProperty("newIndex").GetInt32());
            Assert.Equal(3, AckedPhase(done, A));
            Assert.Equal(3, AckedPhase(done, B));
            Assert.DoesNotContain(Stolen, done.GetProperty("nodes").EnumerateArray().Select(n => n.GetProperty("node").GetUInt32()));
            Assert.Equal(new[] { Stolen }, Nodes(done, "evicted"));
            Assert.Empty(Nodes(done, "notAnswered"));
            Assert.Equal(1, gateway.Mesh.NetworkKeyIndex);
            Assert.Equal(0, gateway.Mesh.NetworkKeyPhase);
            foreach (MeshSensor kept in new[] { a, b })
            {
                Assert.Equal((1, false), kept.With(n => (n.NetworkKeys.Current.Index, n.NetworkKeys.Next != null)));
                Assert.Equal(new[] { (1, 1), (1, 2), (1, 3) }, kept.With(_ => kept.KeyChanges.Distinct().ToList()));
            }

            Assert.Equal(0, stolen.With(n => n.NetworkKeys.Current.Index));
            foreach (string phase in new[] { "phase 1", "phase 2", "phase 3", "now sends under network key index 1", "done" })
            {
                Assert.Contains(gateway.Logs.Lines, l => l.Contains("key refresh #") && l.Contains(phase));
            }

            // The kept nodes deliver under the new key; commands to them still work.
            a.Report((Quantity.Temperature, 21.5));
            b.Report((Quantity.Temperature, 22.5));
            await probe.WaitForAsync(m => m.Any(x => x.Topic == $"mesh/1/{A}/temperature" && x.Payload.Contains("21.5"))
                && m.Any(x => x.Topic == $"mesh/1/{B}/temperature" && x.Payload.Contains("22.5")), what: "both kept nodes' readings under the new key");
            HttpResponseMessage ping = await gateway.Http.PostAsync($"/api/nodes/{A}/commands/ping", TestGateway.Json("{}"));
            Assert.Equal(HttpStatusCode.OK, ping.StatusCode);

            // The stolen board is cut off: its frames fail at the network key, before anything is opened.
            long refusedBefore = Refused(gateway);
            int published = probe.Messages.Count(x => x.Topic.StartsWith($"mesh/1/{Stolen}/", StringComparison.Ordinal));
            stolen.Report((Quantity.Temperature, 99.0));
            stolen.Text("open the valve");
            await Poll.UntilAsync(() => Refused(gateway) >= refusedBefore + 2, "both of the evicted board's frames refused");
            Assert.True(gateway.Mesh.RejectedCount(RejectReason.UnknownKey) >= 2);
            await Task.Delay(500);
            Assert.Equal(published, probe.Messages.Count(x => x.Topic.StartsWith($"mesh/1/{Stolen}/", StringComparison.Ordinal)));
        }

        [Fact]
        public async Task A_gateway_restarted_in_phase_1_resumes_and_lists_the_node_that_never_answered()
        {
            const uint Offline = 14;
            string dir = TempDirectory.Create("keyref-restart1");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A, B, Offline);
            await using var a = new MeshSensor(A, udp, FirstKey(), keys[A]);
            await using var b = new MeshSensor(B, udp, FirstKey(), keys[B]);
            await using (TestGateway first = await StartAsync(dir, udp))
            {
                HttpResponseMessage started = await first.Http.PostAsync("/api/keys/refresh", TestGateway.Json("{\"deadline_seconds\": 10}"));
                Assert.Equal(HttpStatusCode.Accepted, started.StatusCode);
                HttpResponseMessage again = await first.Http.PostAsync("/api/keys/refresh", TestGateway.Json(""));
                Assert.Equal(HttpStatusCode.Conflict, again.StatusCode);
                Assert.Contains("already running", await again.Content.ReadAsStringAsync());

                // A and B have the new key; node 14 is off, so phase 1 waits for it: stop the gateway now.
                JsonElement mid = await WaitForStateAsync(first, s => AckedPhase(s, A) == 1 && AckedPhase(s, B) == 1, "A and B acknowledged phase 1");
                Assert.Equal(1, mid.GetProperty("phase").GetInt32());
                Assert.Equal("running", mid.GetProperty("state").GetString());
            }

            await using TestGateway second = await StartAsync(dir, udp);
            Assert.Equal(1, second.Mesh.NetworkKeyPhase); // it accepts the new key beside the old one straight away
            JsonElement done = await WaitForStateAsync(second, s => s.GetProperty("state").GetString() == "done", "done after the restart");
            Assert.Equal(new[] { Offline }, Nodes(done, "notAnswered"));
            Assert.Equal(3, AckedPhase(done, A));
            Assert.Equal(3, AckedPhase(done, B));
            Assert.Equal(0, AckedPhase(done, Offline));
            Assert.Contains(second.Logs.Lines, l => l.Contains("resuming after a restart at phase 1"));
            Assert.Contains(second.Logs.Lines, l => l.Contains("no acknowledgement from node(s) 14"));
            Assert.Equal(1, a.With(n => n.NetworkKeys.Current.Index));

            await using var probe = await MqttProbe.ConnectAsync(second.BrokerPort, $"mesh/1/{A}/temperature");
            a.Report((Quantity.Temperature, 19.25));
            await probe.WaitForAsync(m => m.Any(x => x.Payload.Contains("19.25")), what: "A's reading under the new key");
            Assert.Equal(HttpStatusCode.OK, (await second.Http.PostAsync($"/api/nodes/{B}/commands/ping", TestGateway.Json("{}"))).StatusCode);
        }

        [Fact]
        public async Task A_node_that_restarted_after_phase_1_and_lost_the_new_key_is_given_it_again_in_phase_2()
        {
            const uint Offline = 14;
            string dir = TempDirectory.Create("keyref-lost");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A, B, Offline);
            await using TestGateway gateway = await StartAsync(dir, udp);
            await using var b = new MeshSensor(B, udp, FirstKey(), keys[B]);
            MeshSensor a = new(A, udp, FirstKey(), keys[A]);
            try
            {
                Assert.Equal(HttpStatusCode.Accepted, (await gateway.Http.PostAsync("/api/keys/refresh", TestGateway.Json("{\"deadline_seconds\": 10}"))).StatusCode);
                await WaitForStateAsync(gateway, s => AckedPhase(s, A) == 1, "A acknowledged phase 1");

                // A reboots while phase 1 waits for node 14: it comes back with the old key alone (the node
                // application keeps the new one in RAM until phase 3), its sequence above what it sent.
                await a.DisposeAsync();
                a = new MeshSensor(A, udp, FirstKey(), keys[A], initialSequence: 1_000_000);

                JsonElement done = await WaitForStateAsync(gateway, s => s.GetProperty("state").GetString() == "done", "done");
                Assert.Equal(3, AckedPhase(done, A));
                Assert.Equal(new[] { Offline }, Nodes(done, "notAnswered"));
                Assert.Equal((1, false), a.With(n => (n.NetworkKeys.Current.Index, n.NetworkKeys.Next != null)));
                Assert.Contains(gateway.Logs.Lines, l => l.Contains($"node {A} refused phase 2: it no longer holds key 1"));
            }
            finally
            {
                await a.DisposeAsync();
            }
        }

        [Fact]
        public async Task A_gateway_restarted_after_switching_keys_resumes_under_the_new_key_and_keeps_it_across_later_restarts()
        {
            string dir = TempDirectory.Create("keyref-restart2");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A, B);
            byte[] secret = Convert.FromHexString("8d2f4a6c1e9b3705d4c8e2a17f6b5039");

            // Where a gateway stopped right after phase 2: every node and the gateway send under index 1.
            using (var store = new KeyRefreshStore(Path.Combine(dir, "mesh-nodes.db")))
            {
                long id = store.Begin(0, 1, secret, TimeSpan.FromSeconds(20), new[] { A, B }, Array.Empty<uint>(), DateTimeOffset.UtcNow);
                foreach (uint n in new[] { A, B })
                {
                    store.NodeAnswered(id, n, 1, "ok");
                    store.NodeAnswered(id, n, 2, "ok");
                }

                store.SetGatewayPhase(id, 2);
                store.SetPhase(id, 3);
            }

            await using var a = new MeshSensor(A, udp, FirstKey(), keys[A]);
            await using var b = new MeshSensor(B, udp, FirstKey(), keys[B]);
            foreach (MeshSensor s in new[] { a, b })
            {
                Assert.True(s.With(n => n.NetworkKeys.Distribute(new NetworkKey(secret, 1, DesktopCrypto.Instance)) && n.NetworkKeys.Advance(1, 2)));
            }

            await using (TestGateway gateway = await StartAsync(dir, udp))
            {
                // Restored before the mesh loop starts: it sends under the new key at once, as it did before stopping.
                Assert.Equal(1, gateway.Mesh.NetworkKeyIndex);
                JsonElement done = await WaitForStateAsync(gateway, s => s.GetProperty("state").GetString() == "done", "phase 3 done after the restart");
                Assert.Equal(3, AckedPhase(done, A));
                Assert.Equal(1, gateway.Mesh.NetworkKeyIndex);
                Assert.Equal((1, false), a.With(n => (n.NetworkKeys.Current.Index, n.NetworkKeys.Next != null)));
            }

            // Later starts run on the stored key alone (Mesh:Key still names the old one).
            await using TestGateway later = await StartAsync(dir, udp);
            Assert.Equal((1, 0), (later.Mesh.NetworkKeyIndex, later.Mesh.NetworkKeyPhase));
            await using var probe = await MqttProbe.ConnectAsync(later.BrokerPort, $"mesh/1/{B}/temperature");
            b.Report((Quantity.Temperature, 17.75));
            await probe.WaitForAsync(m => m.Any(x => x.Payload.Contains("17.75")), what: "B's reading after the next restart");
            Assert.Equal(HttpStatusCode.OK, (await later.Http.PostAsync($"/api/nodes/{A}/commands/ping", TestGateway.Json("{}"))).StatusCode);
        }

        [Fact]
        public async Task The_keys_command_refreshes_through_the_running_gateway_and_follows_it_to_the_end()
        {
            string dir = TempDirectory.Create("keyref-cli");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A, B);
            await using TestGateway gateway = await StartAsync(dir, udp);
            await using var a = new MeshSensor(A, udp, FirstKey(), keys[A]);
            await using var b = new MeshSensor(B, udp, FirstKey(), keys[B]);
            string[] config = { "--Mesh:Key=" + TestGateway.KeyHex, "--State:Directory=" + dir, "--Http:Urls=" + gateway.Options.Http.Urls };

            var stdout = new StringWriter();
            var stderr = new StringWriter();
            int rc = await Task.Run(() => KeysCommand.Refresh(config, new[] { B }, "30s", follow: true, url: null, stdout, stderr, TimeSpan.FromMilliseconds(200)));
            Assert.True(rc == 0, stdout + "\n" + stderr);
            Assert.Contains("network key index 0 -> 1, 1 node(s), evicted 12", stdout.ToString());
            Assert.Contains("key refresh #1 done: index 0 -> 1, 1/1 node(s) acknowledged; evicted: 12", stdout.ToString());
            Assert.Equal(1, a.With(n => n.NetworkKeys.Current.Index));

            stdout.GetStringBuilder().Clear();
            Assert.Equal(0, KeysCommand.Status(config, null, stdout, stderr));
            Assert.Contains("done", stdout.ToString());

            // A second eviction of the same node is a new refresh; a malformed deadline is refused before anything is sent.
            Assert.Equal(2, KeysCommand.Refresh(config, Array.Empty<uint>(), "ten minutes", follow: false, url: null, stdout, stderr));
            Assert.Contains("--deadline", stderr.ToString());
        }

        [Fact]
        public async Task A_refresh_no_node_answers_stalls_on_the_old_key_and_a_second_request_resumes_it()
        {
            string dir = TempDirectory.Create("keyref-stall");
            int udp = Ports.UniqueUdp();
            Dictionary<uint, DeviceKey> keys = Provision(dir, A);
            await using TestGateway gateway = await StartAsync(dir, udp);
            Assert.Equal(HttpStatusCode.Accepted, (await gateway.Http.PostAsync("/api/keys/refresh", TestGateway.Json("{\"deadline_seconds\": 5}"))).StatusCode);
            JsonElement stalled = await WaitForStateAsync(gateway, s => s.GetProperty("state").GetString() == "stalled", "stalled");
            Assert.Equal(1, stalled.GetProperty("phase").GetInt32());
            Assert.Equal((0, 1), (gateway.Mesh.NetworkKeyIndex, gateway.Mesh.NetworkKeyPhase)); // still sends under the old key

            HttpResponseMessage evict = await gateway.Http.PostAsync("/api/keys/refresh", TestGateway.Json($"{{\"evict\": [{A}]}}"));
            Assert.Equal(HttpStatusCode.Conflict, evict.StatusCode);
            Assert.Contains("stalled", await evict.Content.ReadAsStringAsync());

            await using var a = new MeshSensor(A, udp, FirstKey(), keys[A]); // the node is back
            HttpResponseMessage resumed = await gateway.Http.PostAsync("/api/keys/refresh", TestGateway.Json("{\"deadline_seconds\": 20}"));
            Assert.Equal(HttpStatusCode.Accepted, resumed.StatusCode);
            Assert.Contains("resumed", await resumed.Content.ReadAsStringAsync());
            JsonElement done = await WaitForStateAsync(gateway, s => s.GetProperty("state").GetString() == "done", "done after resuming");
            Assert.Equal(1, done.GetProperty("refresh").GetInt64()); // the same refresh, the same new key
            Assert.Equal(3, AckedPhase(done, A));
            Assert.Equal(1, a.With(n => n.NetworkKeys.Current.Index));
        }

        [Fact]
        public async Task Refresh_requests_that_cannot_run_are_refused_with_a_reason()
        {
            string dir = TempDirectory.Create("keyref-errors");
            int udp = Ports.UniqueUdp();
            await using (TestGateway empty = await StartAsync(dir, udp))
            {
                HttpResponseMessage none = await empty.Http.PostAsync("/api/keys/refresh", TestGateway.Json(""));
                Assert.Equal(HttpStatusCode.Conflict, none.StatusCode);
                Assert.Contains("no provisioned node", await none.Content.ReadAsStringAsync());

                HttpResponseMessage unknown = await empty.Http.PostAsync("/api/keys/refresh", TestGateway.Json("{\"evict\": [77]}"));
                Assert.Equal(HttpStatusCode.BadRequest, unknown.StatusCode);
                Assert.Contains("not provisioned", await unknown.Content.ReadAsStringAsync());

                HttpResponseMessage bad = await empty.Http.PostAsync("/api/keys/refresh", TestGateway.Json("{\"evict\": \"13\"}"));
                Assert.Equal(HttpStatusCode.BadRequest, bad.StatusCode);

                using var anonymous = new HttpClient { BaseAddress = empty.Http.BaseAddress };
                HttpResponseMessage noToken = await anonymous.PostAsync("/api/keys/refresh", TestGateway.Json(""));
                Assert.Equal(HttpStatusCode.Unauthorized, noToken.StatusCode);
                Assert.Equal("idle", (await StatusAsync(empty)).GetProperty("state").GetString());
            }

            await using TestGateway demo = await TestGateway.StartAsync(); // device keys derived (demo/simulator): no registry
            HttpResponseMessage derived = await demo.Http.PostAsync("/api/keys/refresh", TestGateway.Json(""));
            Assert.Equal(HttpStatusCode.Conflict, derived.StatusCode);
            Assert.Contains("DeriveDeviceKeys", await derived.Content.ReadAsStringAsync());
        }
    }
}
