using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Routing;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// A node that hears more neighbours than its tables hold (city-1000 seed 11: ~180 in range of a dense block,
    /// 32 slots) recycles the least recently used entry for each newcomer. The parent must not be the one
    /// recycled: its entry is what the route rests on. Before it was pinned, the parent's gradient entry and its
    /// link quality were pushed out by neighbours' beacons and frames, the node chose a parent afresh each
    /// time, and that block changed parent about once every 1.6 s a node (1,100 parent changes a node in
    /// 30 minutes, 126–137 k in the mesh). An insider spraying beacons under fresh ids did the same on purpose.
    /// </summary>
    public class CrowdedNeighbourhoodTests
    {

        private static Beacon Route(int cost, int hops, uint parent, uint gateway = 1) =>
            new() { Cost = cost, Hops = hops, Parent = parent, Gateway = gateway };

        [Fact]
        public void Beacons_from_a_crowd_of_newcomers_do_not_push_the_parent_out_of_the_gradient_table()
        {
            // One probe window (8 slots): every newcomer competes with the parent's slot.
            var neighbours = new NeighbourTable(8, 600_000);
            var gradient = StructuredMesh.Gradient();
            neighbours.Heard(2, -60, 0);
            gradient.Update(2, Route(16, 1, parent: 1), qOut: 255, nowMs: 0);
            gradient.Recompute(neighbours, 0);
            Assert.Equal(2u, gradient.Parent);
            int cost = gradient.Cost;

            // 40 newcomers beacon, each further from the gateway than we are (our children-to-be), then the
            // parent is heard again: nothing cheaper came, so nothing changes.
            for (uint id = 200; id < 240; id++)
            {
                gradient.Update(id, Route(cost + 64, 3, parent: 100), qOut: 200, nowMs: 1_000 + id);
                Assert.False(gradient.Recompute(neighbours, 1_000 + id) && gradient.Parent != 2, $"newcomer {id} moved the parent to {gradient.Parent}");
                Assert.Equal(2u, gradient.Parent);
            }

            Assert.Equal(cost, gradient.Cost);
        }

        [Fact]
        public void Frames_from_a_crowd_of_newcomers_do_not_reset_the_parent_s_link_quality()
        {
            var neighbours = new NeighbourTable(8, 600_000);
            for (uint seq = 1; seq <= 20; seq++)
            {
                neighbours.Heard(2, -60, seq * 1_000, keep: 2);
                neighbours.OriginatedFrameHeard(2, seq);
            }

            Assert.True(neighbours.TryGet(2, out _, out int before));
            Assert.True(before > NeighbourTable.InitialQuality, $"quality {before} after 20 frames in a row");

            for (uint id = 200; id < 240; id++)
            {
                neighbours.Heard(id, -70, 30_000 + id, keep: 2);
            }

            Assert.True(neighbours.TryGet(2, out _, out int after), "the parent's entry was recycled");
            Assert.Equal(before, after);
        }
    }
}
