using System.Linq;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using Xunit.Abstractions;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>PROTOCOL.md "Structured routing": the gradient, upward forwarding with hop acks, parent switching, flooding fallback, loops.</summary>
    public class StructuredRoutingTests
    {
        private readonly ITestOutputHelper _output;

        public StructuredRoutingTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void A_line_of_six_nodes_builds_a_gradient_towards_the_gateway()
        {
            var mesh = LineWithGateway(6);
            mesh.RunFor(60_000);
            for (uint i = 2; i <= 7; i++)
            {
                StructuredRouting r = mesh[i].Routing!;
                Assert.Equal(i - 1, r.Gradient.Parent);
                Assert.Equal((int)(i - 1), r.Gradient.Hops);
                Assert.Equal(1u, r.Gradient.Gateway);
                Assert.InRange(r.Gradient.Cost, 16 * (int)(i - 1), 8 * 16 * (int)(i - 1));
            }

            Assert.Equal(0, mesh[1].Routing!.Gradient.Cost);
        }

        [Fact]
        public void Readings_reach_the_gateway_in_about_one_transmission_per_hop()
        {
            var mesh = LineWithGateway(6);
            mesh.RunFor(60_000);
            int before = mesh.Log.Count;
            var sent = new (uint Node, uint Seq)[6];
            for (uint i = 2; i <= 7; i++)
            {
                sent[i - 2] = (i, SendReading(mesh, i));
                mesh.RunFor(NodeConfig.DefaultHopAckBundleMs + 1_000); // the gateway's bundled hop ack included
            }

            foreach (var (node, seq) in sent)
            {
                Assert.Equal(1, DeliveredCount(mesh, 1, node, seq));
                int hops = (int)node - 1;
                int data = mesh.TransmissionsOf(node, seq).Count;
                _output.WriteLine($"node {node}: {hops} hops, {data} data transmissions");
                Assert.True(data <= 1.5 * hops, $"node {node}: {data} transmissions for {hops} hops");
                Assert.All(mesh.TransmissionsOf(node, seq), t => Assert.NotEqual(0u, t.NextHop));
            }

            // Control traffic of the whole exchange: one hop ack per reading (from the gateway; every relay
            // was acknowledged passively), and whatever beacons Trickle still sent.
            var window = mesh.Log.Skip(before).ToList();
            int hopAcks = window.Count(t => t.Type == MessageType.HopAck);
            int beacons = window.Count(t => t.Type == MessageType.Beacon);
            int data6 = mesh.TransmissionsOf(7, sent[5].Seq).Count;
            _output.WriteLine($"6 readings: {window.Count(t => t.Type == MessageType.Readings)} data, {hopAcks} hop acks, {beacons} beacons");
            Assert.Equal(6, data6);
            Assert.Equal(6, hopAcks);
            for (uint i = 2; i <= 7; i++)
            {
                Assert.Equal(0, mesh[i].Routing!.Retransmissions);
                Assert.Equal(0, mesh[i].Routing!.Upward.Count);
            }
        }

        [Fact]
        public void Heartbeats_go_up_the_gradient()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            for (uint i = 2; i <= 4; i++)
            {
                NodeConfig c = Sensor(i);
                c.HeartbeatIntervalMs = 30_000;
                mesh.Add(c);
                mesh.Link(i - 1, i);
            }

            mesh.RunFor(120_000);
            var heartbeats = mesh.Log.Where(t => t.Type == MessageType.Heartbeat && t.Origin == 4 && t.TimeMs > 60_000).ToList();
            Assert.NotEmpty(heartbeats);
            Assert.All(heartbeats, t => Assert.NotEqual(0u, t.NextHop));
            Assert.Contains(mesh.Events[1], e => e.Type == MessageType.Heartbeat && e.Origin == 4);
        }

        [Fact]
        public void A_gateways_flooded_heartbeat_does_not_reset_its_neighbours_beacon_timers()
        {
            // The gateway has no parent, so its own heartbeat is flooded (next hop 0). A neighbour's own flooded
            // upward frame is otherwise a plea for a route (Trickle reset); from a gateway it is not.
            var mesh = LineWithGateway(2, configure: c =>
            {
                if (c.IsGateway)
                {
                    c.HeartbeatIntervalMs = 30_000;
                }
            });
            mesh.RunFor(300_000);
            long intervalBefore = mesh[2].Routing!.Trickle.IntervalMs;
            Assert.True(intervalBefore >= 32_000, $"Trickle settled before the check ({intervalBefore} ms)");

            // Step until the gateway's next heartbeat has gone out and been taken by node 2.
            int heartbeats = mesh.Log.Count(t => t.Type == MessageType.Heartbeat && t.Origin == 1);
            for (int i = 0; i < 700 && mesh.Log.Count(t => t.Type == MessageType.Heartbeat && t.Origin == 1) == heartbeats; i++)
            {
                mesh.RunFor(50);
            }

            mesh.RunFor(500);
            Transmission heartbeat = mesh.Log.Last(t => t.Type == MessageType.Heartbeat && t.Origin == 1);
            Assert.Equal(0u, heartbeat.NextHop);
            Assert.True(mesh.Now - heartbeat.TimeMs < 1_000, "the gateway's heartbeat went out within the steps");
            Assert.True(mesh[2].Routing!.Trickle.IntervalMs >= intervalBefore, $"node 2's Trickle interval fell to {mesh[2].Routing!.Trickle.IntervalMs} ms after the gateway's heartbeat");
        }

        [Fact]
        public void A_killed_parent_is_replaced_and_delivery_continues()
        {
            // 1 (gateway) — 2 and 3 — 4 — 5: node 4 has two possible parents.
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            for (uint i = 2; i <= 5; i++)
            {
                mesh.Add(Sensor(i));
            }

            mesh.Link(1, 2);
            mesh.Link(1, 3);
            mesh.Link(2, 4);
            mesh.Link(3, 4);
            mesh.Link(4, 5);
            mesh.RunFor(60_000);
            uint parent = mesh[4].Routing!.Gradient.Parent;
            Assert.True(parent == 2 || parent == 3);
            uint other = parent == 2 ? 3u : 2u;

            mesh.Kill(parent);
            uint seq = SendReading(mesh, 5);
            mesh.RunFor(10_000);
            Assert.True(Delivered(mesh, 1, 5, seq), "the reading sent after the parent died was not delivered");
            StructuredRouting r4 = mesh[4].Routing!;
            Assert.Equal(other, r4.Gradient.Parent);
            Assert.True(r4.Retransmissions >= 3, $"{r4.Retransmissions} retransmissions");
            Assert.Equal(1, r4.LinkFailures);
            _output.WriteLine($"node 4: {r4.Retransmissions} retransmissions, {r4.LinkFailures} link failure, parent {parent} -> {r4.Gradient.Parent}");

            // Later readings go straight along the new parent: one transmission per hop.
            uint next = SendReading(mesh, 5);
            mesh.RunFor(5_000);
            Assert.True(Delivered(mesh, 1, 5, next));
            Assert.Equal(3, mesh.TransmissionsOf(5, next).Count);
        }

        [Fact]
        public void Without_any_gateway_upward_frames_are_flooded_and_a_gateway_that_appears_receives_them()
        {
            // Nodes 2 … 5 in a line, no gateway: no route anywhere.
            var mesh = new InMemoryMesh();
            for (uint i = 2; i <= 5; i++)
            {
                mesh.Add(Sensor(i));
                if (i > 2)
                {
                    mesh.Link(i - 1, i);
                }
            }

            mesh.RunFor(30_000);
            Assert.All(new uint[] { 2, 3, 4, 5 }, i => Assert.False(mesh[i].Routing!.Gradient.HasRoute));
            uint lost = SendReading(mesh, 5);
            mesh.RunFor(2_000);
            Assert.All(mesh.TransmissionsOf(5, lost), t => Assert.Equal(0u, t.NextHop));
            Assert.True(mesh.TransmissionsOf(5, lost).Select(t => t.Node).Distinct().Count() >= 3, "the reading was not flooded");

            // A gateway appears next to node 2. The very next reading, sent before any beacon of it was
            // heard, is flooded and still delivered.
            mesh.Add(Gateway(1));
            mesh.Link(1, 2);
            uint flooded = SendReading(mesh, 5);
            mesh.RunFor(2_000);
            Assert.True(Delivered(mesh, 1, 5, flooded));

            // Once the gradient has formed, readings are routed.
            mesh.RunFor(30_000);
            Assert.Equal(4u, mesh[5].Routing!.Gradient.Parent);
            uint routed = SendReading(mesh, 5);
            mesh.RunFor(2_000);
            Assert.True(Delivered(mesh, 1, 5, routed));
            Assert.Equal(4, mesh.TransmissionsOf(5, routed).Count);
            Assert.All(mesh.TransmissionsOf(5, routed), t => Assert.NotEqual(0u, t.NextHop));
        }

        [Fact]
        public void A_relay_that_already_forwarded_a_frame_answers_its_retransmission_with_a_hop_ack()
        {
            var mesh = LineWithGateway(2); // 1 - 2 - 3
            mesh.RunFor(60_000);
            uint seq = SendReading(mesh, 3);
            mesh.RunFor(NodeConfig.DefaultHopAckBundleMs + 1_000); // node 2's frame acknowledged, its slot free
            Assert.True(Delivered(mesh, 1, 3, seq));

            // Node 3 missed node 2's forward: it retransmits the frame, which node 2 has already handled.
            byte[] copy = mesh.Air.First(a => a.Node == 3 && LittleEndian.ReadUInt32(a.Frame, FrameLayout.OffsetSequence) == seq).Frame;
            long acksBefore = mesh[2].Routing!.HopAcksSent;
            long answeredBefore = mesh[2].Routing!.RetransmissionsAnswered;
            mesh.Inject(3, copy);
            mesh.RunFor(1_000);
            Assert.Equal(RejectReason.Duplicate, mesh.Results[2].Last());
            Assert.Equal(acksBefore + 1, mesh[2].Routing!.HopAcksSent);
            Assert.Equal(answeredBefore + 1, mesh[2].Routing!.RetransmissionsAnswered); // counted as a retransmission not needed
            Assert.Contains(mesh.Log, t => t.Type == MessageType.HopAck && t.Node == 2 && t.Destination == 3);
            Assert.Equal(1, DeliveredCount(mesh, 1, 3, seq));
        }

        [Fact]
        public void A_node_whose_parent_sends_it_upward_traffic_drops_its_route_and_floods()
        {
            var mesh = LineWithGateway(2); // 1 - 2 - 3
            mesh.RunFor(60_000);
            Assert.Equal(2u, mesh[3].Routing!.Gradient.Parent);

            // Node 2 (3's parent) sends an upward frame to 3: a loop through 3's own parent.
            uint seq = mesh[2].NextSequence;
            Assert.Equal(SendResult.Queued, mesh[2].SendReadings(Reading(19), mesh.Now));
            byte[] frame = TakeReaddressed(mesh, 2, 3);
            mesh.Inject(2, frame);
            mesh.RunFor(1_000);
            Assert.Equal(1, mesh[3].Routing!.LoopsDetected);
            Assert.Contains(mesh.Log, t => t.Node == 3 && t.Origin == 2 && t.Sequence == seq && t.NextHop == 0);
        }

        [Fact]
        public void A_node_whose_parent_sends_it_upward_traffic_forwards_it_to_its_other_parent_instead_of_flooding()
        {
            // Gateway 1 with two children, 2 and 4, both parents node 3 could choose.
            var mesh = LineWithGateway(2); // 1 - 2 - 3
            mesh.Add(Sensor(4));
            mesh.Link(1, 4);
            mesh.Link(3, 4);
            mesh.RunFor(60_000);
            uint parent = mesh[3].Routing!.Gradient.Parent;
            uint other = parent == 2 ? 4u : 2u;
            Assert.True(parent == 2 || parent == 4);

            // The parent sends an upward frame to 3: a loop through 3's own parent. 3 drops that parent's route
            // and hands the frame to the other, which has a route; a flood would cost every node a copy.
            uint seq = mesh[parent].NextSequence;
            Assert.Equal(SendResult.Queued, mesh[parent].SendReadings(Reading(19), mesh.Now));
            byte[] frame = TakeReaddressed(mesh, parent, 3);
            mesh.Inject(parent, frame);
            mesh.RunFor(2_000);

            Assert.Equal(1, mesh[3].Routing!.LoopsDetected);
            Assert.Equal(other, mesh[3].Routing!.Gradient.Parent);
            Assert.Contains(mesh.Log, t => t.Node == 3 && t.Origin == parent && t.Sequence == seq && t.NextHop == other);
            Assert.DoesNotContain(mesh.Log, t => t.Node == 3 && t.Origin == parent && t.Sequence == seq && t.NextHop == 0);
            Assert.True(Delivered(mesh, 1, parent, seq));
        }

        [Fact]
        public void Routes_survive_a_quiet_gateway_and_a_dead_gateway_does_not_count_to_infinity()
        {
            // A grid of 3 x 3 with the gateway in a corner: plenty of alternative (and looping) parents.
            var mesh = new InMemoryMesh();
            for (uint i = 1; i <= 9; i++)
            {
                mesh.Add(i == 1 ? Gateway(1) : Sensor(i));
            }

            for (uint r = 0; r < 3; r++)
            {
                for (uint c = 0; c < 3; c++)
                {
                    uint id = r * 3 + c + 1;
                    if (c < 2)
                    {
                        mesh.Link(id, id + 1);
                    }

                    if (r < 2)
                    {
                        mesh.Link(id, id + 3);
                    }
                }
            }

            // An hour with a reading per node every minute: Trickle backs off to 512 s and the routes stay.
            for (int minute = 0; minute < 60; minute++)
            {
                for (uint i = 2; i <= 9; i++)
                {
                    SendReading(mesh, i);
                    mesh.RunFor(100);
                }

                mesh.RunFor(60_000 - 800);
            }

            for (uint i = 2; i <= 9; i++)
            {
                Assert.True(mesh[i].Routing!.Gradient.HasRoute, $"node {i} lost its route");
                Assert.True(mesh[i].Routing!.Gradient.Hops <= 4, $"node {i}: {mesh[i].Routing!.Gradient.Hops} hops");
            }

            // The gateway dies. Readings keep being sent; nobody may end up routing in circles with ever
            // growing costs: every route is lost within the route-loss time and its hold-down.
            mesh.Kill(1);
            int maxHops = 0;
            for (int minute = 0; minute < 40; minute++)
            {
                for (uint i = 2; i <= 9; i++)
                {
                    SendReading(mesh, i);
                    mesh.RunFor(100);
                    if (mesh[i].Routing!.Gradient.HasRoute)
                    {
                        maxHops = System.Math.Max(maxHops, mesh[i].Routing!.Gradient.Hops);
                    }
                }

                mesh.RunFor(60_000 - 800);
            }

            _output.WriteLine($"largest hop count advertised after the gateway died: {maxHops}");
            Assert.True(maxHops <= 8, $"counting to infinity: {maxHops} hops");
            for (uint i = 2; i <= 9; i++)
            {
                Assert.False(mesh[i].Routing!.Gradient.HasRoute, $"node {i} still has a route to a dead gateway");
            }
        }

        [Fact]
        public void A_node_switched_to_structured_by_command_joins_the_gradient()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            NodeConfig managed = InMemoryMesh.Config(2, NodeRole.Sensor);
            managed.Policy = PolicySettings.Managed(2);
            mesh.Add(managed);
            mesh.Add(Sensor(3));
            mesh.Link(1, 2);
            mesh.Link(2, 3);
            Assert.Null(mesh[2].Routing);

            mesh.RunFor(30_000);
            Assert.False(mesh[3].Routing!.Gradient.HasRoute, "node 3 has no structured neighbour towards the gateway yet");

            // What the set-forwarding-policy command does (MeshNode.Commands calls SetPolicy).
            mesh[2].SetPolicy(PolicySettings.Structured(2));
            Assert.NotNull(mesh[2].Routing);
            mesh.RunFor(60_000);
            Assert.Equal(1u, mesh[2].Routing!.Gradient.Parent);
            Assert.Equal(2u, mesh[3].Routing!.Gradient.Parent);
            uint seq = SendReading(mesh, 3);
            mesh.RunFor(2_000);
            Assert.True(Delivered(mesh, 1, 3, seq));
            Assert.Equal(2, mesh.TransmissionsOf(3, seq).Count);
        }

        [Fact]
        public void A_relay_with_a_full_transmit_queue_keeps_upward_frames_instead_of_dropping_them()
        {
            // Gateway 1 — relay 2 (a one-frame transmit queue) — sensors 3, 4, 5, which hear only the relay.
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            NodeConfig relay = Sensor(2, NodeRole.Relay);
            relay.TransmitQueueSize = 1;
            mesh.Add(relay);
            mesh.Link(1, 2);
            for (uint i = 3; i <= 5; i++)
            {
                mesh.Add(Sensor(i));
                mesh.Link(2, i);
            }

            mesh.RunFor(60_000);
            var sent = new (uint Node, uint Seq)[3];
            for (uint i = 3; i <= 5; i++)
            {
                sent[i - 3] = (i, SendReading(mesh, i));
            }

            mesh.RunFor(5_000);
            foreach (var (node, seq) in sent)
            {
                Assert.True(Delivered(mesh, 1, node, seq), $"reading of {node} lost");
                Assert.Equal(2, mesh.TransmissionsOf(node, seq).Count);
            }

            Assert.Equal(0, mesh[2].Counters.RelaysDroppedQueueFull);
        }
    }
}
