using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// Every upward slot taken (PROTOCOL.md, "Structured routing", upward data): at 3,000 nodes with one gateway
    /// (simulator/README, *3,000 nodes*) the gateway's busiest children forward several frames a second and
    /// each waits up to a second for the gateway's bundled hop ack, so their slots overflow; the frame whose
    /// retransmission state was evicted for a new one was never sent again, and when its one copy had been lost
    /// the reading was lost (378 of the 410 readings lost on seed 31 were evicted at a gateway's child).
    /// </summary>
    public class UpwardEvictionTests
    {
        /// <summary>Gateway 1 - 2 - 3 - 4 with one upward slot at node 3, once the gradient formed; radio 9 hears only node 3.</summary>
        private static InMemoryMesh Line(bool fallbackEcho)
        {
            var mesh = StructuredMesh.LineWithGateway(3, NodeRole.Relay, c =>
            {
                c.FallbackEcho = fallbackEcho;
                if (c.NodeId == 3)
                {
                    c.UpwardSlots = 1;
                }
            });
            mesh.RunFor(60_000);
            Assert.Equal(2u, mesh[3].Routing!.Gradient.Parent);
            mesh.AddRadio(9);
            mesh.Link(9, 3);
            return mesh;
        }

        private static (uint First, uint Second) EvictFirst(InMemoryMesh mesh)
        {
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
            Assert.Equal(1, ToParent(mesh, first));
            mesh.Inject(9, StructuredMesh.CopyWithHops(mesh, secondFrame, 0, previousHop: 4, nextHop: 3));
            mesh.RunFor(5);
            var r = mesh[3].Routing!;
            Assert.Equal(1, r.Upward.Evicted);
            Assert.True(r.Upward.Find(4, second) >= 0);
            Assert.True(r.Upward.Find(4, first) < 0);
            return (first, second);
        }

        private static int ToParent(InMemoryMesh mesh, uint sequence) =>
            mesh.Log.Count(t => t.Node == 3 && t.Origin == 4 && t.Sequence == sequence && t.NextHop == 2u);

        /// <summary>
        /// Node 3 relays node 4's first reading to its parent 2, which does not hear it; before any retransmission
        /// is due the second reading takes node 3's only slot. The evicted reading is sent once more to node 2,
        /// directed (its last retransmission, no longer awaited), so a next hop that missed the first copy still
        /// gets it — when its wait would have run out (the hop-ack timeout after its send), not at once, so that the
        /// next hop's acknowledgement of the first copy can still make it unnecessary; the new reading keeps the slot.
        /// </summary>
        [Fact]
        public void A_frame_evicted_from_the_upward_slots_is_sent_once_more_to_its_next_hop_when_its_wait_runs_out()
        {
            var mesh = Line(fallbackEcho: false);
            (uint first, _) = EvictFirst(mesh);

            Assert.Equal(1, ToParent(mesh, first)); // its wait (250 ms from its send) has not run out yet
            mesh.RunFor(300);
            Assert.Equal(2, ToParent(mesh, first));
            Assert.Equal(1, mesh[3].Routing!.EvictionResends);
            Assert.DoesNotContain(mesh.Log, t => t.Node == 3 && t.Origin == 4 && t.Sequence == first && t.NextHop == NodeAddress.None);
        }

        /// <summary>The next hop's hop ack for the evicted frame, heard before its last retransmission left, cancels that retransmission.</summary>
        [Fact]
        public void A_hop_ack_from_the_next_hop_cancels_an_evicted_frames_last_retransmission()
        {
            var mesh = Line(fallbackEcho: false);
            (uint first, _) = EvictFirst(mesh);

            var ack = new HopAck { Count = 1 };
            ack.Origins[0] = 4;
            ack.Sequences[0] = first;
            byte[] payload = new byte[HopAck.MaxSize];
            int n = ack.Encode(payload, 0);
            byte[] frame = StructuredMesh.Forge(MessageType.HopAck, 2, 3, 1_000_000, mesh[3].NetworkTime(mesh.Now), payload.Take(n).ToArray(), mesh.Key);
            mesh.Inject(9, frame);
            mesh.RunFor(5);
            Assert.Equal(RejectReason.None, mesh.Results[3].Last());
            mesh.RunFor(300);

            Assert.Equal(1, ToParent(mesh, first));
            Assert.Equal(1, mesh[3].Routing!.EvictionResends);
        }

        /// <summary>With FallbackEcho the evicted frame is flooded from here instead (StaleGradientCustodyTests), not sent to the next hop again.</summary>
        [Fact]
        public void With_the_fallback_echo_an_evicted_frame_is_flooded_not_resent()
        {
            var mesh = Line(fallbackEcho: true);
            mesh.Unlink(2, 3);
            mesh.Unlink(3, 4);
            uint first = StructuredMesh.SendReading(mesh, 4, 19.5);
            uint second = StructuredMesh.SendReading(mesh, 4, 20.5);
            mesh.RunFor(20);
            byte[] Sent(uint seq) => StructuredMesh.ReadingSentBy(mesh, 4, seq);
            mesh.Inject(9, StructuredMesh.CopyWithHops(mesh, Sent(first), 0, previousHop: 4, nextHop: 3));
            mesh.RunFor(100);
            mesh.Inject(9, StructuredMesh.CopyWithHops(mesh, Sent(second), 0, previousHop: 4, nextHop: 3));
            mesh.RunFor(100);

            Assert.Equal(1, mesh.Log.Count(t => t.Node == 3 && t.Origin == 4 && t.Sequence == first && t.NextHop == 2u));
            Assert.Contains(mesh.Log, t => t.Node == 3 && t.Origin == 4 && t.Sequence == first && t.NextHop == NodeAddress.None);
            Assert.Equal(0, mesh[3].Routing!.EvictionResends);
        }
    }
}
