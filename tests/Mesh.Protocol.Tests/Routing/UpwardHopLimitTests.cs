using System.Linq;
using Mesh.Protocol.Wire;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Tests.Harness;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// An upward frame's origin gives it a hop limit its route needs (PROTOCOL.md "Structured routing", upward data):
    /// ETX prefers several good hops to a few lossy ones, so a gradient can be longer than the configured limit, and
    /// frames carried hop by hop to that limit died at a relay (the 10,000-node bench: 1,997 of 2,319 lost readings).
    /// A flood of such a frame stops at each relay's own limit (PROTOCOL.md "Forwarding").
    /// </summary>
    public class UpwardHopLimitTests
    {
        [Fact]
        public void A_reading_climbs_a_gradient_longer_than_the_configured_hop_limit()
        {
            // Gateway 1 - 2 - ... - 11: node 11 is 10 hops from the gateway, the configured limit 4.
            InMemoryMesh mesh = LineWithGateway(10, configure: c => c.HopLimit = 4);
            mesh.RunFor(600_000);
            Assert.Equal(10, mesh[11].Routing!.Gradient.Hops);

            mesh.Air.Clear();
            uint seq = SendReading(mesh, 11);
            mesh.RunFor(30_000);
            Assert.True(Delivered(mesh, 1, 11, seq), "the reading died on the way");
            byte[] frame = mesh.Air.First(a => a.Node == 11 && a.Frame[FrameLayout.OffsetType] == (byte)MessageType.Readings).Frame;
            Assert.Equal(10 + StructuredRouting.UpwardHopSlack, frame[FrameLayout.OffsetHopLimit]);
        }

        [Fact]
        public void The_hop_limit_is_never_raised_past_the_protocol_maximum()
        {
            // Gateway 1 - 2 - ... - 32: node 32 is 31 hops away, 31 + the slack is over 32.
            InMemoryMesh mesh = LineWithGateway(31, configure: c => c.HopLimit = 4);
            mesh.RunFor(600_000);
            Assert.Equal(31, mesh[32].Routing!.Gradient.Hops);
            Assert.True(31 + StructuredRouting.UpwardHopSlack > FrameLayout.MaxHopLimit);

            mesh.Air.Clear();
            SendReading(mesh, 32);
            mesh.RunFor(5_000);
            byte[] frame = mesh.Air.First(a => a.Node == 32 && a.Frame[FrameLayout.OffsetType] == (byte)MessageType.Readings).Frame;
            Assert.Equal(FrameLayout.MaxHopLimit, frame[FrameLayout.OffsetHopLimit]);
        }

        [Fact]
        public void A_short_gradient_keeps_the_configured_hop_limit()
        {
            InMemoryMesh mesh = LineWithGateway(3, configure: c => c.HopLimit = 8);
            mesh.RunFor(600_000);
            mesh.Air.Clear();
            SendReading(mesh, 4);
            mesh.RunFor(5_000);
            // The origin's own copy.
            byte[] frame = mesh.Air.First(a => a.Node == 4 && a.Frame[FrameLayout.OffsetType] == (byte)MessageType.Readings).Frame;
            // 3 hops + the slack is under the configured 8: the configured limit stands.
            Assert.Equal(8, frame[FrameLayout.OffsetHopLimit]);
            Assert.True(3 + StructuredRouting.UpwardHopSlack < 8);
        }

        [Fact]
        public void A_flooded_upward_frame_goes_no_farther_than_each_relays_own_hop_limit_whatever_its_origin_set()
        {
            // An origin may set any hop limit up to 32 (an insider does; an honest origin does for its directed path).
            // Flooded, such a frame must not cross more of the mesh than the relays' own limit (4) allows.
            // Node 1 (limit 32) - 2 - ... - 12, no gateway: its readings flood.
            InMemoryMesh mesh = InMemoryMesh.Line(12, id =>
            {
                NodeConfig c = InMemoryMesh.Config(id);
                c.Policy = PolicySettings.Managed(2);
                c.HopLimit = id == 1 ? 32 : 4;
                return c;
            });
            mesh.RunFor(1_000);

            uint seq = SendReading(mesh, 1);
            mesh.RunFor(10_000);
            var copies = mesh.TransmissionsOf(1, seq);
            Assert.Equal(32, mesh.Air.First(a => a.Node == 1 && a.Frame[FrameLayout.OffsetType] == (byte)MessageType.Readings).Frame[FrameLayout.OffsetHopLimit]);
            // The origin and relays 2-5 (hops taken 0-3 on arrival); node 6 gets hops taken 4 and stops.
            Assert.Equal(5, copies.Count);
            Assert.DoesNotContain(copies, t => t.Node > 5);
        }
    }
}
