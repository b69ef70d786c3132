using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Routing;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// What a copy of a broadcast covers (PROTOCOL.md "Structured routing", backbone): the transmitter and every
    /// strong neighbour that listed it well in its last beacon — whether this node keeps the transmitter in its
    /// table (a bit in the lister's row) or not (a 16-bit tag, at most <see cref="Backbone.ListedTags"/> per
    /// neighbour). A tag left out may only make a copy cover less, never a neighbour count as covered that did
    /// not list the transmitter.
    /// </summary>
    public class BackboneListedTests
    {
        private const uint Self = 100;
        private const long Now = 10_000;

        private static void HearWell(Backbone bb, uint id, int rssi)
        {
            for (uint seq = 1; seq <= 4; seq++)
            {
                bb.Heard(id, rssi, seq, Now);
            }
        }

        /// <summary>A beacon from <paramref name="from"/> listing this node and <paramref name="others"/>, all at 100 %.</summary>
        private static void Beacon(Backbone bb, uint from, params uint[] others)
        {
            var b = new Beacon { Role = (int)NodeRole.Sensor, NeighbourCount = others.Length + 1 };
            b.NeighbourIds[0] = Self;
            b.NeighbourQuality[0] = 255;
            for (int i = 0; i < others.Length; i++)
            {
                b.NeighbourIds[i + 1] = others[i];
                b.NeighbourQuality[i + 1] = 255;
            }

            bb.Update(from, b, Self);
        }

        private static int Uncovered(Backbone bb, int p) => bb.Uncovered(p, out _);

        [Fact]
        public void A_copy_from_a_node_not_kept_covers_the_neighbours_that_list_it()
        {
            var bb = new Backbone(2, 4, 200_000);
            HearWell(bb, 1, -50);
            HearWell(bb, 2, -50);
            Beacon(bb, 1, 50);   // 50: an outsider this node never heard
            Beacon(bb, 2);
            int p = bb.Claim(7, 1, -1, -1);

            Assert.False(bb.NoteCopy(p, 50));
            Assert.Equal(1, Uncovered(bb, p)); // 1 covered by its tag; 2 never listed 50
            Assert.False(bb.NoteCopy(p, 51));  // nobody listed 51
            Assert.Equal(1, Uncovered(bb, p));
        }

        [Fact]
        public void A_member_that_leaves_the_table_stays_covered_through_the_neighbours_that_listed_it()
        {
            var bb = new Backbone(3, 4, 200_000);
            HearWell(bb, 1, -50);
            HearWell(bb, 2, -50);
            HearWell(bb, 3, -80);
            Beacon(bb, 1, 3);    // 1 lists member 3: a bit in its row, no tag
            Beacon(bb, 2);
            HearWell(bb, 4, -40); // louder than 3 by more than the margin: takes 3's slot
            Beacon(bb, 4);
            int p = bb.Claim(7, 1, -1, -1);

            Assert.False(bb.NoteCopy(p, 3)); // 3 is an outsider now: 1 still counts as covered by its copy
            Assert.Equal(2, Uncovered(bb, p)); // 2 and 4 never listed it
        }

        [Fact]
        public void Outsiders_past_the_tag_limit_cover_less_and_never_more()
        {
            var bb = new Backbone(2, 4, 200_000);
            HearWell(bb, 1, -50);
            HearWell(bb, 2, -50);
            var outsiders = new uint[Backbone.ListedTags + 4];
            for (int i = 0; i < outsiders.Length; i++)
            {
                outsiders[i] = (uint)(1000 + i);
            }

            Beacon(bb, 1, outsiders);
            Beacon(bb, 2);

            int kept = bb.Claim(7, 1, -1, -1);
            Assert.False(bb.NoteCopy(kept, outsiders[Backbone.ListedTags - 1]));
            Assert.Equal(1, Uncovered(bb, kept));

            int left = bb.Claim(7, 2, -1, -1);
            Assert.False(bb.NoteCopy(left, outsiders[Backbone.ListedTags]));
            Assert.Equal(2, Uncovered(bb, left)); // its tag was not kept: node 1 is not taken as covered
        }

        [Fact]
        public void A_newer_beacon_replaces_the_outsiders_an_older_one_listed()
        {
            var bb = new Backbone(2, 4, 200_000);
            HearWell(bb, 1, -50);
            HearWell(bb, 2, -50);
            Beacon(bb, 1, 50);
            Beacon(bb, 2);
            Beacon(bb, 1, 60); // 1 no longer hears 50 well
            int p = bb.Claim(7, 1, -1, -1);

            Assert.False(bb.NoteCopy(p, 50));
            Assert.Equal(2, Uncovered(bb, p));
            Assert.False(bb.NoteCopy(p, 60));
            Assert.Equal(1, Uncovered(bb, p));
        }
    }
}
