using System;
using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Tests.Performance;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.NodeBehaviour
{
    public class NodeStateTests
    {
        private static NodeConfig Beating(uint id, NodeRole role = NodeRole.Relay)
        {
            NodeConfig c = InMemoryMesh.Config(id, role);
            c.HeartbeatIntervalMs = 1000;
            c.NeighbourExpiryMs = 5000;
            return c;
        }

        [Fact]
        public void A_frame_taken_in_place_is_byte_for_byte_the_one_a_copy_would_give_and_frees_its_slot()
        {
            var key = FrameFeed.CreateKey();
            NodeConfig Config()
            {
                NodeConfig c = InMemoryMesh.Config(5, NodeRole.Sensor);
                c.TransmitQueueSize = 2;
                c.DeviceKey = TestKeys.Devices().KeyOf(5);
                return c;
            }

            var copying = new MeshNode(Config(), key, new XorShiftRandom(9), 0);
            var inPlace = new MeshNode(Config(), key, new XorShiftRandom(9), 0);
            byte[] text = { 1, 2, 3, 4, 5 };
            byte[] copy = new byte[FrameLayout.MaxFrameSize];
            for (int round = 0; round < 3; round++)
            {
                long now = 1000 * round;
                Assert.Equal(SendResult.Queued, copying.SendText(text, 0, text.Length, NodeAddress.Broadcast, now));
                Assert.Equal(SendResult.Queued, inPlace.SendText(text, 0, text.Length, NodeAddress.Broadcast, now));
                Assert.True(copying.TryTakeTransmit(now + 500, copy, 0, out int copyLength));
                byte[] frame = inPlace.TakeTransmitInPlace(now + 500, out int length);
                Assert.NotNull(frame);
                Assert.Equal(copy.AsSpan(0, copyLength).ToArray(), frame.AsSpan(0, length).ToArray());
                Assert.Null(inPlace.TakeTransmitInPlace(now + 500, out _));
                Assert.Equal(0, inPlace.PendingTransmits);
            }

            Assert.Equal(copying.Counters.FramesTransmitted, inPlace.Counters.FramesTransmitted);
        }

        [Fact]
        public void An_event_peeked_in_place_is_the_one_taking_it_would_copy_and_its_slot_frees_on_drop()
        {
            var queue = new EventQueue(3);
            for (uint i = 1; i <= 3; i++)
            {
                MeshEvent e = queue.Reserve();
                e.Origin = i;
                e.Payload[0] = (byte)(10 * i);
                e.PayloadLength = 1;
                queue.Commit();
            }

            Assert.Null(queue.Reserve());
            MeshEvent first = queue.PeekOldest();
            Assert.Equal((1u, (byte)10), (first.Origin, first.Payload[0]));
            Assert.Same(first, queue.PeekOldest()); // stays until dropped
            Assert.Null(queue.Reserve());           // and keeps its slot meanwhile
            queue.DropOldest();
            Assert.Equal(2, queue.Count);
            Assert.NotNull(queue.Reserve());

            var copy = new MeshEvent();
            Assert.True(queue.TryTake(copy));
            Assert.Equal(2u, copy.Origin);
            Assert.Equal(3u, queue.PeekOldest().Origin);
            queue.DropOldest();
            Assert.Null(queue.PeekOldest());
            queue.DropOldest(); // nothing to drop: no effect
            Assert.Equal(0, queue.Count);
        }

        [Fact]
        public void Heartbeats_carry_each_nodes_neighbours_to_the_gateway()
        {
            var mesh = InMemoryMesh.Line(4, id => Beating(id, id == 1 ? NodeRole.Bridge : NodeRole.Relay));
            mesh.RunFor(10_000);

            var hb = new Heartbeat();
            MeshEvent last = mesh.Events[1].Last(e => e.Type == MessageType.Heartbeat && e.Origin == 3);
            Assert.True(hb.TryDecode(last.Payload, 0, last.PayloadLength));
            Assert.Equal(NodeRole.Relay, hb.Role);
            Assert.Equal(new uint[] { 2, 4 }, hb.NeighbourIds.Take(hb.NeighbourCount).OrderBy(x => x).ToArray());
            Assert.True(hb.UptimeSeconds >= 5);
        }

        [Fact]
        public void Link_quality_rises_with_consecutive_heartbeats_and_silent_neighbours_expire()
        {
            var mesh = InMemoryMesh.Line(2, id => Beating(id));
            mesh.RunFor(1500);
            Assert.True(mesh[1].Neighbours.TryGet(2, out _, out int early));
            mesh.RunFor(15_000);
            Assert.True(mesh[1].Neighbours.TryGet(2, out int rssi, out int later));
            Assert.True(later > early, $"{early} -> {later}");
            Assert.Equal(-60, rssi);

            mesh.Kill(2);
            mesh.RunFor(20_000);
            Assert.False(mesh[1].Neighbours.TryGet(2, out _, out _));
        }

        [Fact]
        public void A_full_event_queue_pushes_back_without_recording_the_frame_so_a_later_copy_is_taken()
        {
            var mesh = new InMemoryMesh();
            NodeConfig bridge = InMemoryMesh.Config(1, NodeRole.Bridge);
            bridge.EventQueueSize = 3; // the smallest a node accepts

            mesh.Add(bridge);
            mesh.Add(InMemoryMesh.Config(2, NodeRole.Sensor));
            mesh.Link(1, 2);
            mesh.HoldEvents = true;

            var set = new ReadingSet();
            set.Add(Quantity.Humidity, 40);
            for (int i = 0; i < 3; i++)
            {
                mesh[2].SendReadings(set, mesh.Now);
            }

            uint fourth = mesh[2].NextSequence;
            mesh[2].SendReadings(set, mesh.Now);
            mesh.RunFor(100);
            Assert.Equal(new[] { RejectReason.None, RejectReason.None, RejectReason.None, RejectReason.Backpressure }, mesh.Results[1]);

            // Drain, then the same frame again (as a neighbour's relay would bring it) is accepted.
            mesh.HoldEvents = false;
            mesh.Drain(1, mesh[1]);
            byte[] frame = Frames.Capture(mesh, 2, fourth);
            Assert.Equal(RejectReason.None, mesh[1].Receive(frame, 0, frame.Length, -60, mesh.Now));
        }
    }

    internal static class Frames
    {
        /// <summary>Re-originates nothing: rebuilds a copy of a logged frame by replaying the sender's send.</summary>
        public static byte[] Capture(InMemoryMesh mesh, uint node, uint sequence)
        {
            // The harness logs headers only; ask a twin of the sender (same id, key, sequence) for the bytes.
            var twinMesh = new InMemoryMesh();
            NodeConfig c = InMemoryMesh.Config(node, NodeRole.Sensor);
            c.InitialSequence = sequence;
            MeshNode twin = twinMesh.Add(c);
            var set = new ReadingSet();
            set.Add(Quantity.Humidity, 40);
            twin.SendReadings(set, 0);
            var buffer = new byte[FrameLayout.MaxFrameSize];
            Assert.True(twin.TryTakeTransmit(0, buffer, 0, out int length));
            return buffer.Take(length).ToArray();
        }
    }
}
