using System.Linq;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>Heartbeat block 2 (PROTOCOL.md, "2 · Heartbeat"): a structured node tells its gateway its parent, cost and hops.</summary>
    public class HeartbeatRouteBlockTests
    {
        [Fact]
        public void Block_2_has_the_known_bytes()
        {
            var hb = new Heartbeat { Role = NodeRole.Sensor, Policy = PolicyKind.Structured, Counter = 1, UptimeSeconds = 2, HasRoute = true, RouteParent = 0x01020304, RouteCost = 0x30, RouteHops = 3 };
            byte[] b = new byte[64];
            int n = hb.Encode(b, 0);
            Assert.Equal("010401000200000000" + "020704030201300003", System.Convert.ToHexString(b, 0, n));
            var back = new Heartbeat();
            Assert.True(back.TryDecode(b, 0, n));
            Assert.True(back.HasRoute);
            Assert.False(back.HasQos);
            Assert.Equal(0x01020304u, back.RouteParent);
            Assert.Equal(0x30, back.RouteCost);
            Assert.Equal(3, back.RouteHops);
            Assert.False(back.TryDecode(b, 0, n - 1)); // a short block 2 is malformed
        }

        [Fact]
        public void A_structured_nodes_heartbeat_reaches_the_gateway_with_its_parent_and_hops()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            for (uint i = 2; i <= 4; i++)
            {
                NodeConfig c = Sensor(i);
                c.HeartbeatIntervalMs = 20_000;
                mesh.Add(c);
                mesh.Link(i - 1, i);
            }

            mesh.RunFor(90_000);
            MeshEvent e = mesh.Events[1].Last(x => x.Kind == MeshEventKind.Message && x.Type == MessageType.Heartbeat && x.Origin == 4);
            var hb = new Heartbeat();
            Assert.True(hb.TryDecode(e.Payload, 0, e.PayloadLength));
            Assert.True(hb.HasRoute);
            Assert.True(hb.HasQos);
            Assert.Equal(3u, hb.RouteParent);
            Assert.Equal(3, hb.RouteHops);
            Assert.InRange(hb.RouteCost, 3 * 16, 3 * 8 * 16);
        }
    }
}
