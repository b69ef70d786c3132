using Mesh.Protocol.Node;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Qos
{
    /// <summary>PROTOCOL.md, "Priority": the order frames leave the transmit queue in, and which frame a full queue gives up.</summary>
    public class TransmitQueuePriorityTests
    {
        /// <summary>Schedules a one-byte frame whose byte is <paramref name="tag"/>; returns its slot.</summary>
        private static int Add(TransmitQueue q, byte tag, long dueMs, int trafficClass)
        {
            int slot = q.Acquire(trafficClass, out int evicted);
            Assert.True(slot >= 0);
            Assert.Equal(-1, evicted);
            q.BufferOf(slot)[0] = tag;
            q.Schedule(slot, 1, dueMs, 1, tag, 0, trafficClass);
            return slot;
        }

        private static byte[] Drain(TransmitQueue q, long nowMs)
        {
            var order = new System.Collections.Generic.List<byte>();
            byte[] output = new byte[FrameLayout.MaxFrameSize];
            while (q.TryTake(nowMs, output, 0, out int length))
            {
                Assert.Equal(1, length);
                order.Add(output[0]);
            }

            return order.ToArray();
        }

        [Fact]
        public void Due_frames_leave_lowest_class_first_then_earliest_due_then_oldest()
        {
            var q = new TransmitQueue(8);
            Add(q, 1, 30, TrafficClass.Bulk);
            Add(q, 2, 10, TrafficClass.Readings);
            Add(q, 3, 20, TrafficClass.Control);
            Add(q, 4, 5, TrafficClass.Readings);
            Add(q, 5, 10, TrafficClass.Readings);   // same class and due as 2, added later
            Add(q, 6, 100, TrafficClass.Control);   // not due at 50
            Add(q, 7, 0, TrafficClass.Status);

            Assert.Equal(new byte[] { 3, 4, 2, 5, 7, 1 }, Drain(q, 50));
            Assert.Equal(100, q.NextDueMs);
            Assert.Equal(new byte[] { 6 }, Drain(q, 100));
        }

        [Fact]
        public void A_full_queue_evicts_the_highest_class_above_the_new_frame_latest_due_first_else_drops_the_new_frame()
        {
            var q = new TransmitQueue(5);
            Add(q, 1, 10, TrafficClass.Status);
            Add(q, 2, 40, TrafficClass.Bulk);
            Add(q, 3, 50, TrafficClass.Bulk);
            Add(q, 4, 50, TrafficClass.Bulk);   // same due as 3, newer: evicted before it
            Add(q, 5, 0, TrafficClass.Readings);

            // Readings evict bulk: the latest due, newest among equals (4), then 3, then 2.
            int[] expectedVictims = { 4, 3, 2 };
            foreach (int victim in expectedVictims)
            {
                int slot = q.Acquire(TrafficClass.Readings, out int evicted);
                Assert.Equal(TrafficClass.Bulk, evicted);
                Assert.Equal(victim, q.BufferOf(slot)[0]);
                q.BufferOf(slot)[0] = (byte)(10 + victim);
                q.Schedule(slot, 1, 60, 1, 0, 0, TrafficClass.Readings);
            }

            // No bulk left: a status frame finds nothing strictly above it and is dropped.
            Assert.Equal(-1, q.Acquire(TrafficClass.Status, out int none));
            Assert.Equal(-1, none);

            // A control frame evicts the status frame (class 2 is now the highest above 0).
            int controlSlot = q.Acquire(TrafficClass.Control, out int evictedClass);
            Assert.Equal(TrafficClass.Status, evictedClass);
            Assert.Equal(1, q.BufferOf(controlSlot)[0]);
            q.BufferOf(controlSlot)[0] = 99;
            q.Schedule(controlSlot, 1, 70, 1, 0, 0, TrafficClass.Control);

            // A readings frame finds only readings and control: dropped.
            Assert.Equal(-1, q.Acquire(TrafficClass.Readings, out _));
            Assert.Equal(new byte[] { 99, 5, 14, 13, 12 }, Drain(q, 100));
        }

        [Fact]
        public void Message_types_map_to_classes_by_wire_value_including_beacon_and_hop_ack()
        {
            Assert.Equal(TrafficClass.Readings, TrafficClass.Of((int)MessageType.Readings));
            Assert.Equal(TrafficClass.Status, TrafficClass.Of((int)MessageType.Heartbeat));
            Assert.Equal(TrafficClass.Control, TrafficClass.Of((int)MessageType.Command));
            Assert.Equal(TrafficClass.Control, TrafficClass.Of((int)MessageType.Ack));
            Assert.Equal(TrafficClass.Bulk, TrafficClass.Of((int)MessageType.Text));
            Assert.Equal(TrafficClass.Status, TrafficClass.Of(6)); // beacon
            Assert.Equal(TrafficClass.Control, TrafficClass.Of(7)); // hop ack
        }
    }
}
