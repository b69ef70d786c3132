using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol;
using Mesh.Simulator.Engine;

namespace Mesh.Simulator.Tests
{
    /// <summary>The event queue pops by time, ties in the order they were pushed, and keeps every field.</summary>
    public class EventHeapTests
    {
        [Fact]
        public void Pops_by_time_then_push_order_with_pushes_interleaved()
        {
            var heap = new EventHeap();
            var reference = new List<(long Time, long Order, int Node, int Arg)>();
            var random = new XorShiftRandom(9);
            long order = 0;
            var popped = new List<(long, long, int, int)>();
            for (int round = 0; round < 2000; round++)
            {
                int pushes = RandomExtensions.NextBelow(random, 6);
                for (int k = 0; k < pushes; k++)
                {
                    long time = RandomExtensions.NextBelow(random, 50); // many ties
                    int node = RandomExtensions.NextBelow(random, 100_000);
                    int arg = (int)random.NextUInt32();
                    heap.Push(time, EventKind.TransmissionEnd, node, arg);
                    reference.Add((time, order++, node, arg));
                }

                int pops = RandomExtensions.NextBelow(random, 5);
                for (int k = 0; k < pops && heap.Count > 0; k++)
                {
                    SimEvent e = heap.Pop();
                    Assert.Equal(EventKind.TransmissionEnd, e.Kind);
                    popped.Add((e.TimeUs, e.Order, e.Node, e.Arg));
                    var expected = reference.OrderBy(r => r.Time).ThenBy(r => r.Order).First();
                    reference.Remove(expected);
                    Assert.Equal(expected, popped[^1]);
                }
            }
        }
    }
}
