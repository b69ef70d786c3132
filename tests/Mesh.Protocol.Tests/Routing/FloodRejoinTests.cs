using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// PROTOCOL.md "Structured routing", fallback floods rejoin the gradient: a route-less origin's flooded
    /// upward frame goes on from the first neighbours downhill of it hop by hop to their parents, acknowledged,
    /// instead of on as a flood; one such neighbour carries it. A relay's fallback flood is not rejoined.
    /// </summary>
    public class FloodRejoinTests
    {
        [Fact]
        public void A_route_less_origins_flooded_reading_climbs_from_a_neighbour_with_a_route_instead_of_flooding_on()
        {
            // Gateway 1 - 2 - 3 - 4, and node 9 next to 3, saying it has no route.
            var mesh = LineWithGateway(3);
            mesh.Add(Sensor(9));
            mesh.Link(9, 3);
            mesh.RunFor(60_000);
            RouteLess(mesh, 9, 3);

            uint seq = FloodAsOrigin(mesh, 9);
            mesh.RunFor(3_000);

            Assert.True(Delivered(mesh, 1, 9, seq));
            var copies = mesh.Log.Where(t => t.Origin == 9 && t.Sequence == seq && t.Type == MessageType.Readings && t.Node != 9).ToList();
            Assert.DoesNotContain(copies, t => t.NextHop == NodeAddress.None);
            Assert.Contains(copies, t => t.Node == 3 && t.NextHop == 2 && t.HopsTaken == 1);
            Assert.Equal(1, mesh[3].Routing!.FloodsRejoined);
        }

        [Fact]
        public void Of_two_neighbours_downhill_of_the_flood_one_carries_it_and_the_other_stands_down()
        {
            // Gateway 1 with children 2 and 3, next to each other, and node 9 next to both, saying it has no route.
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            mesh.Add(Sensor(2));
            mesh.Add(Sensor(3));
            mesh.Add(Sensor(9));
            mesh.Link(1, 2);
            mesh.Link(1, 3);
            mesh.Link(2, 3);
            mesh.Link(2, 9);
            mesh.Link(3, 9);
            mesh.RunFor(60_000);
            RouteLess(mesh, 9, 2, 3);

            uint seq = FloodAsOrigin(mesh, 9);
            mesh.RunFor(3_000);

            Assert.Equal(1, DeliveredCount(mesh, 1, 9, seq));
            long rejoined = mesh[2].Routing!.FloodsRejoined + mesh[3].Routing!.FloodsRejoined;
            long stoodDown = mesh[2].Routing!.RejoinsCancelled + mesh[3].Routing!.RejoinsCancelled;
            Assert.Equal(2, rejoined);
            Assert.Equal(1, stoodDown);
            Assert.Single(mesh.Log, t => t.Origin == 9 && t.Sequence == seq && t.Type == MessageType.Readings && (t.Node == 2 || t.Node == 3));
        }

        [Fact]
        public void A_relays_fallback_flood_runs_on_as_a_flood()
        {
            // As above, but the flooded copy is a relay's (hops taken 1): a relay that gave up on its parents sits
            // where the gradient is failing, and sending its frame back into the gradient there sent it round the
            // same loops (3,000 nodes, one gateway, seed 7: 83.5 % of readings against 93.0 %).
            var mesh = LineWithGateway(3);
            mesh.Add(Sensor(9));
            mesh.Add(Sensor(8));
            mesh.Link(9, 3);
            mesh.Link(9, 4);
            mesh.Link(8, 9);
            mesh.RunFor(60_000);
            RouteLess(mesh, 9, 3, 4);

            uint seq = FloodAsOrigin(mesh, 8, relayedBy: 9);
            mesh.RunFor(3_000);

            Assert.Equal(0, mesh[3].Routing!.FloodsRejoined);
            Assert.Equal(0, mesh[4].Routing!.FloodsRejoined);
            Assert.Contains(mesh.Log, t => t.Origin == 8 && t.Sequence == seq && (t.Node == 3 || t.Node == 4) && t.NextHop == NodeAddress.None);
        }

        /// <summary><paramref name="node"/> beacons that it has no route (as a node cut off does), heard by <paramref name="hearers"/>.</summary>
        private static void RouteLess(InMemoryMesh mesh, uint node, params uint[] hearers)
        {
            uint time = mesh[hearers[0]].NetworkTime(mesh.Now);
            byte[] beacon = Forge(MessageType.Beacon, node, NodeAddress.Broadcast, mesh[node].NextSequence + 1, time,
                BeaconPayload(false, Beacon.NoCost, Beacon.NoHops, 0, 0, hearers.Select(h => (h, (byte)255)).ToArray()), mesh.Key);
            mesh.Inject(node, beacon);
            mesh.RunFor(10);
            foreach (uint h in hearers)
            {
                Assert.Equal(Beacon.NoCost, mesh[h].Routing!.Gradient.AdvertisedCost(node, mesh.Now));
            }
        }

        /// <summary>
        /// <paramref name="origin"/>'s next reading flooded (next hop 0), as a node without a route sends it; with
        /// <paramref name="relayedBy"/>, that node's flooded relay of it (hops taken 1) instead. Returns its sequence.
        /// </summary>
        private static uint FloodAsOrigin(InMemoryMesh mesh, uint origin, uint relayedBy = 0)
        {
            uint seq = mesh[origin].NextSequence;
            byte[] buffer = new byte[FrameLayout.MaxFrameSize];
            Assert.Equal(SendResult.Queued, mesh[origin].SendReadings(Reading(20), mesh.Now));
            Assert.True(mesh[origin].TryTakeTransmit(mesh.Now + 100, buffer, 0, out int length));
            byte[] frame = buffer.Take(length).ToArray();
            uint from = relayedBy == 0 ? origin : relayedBy;
            FrameCodec.WriteHopFields(frame, 0, relayedBy == 0 ? 0 : 1, from, NodeAddress.None);
            new Mesh.Protocol.Security.NetworkSealer().Seal(mesh.Key, frame, 0, frame.Length);
            mesh.Inject(from, frame);
            return seq;
        }
    }
}
