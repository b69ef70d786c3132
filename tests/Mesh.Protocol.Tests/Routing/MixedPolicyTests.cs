using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Xunit.Abstractions;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// Structured nodes beside nodes of another policy (PROTOCOL.md "Structured routing", mixed meshes): a board that
    /// cannot hold the routing state (an ESP32-C3) keeps managed flooding, and a structured mesh must carry it without
    /// paying for it in beacons.
    /// </summary>
    public class MixedPolicyTests
    {
        private readonly ITestOutputHelper _output;

        public MixedPolicyTests(ITestOutputHelper output)
        {
            _output = output;
        }

        /// <summary>Gateway 1 (structured) - 2 (structured) - 3 (managed) - 4 (managed), a line.</summary>
        private static InMemoryMesh LineWithManagedTail()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            mesh.Add(Sensor(2));
            for (uint id = 3; id <= 4; id++)
            {
                NodeConfig c = InMemoryMesh.Config(id, NodeRole.Sensor);
                c.Policy = PolicySettings.Managed(2);
                mesh.Add(c);
            }

            mesh.Link(1, 2);
            mesh.Link(2, 3);
            mesh.Link(3, 4);
            return mesh;
        }

        private long BeaconsOfNode2OverHalfAnHour(bool managedTailReports, out int delivered, out int sent)
        {
            var mesh = LineWithManagedTail();
            mesh.RunFor(600_000); // the gradient settles and Trickle slows down
            long before = mesh[2].Routing!.BeaconsSent;
            delivered = 0;
            sent = 0;
            for (int i = 0; i < 90; i++)
            {
                if (managedTailReports)
                {
                    uint origin = (uint)(3 + (i & 1));
                    uint seq = SendReading(mesh, origin);
                    mesh.RunFor(20_000);
                    sent++;
                    delivered += DeliveredCount(mesh, 1, origin, seq);
                }
                else
                {
                    mesh.RunFor(20_000);
                }
            }

            return mesh[2].Routing!.BeaconsSent - before;
        }

        [Fact]
        public void Readings_flooded_by_neighbours_that_do_not_route_structured_do_not_reset_the_beacon_timer()
        {
            // Before: every flooded reading a managed neighbour sent or relayed counted as "a neighbour without a
            // route needs our beacon" and reset Trickle to its shortest interval. farm-200 with a quarter of its
            // nodes managed sent 46,595 beacons in the hour against 2,101 all structured.
            long quiet = BeaconsOfNode2OverHalfAnHour(false, out _, out _);
            long busy = BeaconsOfNode2OverHalfAnHour(true, out int delivered, out int sent);
            _output.WriteLine($"node 2 beacons in 30 min: {quiet} with a silent managed tail, {busy} while it floods {sent} readings ({delivered} delivered)");
            Assert.Equal(sent, delivered);
            Assert.InRange(busy, 0, quiet + 2);
        }
    }
}
