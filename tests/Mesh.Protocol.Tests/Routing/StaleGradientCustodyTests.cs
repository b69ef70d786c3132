using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// Custody of an upward frame in a stale gradient (PROTOCOL.md, "Store and forward", loops on the data path).
    /// In farm-200-partition every node cut off kept a route for the whole 10 minutes (their costs stalled
    /// round loops); the readings lost there died silently in two ways, each pinned here: a relay took its
    /// parent's retransmission of an earlier copy, handed round a loop, for that parent's forward (a passive
    /// ack) and stopped retrying; and frames wandered the stale gradient until no hops were left to flood them
    /// back to their origin.
    /// </summary>
    public class StaleGradientCustodyTests
    {
        /// <summary>Gateway 1 - 2 - 3 - 4, the rules on or off, once the gradient formed; radio 9 hears only node 3.</summary>
        private static InMemoryMesh Line(bool fallbackEcho, int upwardSlotsAtThree = 6)
        {
            var mesh = StructuredMesh.LineWithGateway(3, NodeRole.Relay, c =>
            {
                c.FallbackEcho = fallbackEcho;
                if (c.NodeId == 3)
                {
                    c.UpwardSlots = upwardSlotsAtThree;
                }
            });
            mesh.RunFor(60_000);
            Assert.Equal(2u, mesh[3].Routing!.Gradient.Parent);
            Assert.Equal(2, mesh[3].Routing!.Gradient.Hops);
            mesh.AddRadio(9);
            mesh.Link(9, 3);
            return mesh;
        }

        /// <summary>
        /// Node 3 relayed node 4's reading to its parent 2 (hops taken 1) and 2 does not hear it. A copy that 2
        /// transmits with hops taken 1 is not 2's forward of node 3's copy (that has 2): it is 2 retransmitting a
        /// copy it had before, as on a loop through 3 (farm-200-partition: 180 → 156 → 150 → 180, where 150 took
        /// 180's retransmission for its ack, stopped retrying, and the reading was lost). Node 3 keeps waiting; the
        /// real forward (hops taken 2) still acknowledges. With FallbackEcho off too: a relay does not acknowledge a
        /// frame come round a loop, and its child took the relay's retransmission of its earlier copy for the ack
        /// (random-3000-one-gateway seed 33: 2404 → 2682 → 575 → 1644 → 2682, where 1644 stopped retrying).
        /// </summary>
        [Theory]
        [InlineData(true, 1, false)]
        [InlineData(true, 2, true)]
        [InlineData(false, 1, false)]
        [InlineData(false, 2, true)]
        public void A_parents_copy_is_a_passive_ack_only_when_it_took_more_hops_than_ours(bool fallbackEcho, int hopsTaken, bool acknowledged)
        {
            var mesh = Line(fallbackEcho);
            mesh.Unlink(2, 3);
            uint seq = StructuredMesh.SendReading(mesh, 4, 19.5);
            mesh.RunFor(60);
            var up = mesh[3].Routing!.Upward;
            Assert.True(up.Find(4, seq) >= 0, "node 3 relayed the reading and waits for node 2's ack");
            long passive = mesh[3].Routing!.PassiveAcks;

            byte[] sent = StructuredMesh.ReadingSentBy(mesh, 4, seq);
            mesh.Inject(9, StructuredMesh.CopyWithHops(mesh, sent, hopsTaken, previousHop: 2, nextHop: 1));
            mesh.RunFor(5);

            Assert.Equal(acknowledged, up.Find(4, seq) < 0);
            Assert.Equal(passive + (acknowledged ? 1 : 0), mesh[3].Routing!.PassiveAcks);
        }

        /// <summary>
        /// Node 3 is 2 hops from the gateway; node 4's reading (hop limit 8) reaches it as next hop. With 6 hops
        /// taken it can still arrive (6 + 2 ≤ 8): forwarded to the parent. With 7 it cannot along this gradient
        /// (it would wander to the hop limit, as farm-200-partition's readings did in the cut-off quarter, with
        /// no hops left to flood it back to its origin): with the rules on, node 3 floods it from here while
        /// hops remain (its origin hears the flood and keeps the reading); with the rules off, it forwards it.
        /// </summary>
        [Theory]
        [InlineData(true, 6, false)]
        [InlineData(true, 7, true)]
        [InlineData(false, 7, false)]
        public void A_frame_without_the_hops_left_to_climb_the_gradient_is_flooded_from_here(bool fallbackEcho, int hopsTaken, bool flooded)
        {
            var mesh = Line(fallbackEcho);
            mesh.Unlink(3, 4); // node 3 gets the reading only from radio 9
            uint seq = StructuredMesh.SendReading(mesh, 4, 19.5);
            mesh.RunFor(20);
            byte[] sent = StructuredMesh.ReadingSentBy(mesh, 4, seq);
            Assert.Equal(8, StructuredMesh.Header(sent).HopLimit);
            long budget = mesh[3].Routing!.HopBudgetFloods;

            mesh.Inject(9, StructuredMesh.CopyWithHops(mesh, sent, hopsTaken, previousHop: 4, nextHop: 3));
            mesh.RunFor(200);

            var relayed = mesh.Log.Where(t => t.Node == 3 && t.Origin == 4 && t.Sequence == seq).ToList();
            Assert.NotEmpty(relayed);
            Assert.Equal(flooded ? NodeAddress.None : 2u, relayed[0].NextHop);
            Assert.Equal(budget + (flooded ? 1 : 0), mesh[3].Routing!.HopBudgetFloods);
        }

        /// <summary>
        /// Node 3 keeps one upward slot; its parent 2 does not hear it. It relays node 4's first reading and
        /// waits for the ack; the second reading takes the slot (eviction, as at a hub of a stale gradient with
        /// every slot taken: farm-200-partition seeds 4 and 10 lost readings that way). With the rules on, the
        /// evicted reading falls back to flooding as one out of parents does, so its origin hears it; with them
        /// off its custody ends there, as before.
        /// </summary>
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void A_frame_evicted_from_the_upward_slots_falls_back_to_flooding(bool fallbackEcho)
        {
            var mesh = Line(fallbackEcho, upwardSlotsAtThree: 1);
            mesh.Unlink(2, 3);
            mesh.Unlink(3, 4); // node 3 gets the readings only from radio 9
            uint first = StructuredMesh.SendReading(mesh, 4, 19.5);
            uint second = StructuredMesh.SendReading(mesh, 4, 20.5);
            mesh.RunFor(20);
            byte[] Sent(uint seq) => StructuredMesh.ReadingSentBy(mesh, 4, seq);
            byte[] firstFrame = Sent(first);
            byte[] secondFrame = Sent(second);

            mesh.Inject(9, StructuredMesh.CopyWithHops(mesh, firstFrame, 0, previousHop: 4, nextHop: 3));
            mesh.RunFor(100);
            Assert.True(mesh[3].Routing!.Upward.Find(4, first) >= 0);
            mesh.Inject(9, StructuredMesh.CopyWithHops(mesh, secondFrame, 0, previousHop: 4, nextHop: 3));
            mesh.RunFor(100);

            Assert.Equal(1, mesh[3].Routing!.Upward.Evicted);
            Assert.True(mesh[3].Routing!.Upward.Find(4, second) >= 0);
            bool flooded = mesh.Log.Any(t => t.Node == 3 && t.Origin == 4 && t.Sequence == first && t.NextHop == NodeAddress.None);
            Assert.Equal(fallbackEcho, flooded);
        }

        /// <summary>
        /// Node 3 relayed node 4's reading (it reached 3 with no hops taken). A copy of it sent to 3 again with more
        /// hops taken went round a loop (random meshes, one gateway, 30 % loss: 144 → 628 → 841 → 144, where 144
        /// answered 841's copy as a retransmission and the reading died): 3 does not acknowledge it, so its sender
        /// keeps it and retries elsewhere. Node 4's own copy sent again is a retransmission and is answered.
        /// </summary>
        [Theory]
        [InlineData(3, 9u, false)]
        [InlineData(0, 4u, true)]
        public void A_frame_come_round_a_loop_is_not_acknowledged_as_a_retransmission(int hopsTaken, uint previousHop, bool answered)
        {
            var mesh = Line(fallbackEcho: false);
            uint seq = StructuredMesh.SendReading(mesh, 4, 19.5);
            mesh.RunFor(2_000);
            Assert.Contains(mesh.Log, t => t.Node == 3 && t.Origin == 4 && t.Sequence == seq && t.NextHop == 2);
            byte[] sent = StructuredMesh.ReadingSentBy(mesh, 4, seq);
            long returns = mesh[3].Routing!.LoopReturns;
            int acksBefore = mesh.Log.Count(t => t.Node == 3 && t.Type == MessageType.HopAck && t.Destination == previousHop);

            mesh.Inject(9, StructuredMesh.CopyWithHops(mesh, sent, hopsTaken, previousHop, nextHop: 3));
            mesh.RunFor(1_000);

            Assert.Equal(RejectReason.Duplicate, mesh.Results[3].Last());
            int acks = mesh.Log.Count(t => t.Node == 3 && t.Type == MessageType.HopAck && t.Destination == previousHop);
            Assert.Equal(answered ? acksBefore + 1 : acksBefore, acks);
            Assert.Equal(answered ? returns : returns + 1, mesh[3].Routing!.LoopReturns);
        }

    }
}
