using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// PROTOCOL.md "Structured routing", loops on the data path: a parent that transmits its own earlier copy of an upward
    /// frame this node handed it (no more hops than this node's copy) had the frame before this node — it came round a
    /// loop through the parent. The node forgets the parent's route and sends the frame to the parent it chooses without it.
    /// </summary>
    public class LoopingParentTests
    {
        /// <remarks>
        /// An outsider's copy (the network MIC under another key) moves nothing: without it, anyone in radio range who
        /// recorded a frame could make a node drop its parent's route.
        /// </remarks>
        [Theory]
        [InlineData(false, false, true)]
        [InlineData(true, false, false)]
        [InlineData(false, true, false)]
        public void A_parent_retransmitting_its_earlier_copy_is_left_for_another_parent(bool fallbackEcho, bool forged, bool left)
        {
            // Gateway 1 with children 2 and 5; node 3 next to both; node 4 below 3; radio 9 heard by node 3.
            var mesh = new InMemoryMesh();
            foreach (NodeConfig c in new[] { Gateway(1), Sensor(2), Sensor(3), Sensor(4), Sensor(5) })
            {
                c.FallbackEcho = fallbackEcho;
                mesh.Add(c);
            }

            mesh.Link(1, 2);
            mesh.Link(1, 5);
            mesh.Link(2, 3);
            mesh.Link(5, 3);
            mesh.Link(3, 4);
            mesh.AddRadio(9);
            mesh.Link(9, 3);
            mesh.RunFor(60_000);
            uint parent = mesh[3].Routing!.Gradient.Parent;
            uint other = parent == 2 ? 5u : 2u;
            Assert.True(parent == 2 || parent == 5);

            // The parent does not hear node 3's copy, so it never forwards it (no passive ack).
            mesh.DropWhen = (from, to, frame) => from == 3 && to == parent && (MessageType)frame[FrameLayout.OffsetType] == MessageType.Readings;
            uint seq = SendReading(mesh, 4, 19.5);
            mesh.RunFor(60);
            Assert.True(mesh[3].Routing!.Upward.Find(4, seq) >= 0, "node 3 relayed the reading and waits for its parent");

            // The parent transmits a copy with hops taken 1 (node 3's has 1): a copy it had before node 3's.
            byte[] sent = ReadingSentBy(mesh, 4, seq);
            mesh.Inject(9, CopyWithHops(mesh, sent, 1, previousHop: parent, nextHop: 1, forged ? OutsiderKey() : mesh.Key));
            mesh.RunFor(100); // well inside the wait for the parent's acknowledgement

            Assert.Equal(left ? 1 : 0, mesh[3].Routing!.LoopsLeft);
            Assert.True(left == mesh.Log.Any(t => t.Node == 3 && t.Origin == 4 && t.Sequence == seq && t.NextHop == other),
                "node 3's copies: " + string.Join(", ", mesh.Log.Where(t => t.Node == 3 && t.Origin == 4 && t.Sequence == seq)));
            Assert.Equal(left, mesh[3].Routing!.Gradient.Parent == other);
            mesh.RunFor(3_000);
            Assert.True(Delivered(mesh, 1, 4, seq));
        }

    }
}
