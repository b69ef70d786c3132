using Mesh.Protocol.Tests.Harness;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>Structured routing and QoS together: the fair share up the gradient, and beacons carrying throttle notices and gateway ids.</summary>
    public class RoutingQosTests
    {
        [Fact]
        public void A_babbler_up_the_gradient_is_throttled_by_its_parent_and_learns_it_from_the_parents_beacon()
        {
            // 1 gateway - 2 relay - 3 babbler: 40 readings at once from 3, far past the share (a burst of 8).
            InMemoryMesh mesh = LineWithGateway(2);
            mesh.RunFor(30_000);
            Assert.Equal(2u, mesh[3].Routing!.Gradient.Parent);
            for (int i = 0; i < 40; i++)
            {
                SendReading(mesh, 3, 20 + i);
                mesh.RunFor(100); // faster than any share, slow enough for the babbler's own queue
            }

            mesh.RunFor(600_000); // beacons are paced by Trickle; the relay names the babbler in its next one
            Assert.InRange(mesh[2].Counters.ThrottledFrames, 25, 32);
            Assert.InRange(mesh[3].Counters.ThrottledByNeighbours, 25, 32);
        }

        [Fact]
        public void Beacons_teach_relays_the_gateway_so_its_frames_get_the_gateway_share()
        {
            InMemoryMesh mesh = LineWithGateway(3);
            mesh.RunFor(30_000);
            Assert.True(mesh[2].FairShare.IsGateway(1)); // the gateway's own beacon
            Assert.True(mesh[4].FairShare.IsGateway(1)); // two hops away: from its parent's gateway field
            Assert.False(mesh[4].FairShare.IsGateway(3));
        }
    }
}
