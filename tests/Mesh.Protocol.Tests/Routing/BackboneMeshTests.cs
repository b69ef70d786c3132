using System.Collections.Generic;
using System.Linq;
using System.Text;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using Xunit.Abstractions;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// The broadcast backbone on real MeshNodes over the in-memory radio: relay decisions made from beacons
    /// alone, broadcasts reaching every node with fewer transmissions than flooding, and an insider that
    /// claims to hear everyone (PROTOCOL.md "Structured routing", backbone, insider limits).
    /// </summary>
    public class BackboneMeshTests
    {
        private readonly ITestOutputHelper _output;

        public BackboneMeshTests(ITestOutputHelper output)
        {
            _output = output;
        }

        private static uint Broadcast(InMemoryMesh mesh, uint from, string text)
        {
            byte[] t = Encoding.UTF8.GetBytes(text);
            uint seq = mesh[from].NextSequence;
            Assert.Equal(SendResult.Queued, mesh[from].SendText(t, 0, t.Length, NodeAddress.Broadcast, mesh.Now));
            return seq;
        }

        private static bool Got(InMemoryMesh mesh, uint at, uint origin, uint sequence) =>
            mesh.Events[at].Any(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Text && e.Origin == origin && e.Sequence == sequence);

        private static SortedSet<uint> RelaysOf(InMemoryMesh mesh, IEnumerable<uint> ids) =>
            new(ids.Where(i => mesh[i].IsBackboneRelay));

        [Fact]
        public void A_line_learns_its_relays_from_beacons_and_a_broadcast_reaches_the_end()
        {
            var mesh = LineWithGateway(7); // 1 (gateway) … 8
            mesh.RunFor(120_000);
            var relays = RelaysOf(mesh, Enumerable.Range(1, 8).Select(i => (uint)i));
            _output.WriteLine("relays " + string.Join(",", relays));
            Assert.Equal(Enumerable.Range(2, 6).Select(i => (uint)i), relays); // every inner node, not the ends

            uint seq = Broadcast(mesh, 1, "hello line");
            mesh.RunFor(5_000);
            for (uint i = 2; i <= 8; i++)
            {
                Assert.True(Got(mesh, i, 1, seq), $"node {i} missed the broadcast");
            }

            // One transmission per node that has someone farther to reach, plus at most the end's silence.
            int tx = mesh.TransmissionsOf(1, seq).Count;
            _output.WriteLine($"transmissions {tx}");
            Assert.InRange(tx, 7, 8);
        }

        [Fact]
        public void A_grid_broadcast_reaches_everyone_with_fewer_transmissions_than_nodes()
        {
            var mesh = InMemoryMesh.Grid(5, 5, id => id == 13 ? Gateway(id) : Sensor(id));
            mesh.RunFor(180_000);
            uint seq = Broadcast(mesh, 13, "hello grid");
            mesh.RunFor(5_000);
            for (uint i = 1; i <= 25; i++)
            {
                if (i != 13)
                {
                    Assert.True(Got(mesh, i, 13, seq), $"node {i} missed the broadcast");
                }
            }

            int tx = mesh.TransmissionsOf(13, seq).Count;
            _output.WriteLine($"grid 5x5: {tx} transmissions for 25 nodes; relays {string.Join(",", RelaysOf(mesh, Enumerable.Range(1, 25).Select(i => (uint)i)))}");
            Assert.True(tx < 25, $"{tx} transmissions");
        }

        [Fact]
        public void A_gateways_heartbeat_rides_the_backbone_like_a_broadcast()
        {
            // A gateway has no parent, so its heartbeat (to the gateways) is flooded. It is carried as the
            // gateway's broadcasts are, by the backbone: in a clique every node hears the gateway's own copy
            // and no one needs to pass it on (managed flooding had two more copies sent, C = 2).
            var mesh = new InMemoryMesh();
            NodeConfig gateway = Gateway(1);
            gateway.HeartbeatIntervalMs = 200_000;
            mesh.Add(gateway);
            for (uint i = 2; i <= 7; i++)
            {
                mesh.Add(Sensor(i));
            }

            for (uint a = 1; a <= 7; a++)
            {
                for (uint b = a + 1; b <= 7; b++)
                {
                    mesh.Link(a, b);
                }
            }

            mesh.RunFor(250_000);
            Transmission heartbeat = mesh.Log.Last(t => t.Type == MessageType.Heartbeat && t.Origin == 1 && t.HopsTaken == 0);
            Assert.Equal(0u, heartbeat.NextHop);
            mesh.RunFor(5_000);
            uint seq = Broadcast(mesh, 1, "hello clique");
            mesh.RunFor(5_000);

            var heartbeatCopies = mesh.TransmissionsOf(1, heartbeat.Sequence);
            var broadcastCopies = mesh.TransmissionsOf(1, seq);
            _output.WriteLine($"heartbeat: {heartbeatCopies.Count} transmissions, broadcast: {broadcastCopies.Count}");
            Assert.All(heartbeatCopies, t => Assert.Equal(1u, t.Node));
            Assert.Equal(broadcastCopies.Count, heartbeatCopies.Count);
            Assert.True(Enumerable.Range(2, 6).Sum(i => mesh[(uint)i].Routing!.Backbone.Covered) >= 12, "each node found the heartbeat and the broadcast covered by the gateway's copy");
        }

        private const uint Insider = 100;

        /// <summary>Line 1 (gateway) … 9; the insider's radio hears and is heard by 4, 5 and 6 only.</summary>
        private static InMemoryMesh LineWithInsider(bool insider)
        {
            var mesh = LineWithGateway(8);
            if (insider)
            {
                mesh.AddRadio(Insider);
                mesh.Link(Insider, 4);
                mesh.Link(Insider, 5);
                mesh.Link(Insider, 6);
            }

            return mesh;
        }

        /// <summary>The insider's beacon: it claims to hear 32 nodes at 100 % (every real one and invented ones), the top priority.</summary>
        private static byte[] LyingBeacon(InMemoryMesh mesh, uint sequence)
        {
            var ids = Enumerable.Range(1, 9).Select(i => ((uint)i, (byte)255))
                .Concat(Enumerable.Range(1000, 23).Select(i => ((uint)i, (byte)255))).ToArray();
            byte[] payload = BeaconPayload(false, 20, 1, 1, 1, ids);
            payload[0] |= Beacon.FlagBackbone;
            return Forge(MessageType.Beacon, Insider, NodeAddress.Broadcast, sequence, mesh[2].NetworkTime(mesh.Now), payload, mesh.Key);
        }

        [Fact]
        public void An_insider_claiming_to_hear_everyone_silences_only_its_own_neighbours_and_broadcasts_still_arrive()
        {
            var honest = LineWithInsider(insider: false);
            honest.RunFor(120_000);
            var ids = Enumerable.Range(1, 9).Select(i => (uint)i).ToArray();
            var before = RelaysOf(honest, ids);

            var mesh = LineWithInsider(insider: true);
            uint s = 1;
            for (int step = 0; step < 120; step++)
            {
                mesh.RunFor(1_000);
                mesh.Inject(Insider, LyingBeacon(mesh, s++)); // one a second: it is well heard, and it forwards nothing
            }

            var after = RelaysOf(mesh, ids);
            _output.WriteLine($"relays without the insider {string.Join(",", before)}; with it {string.Join(",", after)}");

            // Its claims stick only where honest nodes confirm them (they hear it): decisions change at its
            // radio neighbours at most (4, 5, 6); everyone else decides as before.
            var changed = ids.Where(i => before.Contains(i) != after.Contains(i)).ToArray();
            Assert.All(changed, i => Assert.Contains(i, new uint[] { 4, 5, 6 }));
            Assert.Contains(5u, changed); // it did silence the node it covers (4 and 6 hear it too)

            // It forwards nothing; the silenced node's fallback carries the broadcast past it.
            uint seq = Broadcast(mesh, 1, "past the insider");
            mesh.RunFor(5_000);
            foreach (uint i in ids.Where(i => i != 1))
            {
                Assert.True(Got(mesh, i, 1, seq), $"node {i} missed the broadcast");
            }
        }
    }
}
