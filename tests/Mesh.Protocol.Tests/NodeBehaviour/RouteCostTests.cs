using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;

namespace Mesh.Protocol.Tests.NodeBehaviour
{
    /// <summary>
    /// Reverse paths are ranked by cost (hops plus the measured ETX of the first link), not by hop count:
    /// on the demo's grid hop count picked the links at the edge of range that managed flooding favours,
    /// and 39 of 85 pings needed the flooded retry (16 with link costs, `mesh-sim run` on the demo grid).
    /// </summary>
    public class RouteCostTests
    {
        private const uint Lossy = 10;
        private const uint Good = 20;
        private const uint Target = 99;

        private static NeighbourTable Neighbours()
        {
            var table = new NeighbourTable(8, 600_000);
            table.Heard(Lossy, -91, 0);
            table.Heard(Good, -70, 0);
            // Lossy: every third frame of its own heard; Good: every frame.
            for (uint seq = 1; seq <= 60; seq++)
            {
                table.OriginatedFrameHeard(Good, seq);
                if (seq % 3 == 1)
                {
                    table.OriginatedFrameHeard(Lossy, seq);
                }
            }

            return table;
        }

        [Fact]
        public void Link_cost_is_sixteen_over_the_reception_ratio_and_never_above_eight_transmissions()
        {
            NeighbourTable table = Neighbours();
            Assert.InRange(table.LinkCost(Good), 16, 17); // ~every frame heard: one transmission
            Assert.InRange(table.LinkCost(Lossy), 40, 56); // about a third heard: ~3 transmissions
            Assert.Equal(RouteTable.HopCost * 255 / NeighbourTable.InitialQuality, table.LinkCost(12345)); // unknown: InitialQuality, ~2 transmissions
            var silent = new NeighbourTable(8, 600_000);
            silent.Heard(7, -95, 0);
            silent.OriginatedFrameHeard(7, 1);
            silent.OriginatedFrameHeard(7, 17); // 15 missed
            silent.OriginatedFrameHeard(7, 33);
            Assert.InRange(silent.LinkCost(7), 6 * RouteTable.HopCost, NeighbourTable.MaxLinkCost); // ~1 in 15 heard
        }

        [Fact]
        public void A_longer_path_over_good_links_beats_a_direct_lossy_link()
        {
            NeighbourTable n = Neighbours();
            var routes = new RouteTable(8, 600_000);
            // The target's frame arrives first directly over the lossy link (0 relays), then via Good (1 relay).
            routes.Learn(Target, Lossy, 0, n.LinkCost(Lossy), 1000, true);
            Assert.True(routes.WouldImprove(Target, Good, 1, n.LinkCost(Good), 1001));
            routes.Learn(Target, Good, 1, n.LinkCost(Good), 1001, false);
            Assert.Equal(Good, routes.NextHop(Target, 1002));
            Assert.Equal(2, routes.Distance(Target, 1002));

            // The next message's first copy over the lossy link again does not take the route back.
            routes.Learn(Target, Lossy, 0, n.LinkCost(Lossy), 2000, true);
            Assert.Equal(Good, routes.NextHop(Target, 2001));
        }

        [Fact]
        public void A_first_copy_of_equal_cost_replaces_the_route_but_a_duplicate_needs_a_clear_gain()
        {
            var routes = new RouteTable(8, 600_000);
            routes.Learn(Target, 1, 1, 16, 0, true);
            routes.Learn(Target, 2, 1, 18, 1, false); // a later copy, slightly dearer: ignored
            Assert.Equal(1u, routes.NextHop(Target, 2));
            routes.Learn(Target, 2, 1, 16 - RouteTable.Hysteresis + 1, 3, false); // cheaper, but within the hysteresis
            Assert.Equal(1u, routes.NextHop(Target, 4));
            routes.Learn(Target, 2, 1, 16, 5, true); // the next message arrives first via 2 at equal cost (1 may be dead)
            Assert.Equal(2u, routes.NextHop(Target, 6));
        }
    }
}
