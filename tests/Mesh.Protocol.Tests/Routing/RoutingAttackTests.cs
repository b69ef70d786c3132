using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>What the network MIC buys structured routing: an outsider can neither forge beacons nor acknowledge frames.</summary>
    public class RoutingAttackTests
    {
        private const uint Attacker = 99;

        [Fact]
        public void An_outsider_cannot_forge_a_beacon_to_attract_traffic()
        {
            var mesh = LineWithGateway(2); // 1 - 2 - 3
            mesh.AddRadio(Attacker);
            mesh.Link(Attacker, 3);
            mesh.RunFor(60_000);
            Assert.Equal(2u, mesh[3].Routing!.Gradient.Parent);

            // A gateway beacon (cost 0) that lists node 3 as perfectly heard, under a key that is not the network's.
            uint time = mesh[3].NetworkTime(mesh.Now);
            byte[] forged = Forge(MessageType.Beacon, Attacker, NodeAddress.Broadcast, 1, time,
                BeaconPayload(true, 0, 0, 0, Attacker, (3, 255)), OutsiderKey());
            mesh.Inject(Attacker, forged);
            mesh.RunFor(10);
            Assert.Equal(RejectReason.BadMic, mesh.Results[3].Last());
            Assert.Equal(-1, mesh[3].Routing!.Gradient.AdvertisedCost(Attacker, mesh.Now));
            Assert.Equal(2u, mesh[3].Routing!.Gradient.Parent);

            // The same beacon under the network key (an insider) would be taken: the MIC is the only difference.
            byte[] insider = Forge(MessageType.Beacon, Attacker, NodeAddress.Broadcast, 1, time,
                BeaconPayload(true, 0, 0, 0, Attacker, (3, 255)), mesh.Key);
            mesh.Inject(Attacker, insider);
            mesh.RunFor(10);
            Assert.Equal(RejectReason.None, mesh.Results[3].Last());
            Assert.Equal(0, mesh[3].Routing!.Gradient.AdvertisedCost(Attacker, mesh.Now));
        }

        [Fact]
        public void A_hop_ack_from_an_outsider_is_refused_and_the_frame_is_still_retransmitted()
        {
            var mesh = LineWithGateway(2); // 1 - 2 - 3
            mesh.AddRadio(Attacker);
            mesh.Link(Attacker, 3);
            mesh.RunFor(60_000);

            // Node 3's parent (2) dies; the attacker tries to make 3 believe its reading was taken.
            mesh.Kill(2);
            uint seq = SendReading(mesh, 3);
            mesh.RunFor(2); // the frame is on air
            var ack = new HopAck { Count = 1 };
            ack.Origins[0] = 3;
            ack.Sequences[0] = seq;
            byte[] payload = new byte[HopAck.MaxSize];
            int n = ack.Encode(payload, 0);
            uint time = mesh[3].NetworkTime(mesh.Now);
            byte[] forged = Forge(MessageType.HopAck, 2, 3, 777_777, time, payload.Take(n).ToArray(), OutsiderKey());
            mesh.Inject(Attacker, forged);
            mesh.RunFor(5);
            Assert.Equal(RejectReason.BadMic, mesh.Results[3].Last());
            Assert.Equal(1, mesh[3].Routing!.Upward.Count);

            mesh.RunFor(5_000);
            Assert.True(mesh[3].Routing!.Retransmissions >= 3);
            Assert.Equal(1, mesh[3].Routing!.LinkFailures);
        }

        [Fact]
        public void A_hop_ack_from_a_node_that_is_not_the_next_hop_acknowledges_nothing()
        {
            var mesh = LineWithGateway(2); // 1 - 2 - 3
            mesh.AddRadio(Attacker);
            mesh.Link(Attacker, 3);
            mesh.RunFor(60_000);
            mesh.Kill(2);
            uint seq = SendReading(mesh, 3);
            mesh.RunFor(2);

            // An insider (network key, its own id) acknowledges 3's frame: only the next hop's ack counts.
            var ack = new HopAck { Count = 1 };
            ack.Origins[0] = 3;
            ack.Sequences[0] = seq;
            byte[] payload = new byte[HopAck.MaxSize];
            int n = ack.Encode(payload, 0);
            byte[] insider = Forge(MessageType.HopAck, Attacker, 3, 1, mesh[3].NetworkTime(mesh.Now), payload.Take(n).ToArray(), mesh.Key);
            mesh.Inject(Attacker, insider);
            mesh.RunFor(5);
            Assert.Equal(RejectReason.None, mesh.Results[3].Last());
            Assert.Equal(1, mesh[3].Routing!.Upward.Count);
        }
    }
}
