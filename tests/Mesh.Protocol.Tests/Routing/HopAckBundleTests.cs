using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>PROTOCOL.md "7 · Hop ack": a gateway bundles its hop acks; its children wait for the bundle; an entry counts only at the child that sent that frame to the gateway.</summary>
    public class HopAckBundleTests
    {
        private const uint Attacker = 50;

        /// <summary>The gateway's bundle wait, the core's default (NodeConfig.HopAckBundleMs).</summary>
        private const int Bundle = (int)Mesh.Protocol.Node.NodeConfig.DefaultHopAckBundleMs;

        /// <summary>Gateway 1 with children 2 and 3, which do not hear each other.</summary>
        private static InMemoryMesh Star()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            mesh.Add(Sensor(2));
            mesh.Add(Sensor(3));
            mesh.Link(1, 2);
            mesh.Link(1, 3);
            return mesh;
        }

        [Fact]
        public void A_gateway_acknowledges_two_childrens_readings_with_one_hop_ack_to_every_neighbour()
        {
            var mesh = Star();
            mesh.RunFor(60_000);
            int before = mesh.Log.Count;
            uint a = SendReading(mesh, 2);
            mesh.RunFor(100);
            uint b = SendReading(mesh, 3);
            mesh.RunFor(Bundle + 2_000);

            Assert.True(Delivered(mesh, 1, 2, a));
            Assert.True(Delivered(mesh, 1, 3, b));
            var acks = mesh.Log.Skip(before).Where(t => t.Type == MessageType.HopAck).ToList();
            Assert.Single(acks);
            Assert.Equal(1u, acks[0].Node);
            Assert.Equal(NodeAddress.Broadcast, acks[0].Destination);
            Assert.Equal(2, mesh[1].Routing!.HopAckEntriesSent);

            // Both children waited for the bundle (hop-ack timeout + bundle wait) instead of retransmitting.
            foreach (uint child in new uint[] { 2, 3 })
            {
                Assert.Equal(0, mesh[child].Routing!.Retransmissions);
                Assert.Equal(0, mesh[child].Routing!.Upward.Count);
                Assert.Equal(1, mesh[child].Routing!.HopAcksHeard);
            }
        }

        [Fact]
        public void A_lone_reading_is_acknowledged_to_its_sender_when_the_bundle_wait_ends()
        {
            var mesh = Star();
            mesh.RunFor(60_000);
            int before = mesh.Log.Count;
            long sent = mesh.Now;
            uint a = SendReading(mesh, 2);
            mesh.RunFor(Bundle + 2_000);

            Assert.True(Delivered(mesh, 1, 2, a));
            var ack = Assert.Single(mesh.Log.Skip(before), t => t.Type == MessageType.HopAck);
            Assert.Equal(2u, ack.Destination);
            Assert.InRange(ack.TimeMs - sent, Bundle, Bundle + 250);
            Assert.Equal(0, mesh[2].Routing!.Retransmissions);
            Assert.Equal(0, mesh[2].Routing!.Upward.Count);
        }

        [Fact]
        public void A_gateways_child_waits_as_long_as_the_gateways_acks_take()
        {
            // Gateway 1 with children 2 … 9. Lone readings are acknowledged when the bundle wait ends
            // (the bundle wait): the child's timer learns to wait that long. Eight readings at once fill a bundle,
            // which leaves at once: the children learn that the gateway answers fast, so a lost bundle
            // would be retransmitted after ~the hop-ack timeout instead of the whole bundle wait.
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            for (uint c = 2; c <= 9; c++)
            {
                mesh.Add(Sensor(c));
                mesh.Link(1, c);
            }

            mesh.RunFor(60_000);
            var lone = mesh[2].Routing!.GatewayAckTimer!;
            Assert.Equal(250 + Bundle, lone.TimeoutMs); // no sample yet: the longest wait
            Assert.Equal(Bundle, lone.DelayMs);
            for (int i = 0; i < 6; i++)
            {
                SendReading(mesh, 2);
                mesh.RunFor(Bundle + 2_000);
            }

            Assert.InRange(lone.DelayMs, Bundle - 100, Bundle + 250);
            Assert.Equal(250 + Bundle, lone.TimeoutMs);
            Assert.Equal(0, mesh[2].Routing!.Retransmissions);

            // The maximum comes down by 1/64 of the difference per fast answer: ~100 in a row to fall to 1/5.
            for (int i = 0; i < 150; i++)
            {
                for (uint c = 2; c <= 9; c++)
                {
                    SendReading(mesh, c);
                }

                mesh.RunFor(1_000);
            }

            for (uint c = 3; c <= 9; c++)
            {
                var timer = mesh[c].Routing!.GatewayAckTimer!;
                Assert.InRange(timer.DelayMs, 0, 200);
                Assert.InRange(timer.TimeoutMs, 250, 450);
                Assert.Equal(0, mesh[c].Routing!.Upward.Count);
            }

            // The gateway is idle again. Lone readings wait too little at first: each timeout doubles the
            // wait (back-off) until it covers the bundle wait — a few retransmissions, once; after that a lone
            // reading waits the whole bundle wait and is not retransmitted.
            long before = mesh[2].Routing!.Retransmissions;
            for (int i = 0; i < 3; i++)
            {
                SendReading(mesh, 2);
                mesh.RunFor(Bundle + 2_000);
            }

            long settled = mesh[2].Routing!.Retransmissions;
            Assert.InRange(settled - before, 1, 4);
            SendReading(mesh, 2);
            mesh.RunFor(Bundle + 2_000);
            Assert.Equal(settled, mesh[2].Routing!.Retransmissions);
            Assert.InRange(lone.DelayMs, Bundle - 100, Bundle + 250);
        }

        [Fact]
        public void Eight_entries_leave_at_once_without_waiting()
        {
            var bundle = new HopAckBundle();
            for (uint i = 0; i < 7; i++)
            {
                bundle.Add(10 + i, 10 + i, 1, 5_000);
                Assert.False(bundle.IsFull);
            }

            bundle.Add(10, 10, 1, 9_000); // the same frame again is listed once
            Assert.Equal(7, bundle.Count);
            Assert.Equal(5_000, bundle.DueMs);
            bundle.Add(30, 30, 2, 9_000);
            Assert.True(bundle.IsFull);

            var ack = new HopAck();
            Assert.Equal(NodeAddress.Broadcast, bundle.TakeInto(ack));
            Assert.Equal(8, ack.Count);
            Assert.Equal(0, bundle.Count);
            Assert.Equal(long.MaxValue, bundle.DueMs);
        }

        [Fact]
        public void A_hop_ack_to_every_neighbour_from_a_node_that_is_not_the_next_hop_acknowledges_nothing()
        {
            var mesh = Star();
            mesh.AddRadio(Attacker);
            mesh.Link(Attacker, 2);
            mesh.RunFor(60_000);
            mesh.Kill(1);
            uint seq = SendReading(mesh, 2);
            mesh.RunFor(2);

            // An insider's bundle lists node 2's frame, which 2 sent to the gateway: it releases nothing.
            var ack = new HopAck { Count = 1 };
            ack.Origins[0] = 2;
            ack.Sequences[0] = seq;
            byte[] payload = new byte[HopAck.MaxSize];
            int n = ack.Encode(payload, 0);
            byte[] insider = Forge(MessageType.HopAck, Attacker, NodeAddress.Broadcast, 1, mesh[2].NetworkTime(mesh.Now), payload.Take(n).ToArray(), mesh.Key);
            mesh.Inject(Attacker, insider);
            mesh.RunFor(5);
            Assert.Equal(RejectReason.None, mesh.Results[2].Last());
            Assert.Equal(1, mesh[2].Routing!.Upward.Count);
        }

        [Fact]
        public void Bundling_off_sends_one_hop_ack_per_reading_at_once()
        {
            var mesh = new InMemoryMesh();
            var gateway = Gateway(1);
            gateway.HopAckBundleMs = 0;
            mesh.Add(gateway);
            var sensor = Sensor(2);
            sensor.HopAckBundleMs = 0;
            mesh.Add(sensor);
            mesh.Link(1, 2);
            mesh.RunFor(60_000);
            int before = mesh.Log.Count;
            long sent = mesh.Now;
            uint a = SendReading(mesh, 2);
            mesh.RunFor(1_000);
            Assert.True(Delivered(mesh, 1, 2, a));
            var ack = Assert.Single(mesh.Log.Skip(before), t => t.Type == MessageType.HopAck);
            Assert.InRange(ack.TimeMs - sent, 0, 250);
            Assert.Null(mesh[1].Routing!.AckBundle);
        }
    }
}
