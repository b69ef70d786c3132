using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// A flooded upward reading or heartbeat (a fallback) runs towards the gateways: a node with a route that is no nearer
    /// a gateway than the node it heard the copy from does not flood it on (PROTOCOL.md *Structured routing*, upward
    /// data). On random-3000-one-gateway such floods reached the whole mesh, ~1,360 transmissions each.
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
        public void A_heartbeats_fallback_flood_is_not_relayed_uphill_either()
        {
            // 1 (gateway) — 2 — 3 — 4 — 5 — 6: node 5 is on the backbone (node 6 hangs from it), which carries flooded
            // heartbeats; every directed copy of 4's next heartbeat to its parent 3 is lost, so 4 floods it. Only that
            // one: with every heartbeat lost, 4's only link up fails twice, 4 has no route when it floods, the flood says
            // so (its sender cost) and node 5, whose only way up is 4, rightly relays it as a route-less node.
            InMemoryMesh mesh = LineWithGateway(5, configure: c => c.HeartbeatIntervalMs = 30_000);
            mesh.RunFor(60_000);
            Assert.Equal(3u, mesh[4].Routing!.Gradient.Parent);
            Assert.Equal(4u, mesh[5].Routing!.Gradient.Parent);
            uint? lost = null;
            mesh.DropWhen = (from, to, frame) =>
            {
                if (from != 4 || to != 3 || (MessageType)frame[FrameLayout.OffsetType] != MessageType.Heartbeat
                    || LittleEndian.ReadUInt32(frame, FrameLayout.OffsetOrigin) != 4
                    || LittleEndian.ReadUInt32(frame, FrameLayout.OffsetNextHop) == NodeAddress.None)
                {
                    return false;
                }

                lost ??= LittleEndian.ReadUInt32(frame, FrameLayout.OffsetSequence);
                return lost == LittleEndian.ReadUInt32(frame, FrameLayout.OffsetSequence);
            };
            int before = mesh.Log.Count;
            mesh.RunFor(60_000);

            Transmission flood = mesh.Log.Skip(before).First(t => t.Node == 4 && t.Origin == 4 && t.Type == MessageType.Heartbeat && t.NextHop == NodeAddress.None);
            Assert.Contains(mesh.Events[1], e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Heartbeat && e.Origin == 4 && e.Sequence == flood.Sequence);
            Assert.Contains(mesh.TransmissionsOf(4, flood.Sequence), t => t.Node == 3 && t.NextHop == 2);
            Assert.DoesNotContain(mesh.TransmissionsOf(4, flood.Sequence), t => t.Node == 5);
            Assert.True(mesh[5].Routing!.FloodsNotRelayedUphill >= 1);
        }

        [Fact]
        public void A_gateways_heartbeat_still_floods_to_the_end_of_the_mesh()
        {
            // A gateway has no parent: its heartbeat is flooded, every relay uphill of the one before, and is the mesh's
            // time beacon. 1 (gateway) — 2 — … — 6: node 5 passes it on to node 6.
            InMemoryMesh mesh = LineWithGateway(5, configure: c => c.HeartbeatIntervalMs = 30_000);
            mesh.RunFor(100_000);

            Transmission heartbeat = mesh.Log.Last(t => t.Type == MessageType.Heartbeat && t.Origin == 1 && t.HopsTaken == 0);
            mesh.RunFor(5_000);
            Assert.Equal(NodeAddress.None, heartbeat.NextHop);
            Assert.Contains(mesh.TransmissionsOf(1, heartbeat.Sequence), t => t.Node == 5);
            Assert.Equal(0, mesh[5].Routing!.FloodsNotRelayedUphill);
        }

        [Fact]
        public void A_gateways_heartbeat_reaches_the_other_gateway()
        {
            // 1 (gateway) — 2 — 3 — 4 — 5 — 6 — 7 (gateway): gateway 7's heartbeat climbs its own basin (its nodes know
            // it as their gateway) and runs downhill through gateway 1's to gateway 1.
            InMemoryMesh mesh = LineWithGateway(5, configure: c => c.HeartbeatIntervalMs = 30_000);
            NodeConfig other = Gateway(7);
            other.HeartbeatIntervalMs = 30_000;
            mesh.Add(other);
            mesh.Link(6, 7);
            mesh.RunFor(100_000);
            Assert.Equal(7u, mesh[6].Routing!.Gradient.Gateway);
            Assert.Equal(1u, mesh[2].Routing!.Gradient.Gateway);

            Transmission heartbeat = mesh.Log.Last(t => t.Type == MessageType.Heartbeat && t.Origin == 7 && t.HopsTaken == 0);
            mesh.RunFor(5_000);
            Assert.Contains(mesh.Events[1], e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Heartbeat && e.Origin == 7 && e.Sequence == heartbeat.Sequence);
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
