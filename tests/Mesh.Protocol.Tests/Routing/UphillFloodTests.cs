using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// A flooded upward reading (a fallback) runs towards the gateways: a node with a route that is no nearer a gateway
    /// than the node it heard the copy from does not flood it on (PROTOCOL.md *Structured routing*, upward data).
    /// On random-3000-one-gateway such floods reached the whole mesh, ~1,360 transmissions each.
    /// </summary>
    public class UphillFloodTests
    {
        private static InMemoryMesh FailingLinkFrom4To3(out uint seq, System.Action<NodeConfig>? configure = null)
        {
            // 1 (gateway) — 2 — 3 — 4 — 5: every directed reading 4 sends its parent 3 is lost, so 4 floods it.
            InMemoryMesh mesh = LineWithGateway(4, configure: configure);
            mesh.RunFor(60_000);
            Assert.Equal(3u, mesh[4].Routing!.Gradient.Parent);
            Assert.Equal(4u, mesh[5].Routing!.Gradient.Parent);
            mesh.DropWhen = (from, to, frame) => from == 4 && to == 3
                && (MessageType)frame[FrameLayout.OffsetType] == MessageType.Readings
                && LittleEndian.ReadUInt32(frame, FrameLayout.OffsetNextHop) != NodeAddress.None;
            seq = SendReading(mesh, 4);
            mesh.RunFor(60_000);
            return mesh;
        }

        [Fact]
        public void A_fallback_flood_is_carried_downhill_to_the_gateway_and_not_relayed_uphill()
        {
            InMemoryMesh mesh = FailingLinkFrom4To3(out uint seq);

            Assert.True(mesh[4].Routing!.FloodFallbacks >= 1, "node 4 fell back to flooding");
            Assert.Equal(1, DeliveredCount(mesh, 1, 4, seq));
            // Node 3, nearer the gateway, carried it on — to its parent, the origin's flood rejoining the gradient there
            // (FloodRejoinTests); node 5, below node 4, heard it and stayed quiet.
            Assert.Contains(mesh.TransmissionsOf(4, seq), t => t.Node == 3 && t.NextHop == 2);
            Assert.DoesNotContain(mesh.TransmissionsOf(4, seq), t => t.Node == 5);
            Assert.True(mesh[5].Routing!.FloodsNotRelayedUphill >= 1);
        }

        [Fact]
        public void With_fallback_echo_the_flood_still_goes_everywhere_so_the_origin_hears_it_given_up()
        {
            InMemoryMesh mesh = FailingLinkFrom4To3(out uint seq, c => c.FallbackEcho = true);

            Assert.Equal(1, DeliveredCount(mesh, 1, 4, seq));
            Assert.Contains(mesh.TransmissionsOf(4, seq), t => t.Node == 5);
            Assert.Equal(0, mesh[5].Routing!.FloodsNotRelayedUphill);
        }
    }
}
