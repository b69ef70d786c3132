using System.Linq;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// PROTOCOL.md, "Freshness", the one-hop leash: a beacon or hop ack is about the link it was heard on, so
    /// it is refused when it is older than the leash, not only than the 30-s freshness window — a recorder
    /// that plays it back elsewhere cannot make a node believe a distant node is its neighbour.
    /// </summary>
    public class OneHopLeashTests
    {
        private const uint Replayer = 99;

        /// <summary>Gateway 1 - 2 - 3, and an outsider's radio heard by 3 only; a gateway beacon, captured as it left.</summary>
        private static (InMemoryMesh Mesh, byte[] Beacon) LineWithCapturedGatewayBeacon()
        {
            var mesh = LineWithGateway(2);
            mesh.AddRadio(Replayer);
            mesh.Link(Replayer, 3);
            mesh.RunFor(60_000);
            int before = GatewayBeacons(mesh);
            for (int guard = 0; GatewayBeacons(mesh) == before && guard < 10_000; guard++)
            {
                mesh.RunFor(100);
            }

            byte[] beacon = mesh.Air.Last(a => a.Node == 1 && (MessageType)a.Frame[FrameLayout.OffsetType] == MessageType.Beacon).Frame;
            Assert.Equal(-1, mesh[3].Routing!.Gradient.AdvertisedCost(1, mesh.Now)); // 3 never heard the gateway
            return (mesh, beacon);
        }

        private static int GatewayBeacons(InMemoryMesh mesh) =>
            mesh.Log.Count(t => t.Node == 1 && t.Type == MessageType.Beacon);

        [Fact]
        public void A_beacon_played_back_twenty_seconds_later_two_hops_away_is_refused_and_makes_no_neighbour()
        {
            var (mesh, beacon) = LineWithCapturedGatewayBeacon();
            mesh.RunFor(20_000); // within the 30-s freshness window

            mesh.Inject(Replayer, beacon);
            mesh.RunFor(5);

            Assert.Equal(RejectReason.LateOneHop, mesh.Results[3].Last());
            Assert.Equal(-1, mesh[3].Routing!.Gradient.AdvertisedCost(1, mesh.Now));
            Assert.Equal(2u, mesh[3].Routing!.Gradient.Parent);
            Assert.Equal(1, mesh[3].Counters.Rejected[(int)RejectReason.LateOneHop]);
        }

        [Fact]
        public void A_hop_ack_played_back_later_is_refused()
        {
            var mesh = LineWithGateway(2); // 1 - 2 - 3
            mesh.AddRadio(Replayer);
            mesh.Link(Replayer, 3);
            mesh.RunFor(60_000);
            SendReading(mesh, 3);
            mesh.RunFor(5_000);
            byte[] ack = mesh.Air.Last(a => a.Node == 1 && (MessageType)a.Frame[FrameLayout.OffsetType] == MessageType.HopAck).Frame;

            mesh.RunFor(10_000);
            mesh.Inject(Replayer, ack);
            mesh.RunFor(5);

            Assert.Equal(RejectReason.LateOneHop, mesh.Results[3].Last());
        }

        [Fact]
        public void Within_the_leash_a_played_back_beacon_is_still_taken_which_is_the_leashs_limit()
        {
            // A wormhole that relays at once is not stopped by a clock in whole seconds (PROTOCOL.md says so):
            // the beacon is taken and the link then fails on data, as any link that does not carry frames.
            var (mesh, beacon) = LineWithCapturedGatewayBeacon();
            uint stamped = LittleEndian.ReadUInt32(beacon, FrameLayout.OffsetTime);
            Assert.True(mesh[3].NetworkTime(mesh.Now) <= stamped + NetworkClock.OneHopLeashSeconds);

            mesh.Inject(Replayer, beacon);
            mesh.RunFor(5);

            Assert.Equal(RejectReason.None, mesh.Results[3].Last());
            Assert.Equal(0, mesh[3].Routing!.Gradient.AdvertisedCost(1, mesh.Now));
        }

        [Fact]
        public void A_one_hop_frame_that_waited_in_the_queue_leaves_stamped_with_the_time_it_goes_on_air()
        {
            NetworkKey key = new InMemoryMesh().Key;
            var node = new MeshNode(Sensor(2), key, new XorShiftRandom(7), 0);
            var gateway = new MeshNode(Gateway(1), key, new XorShiftRandom(8), 0);

            // The node's first frame is a beacon (Trickle's first); its driver takes it only 10 s after it was due
            // (a LoRa radio waiting for its duty-cycle budget or a busy channel).
            for (int guard = 0; node.NextTransmitMs == long.MaxValue && guard < 1000; guard++)
            {
                node.Poll(node.NextWakeMs);
            }

            long late = node.NextTransmitMs + 10_000;
            byte[] frame = new byte[256];
            Assert.True(node.TryTakeTransmit(late, frame, 0, out int length));
            Assert.Equal(MessageType.Beacon, (MessageType)frame[FrameLayout.OffsetType]);
            Assert.Equal(node.NetworkTime(late), LittleEndian.ReadUInt32(frame, FrameLayout.OffsetTime));

            // Restamped under a fresh network MIC: a neighbour takes it.
            Assert.Equal(RejectReason.None, gateway.Receive(frame, 0, length, -60, late + 1));
        }
    }
}
