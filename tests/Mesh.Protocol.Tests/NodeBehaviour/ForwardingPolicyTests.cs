using System.Linq;
using System.Text;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.NodeBehaviour
{
    public class ForwardingPolicyTests
    {
        private static NodeConfig NoJitter(uint id, PolicySettings policy, int hopLimit = 8)
        {
            NodeConfig c = InMemoryMesh.Config(id);
            policy.JitterMs = 0;
            c.Policy = policy;
            c.HopLimit = hopLimit;
            return c;
        }

        private static uint Broadcast(InMemoryMesh mesh, uint from, string text = "hello")
        {
            byte[] bytes = Encoding.UTF8.GetBytes(text);
            uint sequence = mesh[from].NextSequence;
            Assert.Equal(SendResult.Queued, mesh[from].SendText(bytes, 0, bytes.Length, NodeAddress.Broadcast, mesh.Now));
            return sequence;
        }

        private static int DeliveredCount(InMemoryMesh mesh, uint origin) =>
            mesh.Events.Count(kv => kv.Value.Any(e => e.Kind == MeshEventKind.Message && e.Origin == origin));

        [Fact]
        public void Flooding_on_a_line_every_node_transmits_once_in_order_of_distance()
        {
            var mesh = InMemoryMesh.Line(6, id => NoJitter(id, PolicySettings.Flooding()));
            uint seq = Broadcast(mesh, 1);
            mesh.RunFor(1000);

            var sends = mesh.TransmissionsOf(1, seq);
            Assert.Equal(new uint[] { 1, 2, 3, 4, 5, 6 }, sends.Select(t => t.Node).ToArray());
            Assert.Equal(new[] { 0, 1, 2, 3, 4, 5 }, sends.Select(t => t.HopsTaken).ToArray());
            for (int i = 1; i < sends.Count; i++)
            {
                Assert.True(sends[i].TimeMs > sends[i - 1].TimeMs);
            }

            Assert.Equal(5, DeliveredCount(mesh, 1));
        }

        [Fact]
        public void Flooding_on_a_grid_reaches_everyone_once_and_hop_counts_equal_breadth_first_distances()
        {
            var mesh = InMemoryMesh.Grid(5, 4, id => NoJitter(id, PolicySettings.Flooding(), hopLimit: 32));
            uint seq = Broadcast(mesh, 1);
            mesh.RunFor(1000);

            var distance = mesh.Distances(1);
            var sends = mesh.TransmissionsOf(1, seq);
            Assert.Equal(20, sends.Count);
            Assert.Equal(20, sends.Select(t => t.Node).Distinct().Count());
            foreach (var (id, events) in mesh.Events)
            {
                if (id == 1)
                {
                    continue;
                }

                MeshEvent e = Assert.Single(events, x => x.Kind == MeshEventKind.Message);
                Assert.Equal(distance[id], e.HopsTaken + 1);
            }
        }

        [Fact]
        public void Hop_limit_stops_a_flood_and_no_copy_ever_exceeds_it()
        {
            var mesh = InMemoryMesh.Line(7, id => NoJitter(id, PolicySettings.Flooding(), hopLimit: 2));
            uint seq = Broadcast(mesh, 1);
            mesh.RunFor(1000);

            // Origin (hops 0) and two relays (hops 1, 2) transmit: nodes up to 4 hear it, 5..7 never do.
            var sends = mesh.TransmissionsOf(1, seq);
            Assert.Equal(new uint[] { 1, 2, 3 }, sends.Select(t => t.Node).ToArray());
            Assert.All(sends, t => Assert.True(t.HopsTaken <= 2));
            Assert.Equal(3, DeliveredCount(mesh, 1));
            Assert.Empty(mesh.Events[5]);
            Assert.Empty(mesh.Events[7]);
        }

        [Fact]
        public void Gossip_with_p_zero_relays_only_within_the_first_k_hops()
        {
            var mesh = InMemoryMesh.Line(6, id => NoJitter(id, PolicySettings.Gossip(0.0, 1)));
            uint seq = Broadcast(mesh, 1);
            mesh.RunFor(1000);

            // k = 1: the origin's neighbour (hops taken 0 < 1) must relay; beyond that p = 0.
            Assert.Equal(new uint[] { 1, 2 }, mesh.TransmissionsOf(1, seq).Select(t => t.Node).ToArray());
            Assert.Equal(2, DeliveredCount(mesh, 1));
        }

        [Fact]
        public void Gossip_with_p_one_behaves_exactly_like_flooding()
        {
            var gossip = InMemoryMesh.Grid(4, 4, id => NoJitter(id, PolicySettings.Gossip(1.0, 0), 32));
            var flood = InMemoryMesh.Grid(4, 4, id => NoJitter(id, PolicySettings.Flooding(), 32));
            uint a = Broadcast(gossip, 6);
            uint b = Broadcast(flood, 6);
            gossip.RunFor(1000);
            flood.RunFor(1000);

            Assert.Equal(flood.TransmissionsOf(6, b).Select(t => t.Node), gossip.TransmissionsOf(6, a).Select(t => t.Node));
        }

        [Fact]
        public void Gossip_delivery_and_cost_grow_with_p_on_a_grid()
        {
            int[] delivered = new int[3];
            int[] sent = new int[3];
            double[] ps = { 0.2, 0.6, 1.0 };
            for (int i = 0; i < ps.Length; i++)
            {
                var mesh = InMemoryMesh.Grid(6, 6, id => NoJitter(id, PolicySettings.Gossip(ps[i], 1), 32));
                for (int m = 0; m < 20; m++)
                {
                    // One broadcast every 10 s: as fast as an origin's fair share (6 a minute) refills at
                    // every relay, so the comparison is of gossip alone, not of throttling.
                    uint seq = Broadcast(mesh, 15, "m" + m);
                    mesh.RunFor(10_000);
                    sent[i] += mesh.TransmissionsOf(15, seq).Count;
                }

                delivered[i] = mesh.Events.Sum(kv => kv.Value.Count(e => e.Kind == MeshEventKind.Message));
            }

            Assert.True(delivered[0] < delivered[1] && delivered[1] <= delivered[2], string.Join(",", delivered));
            Assert.True(sent[0] < sent[1] && sent[1] < sent[2], string.Join(",", sent));
            Assert.Equal(20 * 35, delivered[2]);
        }

        [Fact]
        public void Managed_flooding_in_a_clique_cancels_relays_yet_everyone_receives()
        {
            var managed = Clique(6, PolicySettings.Managed(1));
            var flooding = Clique(6, PolicySettings.Flooding());
            uint a = Broadcast(managed, 1);
            uint b = Broadcast(flooding, 1);
            managed.RunFor(1000);
            flooding.RunFor(1000);

            Assert.Equal(6, flooding.TransmissionsOf(1, b).Count);
            Assert.True(managed.TransmissionsOf(1, a).Count < 6);
            Assert.True(Enumerable.Range(2, 5).Sum(i => managed[(uint)i].Counters.RelaysCancelled) > 0);
            Assert.Equal(5, DeliveredCount(managed, 1));
        }

        [Fact]
        public void Managed_flooding_lets_the_node_that_heard_the_frame_weakest_rebroadcast_first()
        {
            var mesh = new InMemoryMesh();
            for (uint id = 1; id <= 3; id++)
            {
                NodeConfig c = InMemoryMesh.Config(id);
                c.Policy = PolicySettings.Managed(2);
                c.Policy.JitterMs = 0;
                mesh.Add(c);
            }

            mesh.Link(1, 2, rssiAtB: -92, rssiAtA: -92); // far
            mesh.Link(1, 3, rssiAtB: -45, rssiAtA: -45); // near
            uint seq = Broadcast(mesh, 1);
            mesh.RunFor(1000);

            var relays = mesh.TransmissionsOf(1, seq).Where(t => t.Node != 1).ToList();
            Assert.Equal(2u, relays[0].Node);
        }

        [Fact]
        public void An_edge_node_at_the_hub_of_a_star_consumes_gateway_traffic_but_never_relays()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(InMemoryMesh.Config(1, NodeRole.Edge));
            for (uint leaf = 2; leaf <= 5; leaf++)
            {
                mesh.Add(InMemoryMesh.Config(leaf, NodeRole.Sensor));
                mesh.Link(1, leaf);
            }

            var set = new Messages.ReadingSet();
            set.Add(Messages.Quantity.Temperature, 20.0);
            uint seq = mesh[2].NextSequence;
            mesh[2].SendReadings(set, mesh.Now);
            uint text = Broadcast(mesh, 3);
            mesh.RunFor(1000);

            Assert.DoesNotContain(mesh.Log, t => t.Node == 1);
            Assert.Contains(mesh.Events[1], e => e.Origin == 2 && e.Sequence == seq && e.Type == MessageType.Readings);
            Assert.Contains(mesh.Events[1], e => e.Origin == 3 && e.Sequence == text);
            Assert.Empty(mesh.Events[4]);
            Assert.Empty(mesh.Events[5]);
        }

        [Fact]
        public void A_node_rejects_its_own_frame_relayed_back_and_frames_of_another_network()
        {
            var mesh = InMemoryMesh.Line(2);
            Broadcast(mesh, 1);
            mesh.RunFor(100);
            Assert.Contains(RejectReason.OwnFrame, mesh.Results[1]);

            var stranger = new InMemoryMesh();
            NodeConfig other = InMemoryMesh.Config(9);
            other.NetworkId = 2;
            stranger.Add(other);
            stranger.Add(InMemoryMesh.Config(8));
            stranger.Link(9, 8);
            Broadcast(stranger, 9);
            stranger.RunFor(100);
            Assert.Equal(new[] { RejectReason.WrongNetwork }, stranger.Results[8]);
        }

        private static InMemoryMesh Clique(int n, PolicySettings policy)
        {
            var mesh = new InMemoryMesh();
            for (uint id = 1; id <= n; id++)
            {
                NodeConfig c = InMemoryMesh.Config(id);
                c.Policy = policy.Clone();
                mesh.Add(c);
            }

            for (uint a = 1; a <= n; a++)
            {
                for (uint b = a + 1; b <= n; b++)
                {
                    mesh.Link(a, b, -40 - (int)(a * 7 + b * 3) % 50);
                }
            }

            return mesh;
        }
    }
}
