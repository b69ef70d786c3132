using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol;
using Mesh.Simulator.Engine;

namespace Mesh.Simulator.Tests.Channel
{
    /// <summary>
    /// The frames on the air at each receiver: taking one out by transmission leaves each row as a list
    /// with swap-last removal would (the order matters: interference and carrier sense walk the rows).
    /// </summary>
    public class IncomingFramesTests
    {
        [Fact]
        public void TryRemove_matches_a_list_with_the_last_entry_moved_in()
        {
            const int nodes = 5;
            var frames = new IncomingFrames(nodes, capacity: 2); // small, so rows grow during the test
            var reference = Enumerable.Range(0, nodes).Select(_ => new List<int>()).ToArray();
            var random = new XorShiftRandom(14);
            int nextTx = 0;
            for (int step = 0; step < 5000; step++)
            {
                int node = RandomExtensions.NextBelow(random, nodes);
                if (RandomExtensions.NextBelow(random, 2) == 0)
                {
                    frames.Add(node, new Incoming { Transmission = nextTx, StartUs = step });
                    reference[node].Add(nextTx++);
                }
                else
                {
                    int tx = RandomExtensions.NextBelow(random, nextTx + 1);
                    int k = reference[node].IndexOf(tx);
                    bool found = frames.TryRemove(node, tx, out Incoming removed);
                    Assert.Equal(k >= 0, found);
                    if (found)
                    {
                        Assert.Equal(tx, removed.Transmission);
                        reference[node][k] = reference[node][^1];
                        reference[node].RemoveAt(reference[node].Count - 1);
                    }
                }

                Assert.Equal(reference[node], frames.Of(node).ToArray().Select(f => f.Transmission));
            }
        }

        [Fact]
        public void A_frame_arrival_is_32_bytes()
        {
            Assert.Equal(32, System.Runtime.CompilerServices.Unsafe.SizeOf<Incoming>());
        }
    }
}
