using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// A board keeps its 6 upward copies in 500 shared bytes (NodeConfig.UpwardBytes, BoardProfile): whoever sends
    /// long frames through a relay — an honest node with many sensors, or an insider doing it on purpose — fills
    /// the bytes before the slots. The copy closest to giving up is then evicted into one last retransmission to
    /// its next hop, as when every slot is taken (UpwardEvictionTests), never dropped in silence.
    /// </summary>
    public class UpwardBytesTests
    {
        /// <summary>Gateway 1 - 2 - 3, with nodes 4 and 5 heard only by node 3; node 3 keeps 6 slots in <paramref name="upwardBytes"/>.</summary>
        private static InMemoryMesh Mesh(int upwardBytes)
        {
            var mesh = StructuredMesh.LineWithGateway(2, NodeRole.Relay, c =>
            {
                if (c.NodeId == 3)
                {
                    c.UpwardSlots = 6;
                    c.UpwardBytes = upwardBytes;
                }
            });
            mesh.Add(StructuredMesh.Sensor(4, NodeRole.Sensor));
            mesh.Add(StructuredMesh.Sensor(5, NodeRole.Sensor));
            mesh.Link(3, 4);
            mesh.Link(3, 5);
            mesh.RunFor(60_000);
            Assert.Equal(2u, mesh[3].Routing!.Gradient.Parent);
            Assert.Equal(3u, mesh[4].Routing!.Gradient.Parent);
            Assert.Equal(3u, mesh[5].Routing!.Gradient.Parent);
            return mesh;
        }

        /// <summary>Thirty-two standard values: a 211-byte frame (one value: 56 bytes).</summary>
        private static ReadingSet Long()
        {
            var set = new ReadingSet();
            for (int i = 0; i < ReadingSet.MaxItems; i++)
            {
                set.Add(Quantity.Temperature, 20 + i);
            }

            return set;
        }

        private static int ToParent(InMemoryMesh mesh, uint origin, uint sequence) =>
            mesh.Log.Count(t => t.Node == 3 && t.Origin == origin && t.Sequence == sequence && t.NextHop == 2u);

        [Theory]
        [InlineData(0, 0)]    // a full frame's room for each slot: three long frames and a short one fit
        [InlineData(500, 2)]  // 500 bytes: 56 + 2 × 211 kept; the third long frame evicts the short one and the first long one
        public void Long_frames_that_fill_the_shared_bytes_evict_a_copy_into_its_last_retransmission(int upwardBytes, int evictions)
        {
            InMemoryMesh mesh = Mesh(upwardBytes);
            mesh.Unlink(2, 3); // nothing node 3 sends is acknowledged: every copy stays kept
            uint shortReading = StructuredMesh.SendReading(mesh, 4, 19.5);
            mesh.RunFor(40);
            for (int i = 0; i < 3; i++)
            {
                Assert.Equal(SendResult.Queued, mesh[5].SendReadings(Long(), mesh.Now));
            }

            mesh.RunFor(100);
            var r = mesh[3].Routing!;
            Assert.Equal(evictions, r.Upward.Evicted);
            Assert.Equal(1, ToParent(mesh, 4, shortReading));

            mesh.RunFor(300); // past the evicted copy's wait
            Assert.Equal(evictions, r.EvictionResends);
            Assert.Equal(2, ToParent(mesh, 4, shortReading)); // retransmitted either way: kept, or as its last copy
            Assert.Equal(evictions == 0, r.Upward.Find(4, shortReading) >= 0);
            Assert.DoesNotContain(mesh.Log, t => t.Node == 3 && t.Origin == 4 && t.Sequence == shortReading && t.NextHop == NodeAddress.None);
        }
    }
}
