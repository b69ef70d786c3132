using System;
using FsCheck;
using FsCheck.Fluent;
using FsCheck.Xunit;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.WireTests;
using Mesh.Protocol.Wire;
using Mesh.Protocol.Tests.Harness;
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
            return new MeshNode(TestKeys.Provisioned(config, TestKeys.Devices()), Key(Secret), new XorShiftRandom(1), 0);
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

        // ------------------------------------------------------------------ confirmed checkpoints (attack 8)

        [Fact]
        public void A_node_sends_nothing_beyond_a_checkpoint_its_driver_has_not_confirmed_stored()
        {
            NodeConfig config = TestKeys.Provisioned(new NodeConfig { NodeId = Origin, NetworkId = Network, InitialSequence = 1000, SequenceCheckpointInterval = 4, TransmitQueueSize = 16 }, TestKeys.Devices());
            config.RequireCheckpointConfirmation = true; // a board: its driver stores checkpoints
            var node = new MeshNode(config, Key(Secret), new XorShiftRandom(1), 0);
            ReadingSet set = KnownReadings();

            // Booted from the stored checkpoint 1000: nothing may be sent until a later one is stored.
            Assert.True(node.CheckpointDue);
            Assert.Equal(SendResult.CheckpointPending, node.SendReadings(set, 0));

            uint stored = node.SequenceCheckpoint; // the driver writes it ...
            node.ConfirmCheckpoint(stored);        // ... and confirms it once written
            int sent = 0;
            while (node.SendReadings(set, 0) == SendResult.Queued)
            {
                sent++;
                Assert.True(sent < 100);
            }

            Assert.Equal(SendResult.CheckpointPending, node.SendReadings(set, 0));
            Assert.Equal((int)(stored - 1000), sent);
            Assert.Equal(stored, node.NextSequence); // every sequence used is below what is stored
        }

        [Fact]
        public void A_storage_failure_makes_a_node_silent_instead_of_reusing_a_sequence_after_a_reset()
        {
            NodeConfig config = TestKeys.Provisioned(new NodeConfig { NodeId = Origin, NetworkId = Network, InitialSequence = 1000, SequenceCheckpointInterval = 4, TransmitQueueSize = 16 }, TestKeys.Devices());
            config.RequireCheckpointConfirmation = true;
            var node = new MeshNode(config, Key(Secret), new XorShiftRandom(1), 0);
            node.ConfirmCheckpoint(node.SequenceCheckpoint);
            var used = new System.Collections.Generic.HashSet<uint>();
            ReadingSet set = KnownReadings();
            while (node.SendReadings(set, 0) == SendResult.Queued)
            {
                used.Add(node.NextSequence - 1);
            }

            // The driver's next write fails (never confirmed): the node stays silent. After a reset it
            // starts from the last checkpoint that was stored, above every sequence it used.
            Assert.Equal(SendResult.CheckpointPending, node.SendReadings(set, 0));
            uint restartAt = node.ConfirmedCheckpoint;
            Assert.DoesNotContain(restartAt, used);
            Assert.All(used, s => Assert.True(s < restartAt));
        }

        [Fact]
        public void A_repeated_sequence_with_different_readings_leaks_no_keystream()
        {
            // SIV: the counter block comes from the tag, which depends on the plaintext, so two payloads
            // sealed under one (origin, sequence) are not XORed with the same keystream.
            byte[] a = TakeFrameAt(1000, 20.0);
            byte[] b = TakeFrameAt(1000, 21.0);
            int p = FrameLayout.HeaderSize;
            int n = a[FrameLayout.OffsetPayloadLength];
            Assert.NotEqual(a.AsSpan(p + n, FrameLayout.PayloadMicSize).ToArray(), b.AsSpan(p + n, FrameLayout.PayloadMicSize).ToArray());

            var set = new ReadingSet();
            set.Add(Quantity.Temperature, 20.0);
            byte[] plainA = new byte[n];
            set.Encode(plainA, 0, n);
            set.Clear();
            set.Add(Quantity.Temperature, 21.0);
            byte[] plainB = new byte[n];
            set.Encode(plainB, 0, n);
            int sameKeystream = 0;
            for (int i = 0; i < n; i++)
            {
                if ((a[p + i] ^ b[p + i]) == (plainA[i] ^ plainB[i]))
                {
                    sameKeystream++;
                }
            }

            Assert.True(sameKeystream < n, "the two ciphertexts XOR to the plaintexts' XOR: keystream reused");
        }

        private static byte[] TakeFrameAt(uint sequence, double celsius)
        {
            MeshNode node = Node(sequence);
            var set = new ReadingSet();
            set.Add(Quantity.Temperature, celsius);
            Assert.Equal(SendResult.Queued, node.SendReadings(set, 0));
            return TakeFrame(node);
        }
    }
}
