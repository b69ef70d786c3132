using Mesh.NodeApp.Runtime;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;

namespace Mesh.Node.Tests
{
    /// <summary>The bounded queue between the radio's thread and the node loop.</summary>
    public class FrameInboxTests
    {
        [Fact]
        public void A_full_inbox_drops_and_counts_the_newest_frames_and_keeps_the_oldest_in_order()
        {
            var inbox = new FrameInbox(4);
            var frame = new byte[10];
            for (byte i = 0; i < 6; i++)
            {
                frame[0] = i;
                Assert.Equal(i < 4, inbox.TryPut(frame, 0, frame.Length, -40 - i));
            }

            Assert.Equal(4, inbox.Accepted);
            Assert.Equal(2, inbox.Dropped);

            var into = new byte[FrameLayout.MaxFrameSize];
            for (byte i = 0; i < 4; i++)
            {
                Assert.True(inbox.TryTake(into, out int length, out int rssi));
                Assert.Equal((i, 10, -40 - i), (into[0], length, rssi));
            }

            Assert.False(inbox.TryTake(into, out _, out _));
            Assert.True(inbox.TryPut(frame, 0, frame.Length, -50)); // room again once drained
        }

        [Fact]
        public void Frames_too_long_or_empty_are_refused_and_counted()
        {
            var inbox = new FrameInbox(4);
            var big = new byte[FrameLayout.MaxFrameSize + 1];
            Assert.False(inbox.TryPut(big, 0, big.Length, -40));
            Assert.False(inbox.TryPut(big, 0, 0, -40));
            Assert.Equal(2, inbox.Dropped);
            Assert.Equal(0, inbox.Count);
        }

        [Fact]
        public void A_burst_larger_than_the_inbox_costs_only_the_overflow_and_the_node_keeps_working()
        {
            var air = new Air();
            Air.Station gateway = air.Add(1, NodeRole.Bridge);
            Air.Station sensor = air.Add(3, NodeRole.Sensor, new ScriptedSensor("t"));
            air.Run(100);

            // 40 garbage frames arrive between two steps, as a radio thread can deliver them.
            var junk = new byte[30];
            int accepted = 0;
            for (int i = 0; i < 40; i++)
            {
                accepted += gateway.Runner.OnFrameReceived(junk, 0, junk.Length, -60) ? 1 : 0;
            }

            Assert.True(accepted < 40);
            Assert.Equal(40 - accepted, gateway.Runner.Inbox.Dropped);

            int before = gateway.Received.Count;
            air.Run(25_000);
            Assert.Equal(0, gateway.Runner.Inbox.Count);
            Assert.True(gateway.Received.Count > before, "readings still arrive after the burst");
        }
    }
}
