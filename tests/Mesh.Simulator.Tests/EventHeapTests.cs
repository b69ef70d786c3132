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

        [Fact]
        public void Removing_stale_events_leaves_the_others_popping_in_the_same_order()
        {
            var full = new EventHeap();
            var compacted = new EventHeap();
            var random = new XorShiftRandom(11);
            for (int k = 0; k < 5000; k++)
            {
                long time = RandomExtensions.NextBelow(random, 300); // many ties
                int node = RandomExtensions.NextBelow(random, 1000);
                int arg = RandomExtensions.NextBelow(random, 4);
                full.Push(time, EventKind.Wake, node, arg);
                compacted.Push(time, EventKind.Wake, node, arg);
                if (k % 7 == 0)
                {
                    full.Pop();
                    compacted.Pop();
                }
            }

            // "Stale": argument 0; counted when due at or before time 100.
            long expectedDue = 0;
            var kept = new List<(long, long, int, int)>();
            while (full.Count > 0)
            {
                SimEvent e = full.Pop();
                if (e.Arg == 0)
                {
                    expectedDue += e.TimeUs <= 100 ? 1 : 0;
                }
                else
                {
                    kept.Add((e.TimeUs, e.Order, e.Node, e.Arg));
                }
            }

            Assert.Equal(expectedDue, compacted.RemoveWhere(e => e.Arg == 0, 100));
            var popped = new List<(long, long, int, int)>();
            while (compacted.Count > 0)
            {
                SimEvent e = compacted.Pop();
                popped.Add((e.TimeUs, e.Order, e.Node, e.Arg));
            }

            Assert.Equal(kept, popped);
        }
    }
}
