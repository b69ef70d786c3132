using System.Linq;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// The sender cost (PROTOCOL.md, "Frame" and *Structured routing*, "Sender cost"): every copy carries the cost its
    /// transmitter advertises as it sends it. The node it goes to judges a loop by that cost, and every node that hears
    /// an authenticated copy takes it over what the transmitter's last beacon said.
    /// </summary>
    public class SenderCostTests
    {
        /// <summary>1 (gateway) — 2 — 3, 4 below 2 and next to each other; both take 2 as parent.</summary>
        private static InMemoryMesh Pair()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            mesh.Add(Sensor(2));
            mesh.Add(Sensor(3));
            mesh.Add(Sensor(4));
            mesh.Link(1, 2);
            mesh.Link(2, 3);
            mesh.Link(2, 4);
            mesh.Link(3, 4);
            mesh.RunFor(60_000);
            Assert.Equal(2u, mesh[3].Routing!.Gradient.Parent);
            Assert.Equal(2u, mesh[4].Routing!.Gradient.Parent);
            return mesh;
        }

        /// <summary>1 (gateway) — 2 and 3, both next to 1 and to 4: node 4 has two parents to choose from.</summary>
        private static InMemoryMesh Diamond(out uint parent, out uint other)
        {
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            mesh.Add(Sensor(2));
            mesh.Add(Sensor(3));
            mesh.Add(Sensor(4));
            mesh.Link(1, 2);
            mesh.Link(1, 3);
            mesh.Link(2, 4);
            mesh.Link(3, 4);
            mesh.RunFor(60_000);
            parent = mesh[4].Routing!.Gradient.Parent;
            Assert.True(parent == 2 || parent == 3);
            other = parent == 2 ? 3u : 2u;
            return mesh;
        }

        private static byte[] NextReading(InMemoryMesh mesh, uint node, uint nextHop, int senderCost, out uint seq)
        {
            seq = SendReading(mesh, node, 20);
            return TakeReaddressed(mesh, node, nextHop, senderCost);
        }

        [Fact]
        public void Every_copy_carries_the_cost_its_transmitter_advertises_and_a_node_without_a_route_says_none()
        {
            InMemoryMesh mesh = LineWithGateway(3); // 1 - 2 - 3 - 4
            mesh.RunFor(60_000);
            uint seq = SendReading(mesh, 4);
            mesh.RunFor(2_000);
            Assert.True(Delivered(mesh, 1, 4, seq));
            // Up the path 4 → 3 → 2 → 1 each copy carries a route's cost, and the cost falls at every hop.
            int[] costs = mesh.Air.Where(a => Header(a.Frame).Origin == 4 && Header(a.Frame).Sequence == seq)
                .Select(a => Header(a.Frame).SenderCost).ToArray();
            Assert.Equal(3, costs.Length);
            Assert.True(costs[0] > costs[1] && costs[1] > costs[2] && costs[2] > 0, string.Join(", ", costs));

            Assert.All(mesh.Air.Where(a => a.Node == 1).Select(a => Header(a.Frame)), h => Assert.Equal(0, h.SenderCost));

            // A node that does not route structured says it has no route.
            var flat = new InMemoryMesh();
            flat.Add(InMemoryMesh.Config(1));
            flat.Add(InMemoryMesh.Config(2));
            flat.Link(1, 2);
            Assert.Equal(SendResult.Queued, flat[1].SendReadings(Reading(20), flat.Now));
            flat.RunFor(1_000);
            Assert.Equal(Beacon.NoCost, Header(flat.Air.First(a => a.Node == 1).Frame).SenderCost);
        }

        [Fact]
        public void A_loop_is_judged_by_the_cost_the_frame_carries_even_when_the_senders_last_beacon_said_higher()
        {
            InMemoryMesh mesh = Pair();
            int own = mesh[3].Routing!.Gradient.Cost;

            // Node 4's beacon says it is far above node 3 (stale); the frame it then sends node 3 says it is no higher.
            uint time = mesh[3].NetworkTime(mesh.Now);
            mesh.Inject(4, Forge(MessageType.Beacon, 4, NodeAddress.Broadcast, mesh[4].NextSequence + 10, time,
                BeaconPayload(false, own + 200, 2, 2, 1, (3, 255), (2, 255)), mesh.Key));
            mesh.RunFor(10);
            Assert.Equal(own + 200, mesh[3].Routing!.Gradient.AdvertisedCost(4, mesh.Now));

            long loops = mesh[3].Routing!.LoopsDetected;
            mesh.Inject(4, NextReading(mesh, 4, 3, own, out uint seq));
            mesh.RunFor(2_000);
            Assert.Equal(loops + 1, mesh[3].Routing!.LoopsDetected);
            Assert.True(mesh[3].Routing!.Trickle.IntervalMs <= 2_000, "a detected loop resets Trickle");
            Assert.True(Delivered(mesh, 1, 4, seq));
        }

        [Fact]
        public void No_loop_is_seen_when_the_frame_carries_a_higher_cost_even_when_the_senders_last_beacon_said_no_higher()
        {
            InMemoryMesh mesh = Pair();
            int own = mesh[3].Routing!.Gradient.Cost;

            uint time = mesh[3].NetworkTime(mesh.Now);
            mesh.Inject(4, Forge(MessageType.Beacon, 4, NodeAddress.Broadcast, mesh[4].NextSequence + 10, time,
                BeaconPayload(false, own, 2, 2, 1, (3, 255), (2, 255)), mesh.Key));
            mesh.RunFor(10);
            Assert.Equal(own, mesh[3].Routing!.Gradient.AdvertisedCost(4, mesh.Now));

            long loops = mesh[3].Routing!.LoopsDetected;
            mesh.Inject(4, NextReading(mesh, 4, 3, own + 40, out uint seq));
            mesh.RunFor(2_000);
            Assert.Equal(loops, mesh[3].Routing!.LoopsDetected);
            Assert.Equal(own + 40, mesh[3].Routing!.Gradient.AdvertisedCost(4, mesh.Now));
            Assert.True(Delivered(mesh, 1, 4, seq));
        }

        [Fact]
        public void A_parents_overheard_frame_with_a_higher_cost_moves_the_child_before_the_parents_next_beacon()
        {
            InMemoryMesh mesh = Diamond(out uint parent, out uint other);
            long beacons = mesh[parent].Routing!.BeaconsSent;

            // The parent's next reading to the gateway, which node 4 only overhears, says the parent's cost rose.
            mesh.Inject(parent, NextReading(mesh, parent, 1, 400, out _));
            mesh.RunFor(10);
            Assert.Equal(beacons, mesh[parent].Routing!.BeaconsSent);
            Assert.Equal(400, mesh[4].Routing!.Gradient.AdvertisedCost(parent, mesh.Now));
            Assert.Equal(other, mesh[4].Routing!.Gradient.Parent);
        }

        [Fact]
        public void A_frame_saying_its_sender_has_no_route_takes_that_route_away_at_once()
        {
            InMemoryMesh mesh = Diamond(out uint parent, out uint other);
            mesh.Inject(parent, NextReading(mesh, parent, 1, Beacon.NoCost, out _));
            mesh.RunFor(10);
            Assert.Equal(Beacon.NoCost, mesh[4].Routing!.Gradient.AdvertisedCost(parent, mesh.Now));
            Assert.Equal(other, mesh[4].Routing!.Gradient.Parent);
        }

        [Fact]
        public void A_replayed_frame_does_not_bring_back_the_cost_it_carried()
        {
            // Attack: an attacker records the parent's frame from when it was cheap and plays it back after the parent's
            // cost rose, to pull node 4 back to it. The copy is a duplicate and is refused before anything is learned.
            InMemoryMesh mesh = Diamond(out uint parent, out uint other);
            uint cheapSeq = SendReading(mesh, parent);
            mesh.RunFor(2_000);
            byte[] cheap = ReadingSentBy(mesh, parent, cheapSeq);
            Assert.True(Header(cheap).SenderCost < 100);

            mesh.Inject(parent, NextReading(mesh, parent, 1, 400, out _));
            mesh.RunFor(10);
            Assert.Equal(other, mesh[4].Routing!.Gradient.Parent);

            int results = mesh.Results[4].Count;
            mesh.Inject(parent, cheap);
            mesh.RunFor(10);
            Assert.Equal(RejectReason.Duplicate, mesh.Results[4].Skip(results).Single());
            Assert.Equal(400, mesh[4].Routing!.Gradient.AdvertisedCost(parent, mesh.Now));
            Assert.Equal(other, mesh[4].Routing!.Gradient.Parent);
        }

        [Fact]
        public void A_sender_cost_rewritten_without_the_network_key_is_refused_and_changes_nothing()
        {
            // Attack: an outsider rewrites the cost in a copy on air (to pull traffic to it, or push it away) and seals
            // it with a key of its own. The network MIC covers the sender cost.
            InMemoryMesh mesh = Diamond(out uint parent, out _);
            int before = mesh[4].Routing!.Gradient.AdvertisedCost(parent, mesh.Now);
            var outsider = new NetworkKey(Enumerable.Repeat((byte)0x5A, 16).ToArray(), mesh.Key.Index, DesktopCrypto.Instance);
            SendReading(mesh, parent);
            byte[] forged = TakeReaddressed(mesh, parent, 1, Beacon.NoCost, outsider);

            int results = mesh.Results[4].Count;
            mesh.Inject(parent, forged);
            mesh.RunFor(10);
            Assert.Equal(RejectReason.BadMic, mesh.Results[4].Skip(results).Single());
            Assert.Equal(before, mesh[4].Routing!.Gradient.AdvertisedCost(parent, mesh.Now));
            Assert.Equal(parent, mesh[4].Routing!.Gradient.Parent);
        }
    }
}
