using System.Linq;
using System.Text;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// Structured routing within a duty-cycle budget (PROTOCOL.md, *Structured routing*): beacons take at most an
    /// eighth of the budget, a frame the duty cycle holds in the queue does not run down its hop-ack wait, and a
    /// gateway's hop-ack bundles are spaced to its budget. The in-memory harness's airtime model is ESP-NOW's
    /// (900 µs + 8 µs a byte).
    /// </summary>
    public class DutyCycleRoutingTests
    {
        private static int BeaconsOnAir(InMemoryMesh mesh, uint node, long fromMs = 0, long toMs = long.MaxValue) =>
            mesh.Log.Count(t => t.Node == node && t.Type == MessageType.Beacon && t.TimeMs >= fromMs && t.TimeMs < toMs);

        private static void SendBulk(InMemoryMesh mesh, uint node, int bytes)
        {
            byte[] text = Encoding.ASCII.GetBytes(new string('x', bytes));
            Assert.Equal(SendResult.Queued, mesh[node].SendText(text, 0, text.Length, NodeAddress.Broadcast, mesh.Now));
        }

        /// <summary>Gateway 1 and sensor 2 in range of each other; the sensor may send 0.2 % of each 10 s (20,000 µs).</summary>
        private static InMemoryMesh GatewayAndThriftySensor()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            NodeConfig sensor = Sensor(2);
            sensor.DutyCyclePermille = 2;
            mesh.Add(sensor);
            mesh.Link(1, 2);
            return mesh;
        }

        [Fact]
        public void Beacons_take_at_most_an_eighth_of_the_duty_budget_and_a_node_busy_with_data_still_beacons()
        {
            // Sensor 2: 0.2 % of 10 s, 20,000 µs; its beacons may take 2,500 µs of a window, one beacon of ~1.4 ms.
            // Two readings at boot (2 × 1,348 µs) are past that share by themselves: they must not silence the
            // beacons (counted on all the window's airtime, a 3,000-node run skipped 183,290 beacons at its busy relays).
            var mesh = GatewayAndThriftySensor();
            SendReading(mesh, 2, 20);
            SendReading(mesh, 2, 21);
            mesh.RunFor(10_000);
            Assert.Equal(1, BeaconsOnAir(mesh, 2)); // Trickle (Imin 1 s) asked for more: the share allows one
            Assert.True(mesh[2].Routing!.BeaconsDutySkipped >= 1);
            Assert.Equal(0, mesh[2].Counters.DutyCycleDeferrals); // the readings themselves never waited

            // One beacon at a time: a second would pass 2,500 µs, so at most one in any window (10 s).
            mesh.RunFor(120_000);
            int sent = BeaconsOnAir(mesh, 2);
            Assert.InRange(sent, 2, 14);
            long[] times = mesh.Log.Where(t => t.Node == 2 && t.Type == MessageType.Beacon).Select(t => t.TimeMs).ToArray();
            for (int i = 1; i < times.Length; i++)
            {
                Assert.True(times[i] - times[i - 1] >= 10_000, $"beacons at {times[i - 1]} and {times[i]} ms");
            }

            // The gateway (default 10 % budget) is not held back at all, and both readings arrived.
            Assert.Equal(0, mesh[1].Routing!.BeaconsDutySkipped);
            Assert.True(Delivered(mesh, 1, 2, 0) || DeliveredCount(mesh, 1, 2, 1) == 1);
        }

        [Fact]
        public void An_insider_pleading_for_a_route_cannot_spend_more_than_an_eighth_of_a_nodes_budget_on_beacons()
        {
            // 1 gateway - 2 sensor (0.2 % of 10 s); 9 is an insider in range of 2 that beacons "no route" every
            // 200 ms: each is a plea for a node with a route (one beacon within Imin, answered again once sent).
            var mesh = GatewayAndThriftySensor();
            mesh.AddRadio(9);
            mesh.Link(9, 2);
            mesh.RunFor(30_000);
            Assert.Equal(1u, mesh[2].Routing!.Gradient.Parent);

            long from = mesh.Now;
            for (uint seq = 1; seq <= 300; seq++)
            {
                byte[] noRoute = Forge(MessageType.Beacon, 9, NodeAddress.Broadcast, seq, mesh[2].NetworkTime(mesh.Now),
                    BeaconPayload(false, Beacon.NoCost, Beacon.NoHops, 0, 0), mesh.Key);
                mesh.Inject(9, noRoute);
                mesh.RunFor(200);
            }

            // 60 s of pleas: at most one beacon (~1.4 ms of the 2,500 µs beacon share) in any eleven tenths.
            Assert.InRange(BeaconsOnAir(mesh, 2, from), 1, 7);
            Assert.True(mesh[2].Routing!.BeaconsDutySkipped > 0);

            // The node's own reading still leaves at once: the beacons left it seven eighths of the budget.
            uint r = SendReading(mesh, 2);
            mesh.RunFor(1);
            Assert.Single(mesh.Log, t => t.Node == 2 && t.Type == MessageType.Readings && t.Sequence == r);
            Assert.Equal(0, mesh[2].Counters.DutyCycleDeferrals);
            mesh.RunFor(5_000);
            Assert.True(Delivered(mesh, 1, 2, r));
        }

        [Fact]
        public void A_frame_held_by_the_duty_cycle_starts_its_hop_ack_wait_on_air_and_uses_no_retry()
        {
            // 1 gateway - 2 sensor (0.1 % of 10 s: 10,000 µs). Four 150-byte texts (4 × 2,500 µs) leave first;
            // a reading (1,348 µs) then no longer fits and waits ~10 s for budget, far past the 250-ms hop-ack wait.
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            NodeConfig sensor = Sensor(2);
            sensor.DutyCyclePermille = 1;
            mesh.Add(sensor);
            mesh.Link(1, 2);
            mesh.RunFor(30_000);
            Assert.Equal(1u, mesh[2].Routing!.Gradient.Parent);

            mesh.RunFor(10_000 - mesh.Now % 10_000 + 1); // the start of a window with nothing sent in it yet
            for (int i = 0; i < 4; i++)
            {
                SendBulk(mesh, 2, 150);
            }

            mesh.RunFor(1);
            long queuedAt = mesh.Now;
            uint r = SendReading(mesh, 2);
            mesh.RunFor(60_000);

            var copies = mesh.Log.Where(t => t.Node == 2 && t.Type == MessageType.Readings && t.Sequence == r).ToArray();
            Assert.Single(copies); // never retransmitted while it waited
            Assert.True(copies[0].TimeMs - queuedAt >= 9_000, $"left after {copies[0].TimeMs - queuedAt} ms");
            Assert.True(mesh[2].Routing!.DutyHeldWaits >= 1);
            Assert.Equal(0, mesh[2].Routing!.Retransmissions);
            Assert.Equal(0, mesh[2].Routing!.LinkFailures);
            Assert.Equal(1u, mesh[2].Routing!.Gradient.Parent);
            Assert.Equal(1, DeliveredCount(mesh, 1, 2, r));
            Assert.Equal(0, mesh[2].Routing!.Upward.Count); // the gateway's hop ack released it
        }

        [Fact]
        public void Without_a_binding_duty_cycle_nothing_changes()
        {
            // ESP-NOW's 10 % never binds in a quiet line: no beacon skipped, no wait restarted.
            InMemoryMesh mesh = LineWithGateway(3);
            mesh.RunFor(30_000);
            for (int i = 0; i < 5; i++)
            {
                SendReading(mesh, 4, 20 + i);
                mesh.RunFor(2_000);
            }

            mesh.RunFor(10_000);
            for (uint n = 1; n <= 4; n++)
            {
                Assert.Equal(0, mesh[n].Routing!.BeaconsDutySkipped);
                Assert.Equal(0, mesh[n].Routing!.DutyHeldWaits);
            }
        }

        [Fact]
        public void A_gateways_bundle_wait_is_spaced_to_its_duty_budget_and_its_children_wait_as_long()
        {
            // ESP-NOW (900 µs + 8 µs a byte, 10 %): a full bundle, 34 + 65 + 8 = 107 bytes, is 1,756 µs; twice that
            // per 100 permille is 35 ms, below the configured wait, which stays.
            var c = new NodeConfig { NodeId = 1 };
            Assert.Equal(NodeConfig.DefaultHopAckBundleMs, StructuredRouting.BundleMs(c));

            // LoRa-like (200 ms + 8 ms a byte, 1 %): 1,056,000 µs a full bundle, × 2 / 10 permille = 211.2 s.
            c.AirtimeOverheadUs = 200_000;
            c.AirtimeUsPerByte = 8_000;
            c.DutyCyclePermille = 10;
            Assert.Equal(211_200, StructuredRouting.BundleMs(c));

            // No limit, or bundles off: the configured wait.
            c.DutyCyclePermille = 1000;
            Assert.Equal(NodeConfig.DefaultHopAckBundleMs, StructuredRouting.BundleMs(c));
            c.DutyCyclePermille = 10;
            c.HopAckBundleMs = 0;
            Assert.Equal(0, StructuredRouting.BundleMs(c));

            // Both ends use it: the gateway bundles that long, a child's longest wait for the gateway covers it.
            c.HopAckBundleMs = 1000;
            c.IsGateway = true;
            var gateway = new StructuredRouting(c, 0, new XorShiftRandom(1));
            Assert.Equal(211_200, gateway.HopAckBundleMs);
            var child = new NodeConfig { NodeId = 2, AirtimeOverheadUs = 200_000, AirtimeUsPerByte = 8_000, DutyCyclePermille = 10 };
            var r = new StructuredRouting(child, 0, new XorShiftRandom(2));
            Assert.Equal(211_200, r.HopAckBundleMs);
            Assert.Equal(child.HopAckTimeoutMs + 211_200, r.GatewayAckTimer!.TimeoutMs);
        }
    }
}
