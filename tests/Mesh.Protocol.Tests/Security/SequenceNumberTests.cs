using System;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.WireTests;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;

namespace Mesh.Protocol.Tests.Security
{
    /// <summary>The sequence number is the CTR nonce: it never reaches uint.MaxValue and never repeats across reboots.</summary>
    public class SequenceNumberTests
    {
        private static MeshNode Node(uint initialSequence, int checkpointInterval = 256)
        {
            NodeConfig config = new NodeConfig
            {
                NodeId = Origin,
                NetworkId = Network,
                InitialSequence = initialSequence,
                SequenceCheckpointInterval = checkpointInterval,
                TransmitQueueSize = 4,
            };
            return new MeshNode(config, Key(Secret), new XorShiftRandom(1), 0);
        }

        private static uint SequenceOf(byte[] frame) => LittleEndian.ReadUInt32(frame, FrameLayout.OffsetSequence);

        [Fact]
        public void Node_refuses_to_send_once_its_next_sequence_is_uint_MaxValue()
        {
            MeshNode node = Node(uint.MaxValue - 2);
            ReadingSet set = KnownReadings();

            Assert.Equal(SendResult.Queued, node.SendReadings(set, 0));
            Assert.Equal(uint.MaxValue - 2, SequenceOf(TakeFrame(node)));
            Assert.Equal(SendResult.Queued, node.SendReadings(set, 0));
            Assert.Equal(uint.MaxValue - 1, SequenceOf(TakeFrame(node)));
            Assert.Equal(uint.MaxValue, node.NextSequence);

            Assert.Equal(SendResult.SequenceExhausted, node.SendReadings(set, 0));
            Assert.Equal(SendResult.SequenceExhausted, node.SendText(new byte[] { 1, 2 }, 0, 2, NodeAddress.Broadcast, 0));
            Assert.Equal(SendResult.SequenceExhausted, node.SendCommand(0x42, CommandKind.Ping, Array.Empty<byte>(), 0, 0, 0, out ushort id));
            Assert.Equal((ushort)0, id);

            long heartbeatsBefore = node.Counters.HeartbeatsSent;
            node.Poll(10_000_000);
            Assert.Equal(heartbeatsBefore, node.Counters.HeartbeatsSent);
            Assert.Equal(0, node.PendingTransmits);
            Assert.Equal(uint.MaxValue, node.NextSequence);
            Assert.Equal(uint.MaxValue, node.SequenceCheckpoint);
        }

        [Fact]
        public void Node_configured_at_uint_MaxValue_never_sends_anything()
        {
            MeshNode node = Node(uint.MaxValue);
            Assert.Equal(SendResult.SequenceExhausted, node.SendReadings(KnownReadings(), 0));
            node.Poll(10_000_000);
            Assert.Equal(0, node.PendingTransmits);
        }

        [Theory]
        [InlineData(1u, 256, 512u)]
        [InlineData(255u, 256, 512u)]
        [InlineData(256u, 256, 768u)]
        [InlineData(0u, 1, 2u)]
        [InlineData(7u, 1, 9u)]
        [InlineData(uint.MaxValue - 300, 256, uint.MaxValue)]
        [InlineData(uint.MaxValue, 256, uint.MaxValue)]
        public void SequenceCheckpoint_is_the_second_interval_boundary_above_the_next_sequence(uint next, int interval, uint expected)
        {
            Assert.Equal(expected, Node(next, interval).SequenceCheckpoint);
        }

        public sealed record CheckpointCase(uint Initial, int Interval, int Sends);

        private static readonly Gen<CheckpointCase> CheckpointCases =
            from initial in Gen.Frequency(
                (3, WireGen.AnyUInt),
                (1, Gen.Choose(0, 600).Select(d => uint.MaxValue - (uint)d)),
                (1, Gen.Choose(0, 600).Select(d => (uint)d)))
            from interval in Gen.Frequency(
                (3, Gen.Choose(1, 1024)),
                (1, Gen.Elements(1, 2, 255, 256, 65536, int.MaxValue)))
            from sends in Gen.Choose(0, 300)
            select new CheckpointCase(initial, interval, sends);

        /// <summary>
        /// After every send: SequenceCheckpoint >= NextSequence + interval (saturated at uint.MaxValue, where the
        /// node refuses to send), it never decreases, and a driver that persists it whenever it changes could
        /// reboot at any moment from the persisted value without reusing a sequence already on the air.
        /// </summary>
        [Property(MaxTest = 200, Replay = "(31337,4243)")]
        public Property SequenceCheckpoint_stays_a_full_interval_ahead_and_a_reboot_from_it_never_reuses_a_sequence()
        {
            return Prop.ForAll(CheckpointCases.ToArbitrary(), c =>
            {
                MeshNode node = Node(c.Initial, c.Interval);
                uint persisted = node.SequenceCheckpoint;
                uint highestUsed = 0;
                bool usedAny = false;
                for (int i = 0; i <= c.Sends; i++)
                {
                    uint checkpoint = node.SequenceCheckpoint;
                    ulong floor = Math.Min((ulong)node.NextSequence + (ulong)c.Interval, uint.MaxValue);
                    Assert.True(checkpoint >= floor, $"checkpoint {checkpoint} < next {node.NextSequence} + interval {c.Interval}");
                    Assert.True(checkpoint >= persisted, "checkpoint went backwards");
                    persisted = checkpoint; // the driver persists on every change

                    // A reboot now would start at 'persisted': above everything already used.
                    Assert.True(!usedAny || persisted > highestUsed);

                    if (i == c.Sends)
                    {
                        break;
                    }

                    uint next = node.NextSequence;
                    SendResult r = node.SendText(new byte[] { (byte)i }, 0, 1, NodeAddress.Broadcast, 0);
                    if (next == uint.MaxValue)
                    {
                        Assert.Equal(SendResult.SequenceExhausted, r);
                        break;
                    }

                    Assert.Equal(SendResult.Queued, r);
                    uint used = SequenceOf(TakeFrame(node));
                    Assert.Equal(next, used);
                    Assert.True(used < persisted, "a sequence at or above the persisted checkpoint went on the air");
                    highestUsed = used;
                    usedAny = true;
                }
            });
        }
    }
}
