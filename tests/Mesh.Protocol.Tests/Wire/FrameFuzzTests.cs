using System;
using System.Collections.Generic;
using System.Text;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Xunit.Abstractions;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;

namespace Mesh.Protocol.Tests.WireTests
{
    public class FrameFuzzTests
    {
        private const int Iterations = 1_000_000;
        private const int MaxLength = 300;
        private const int ReceiverLifetime = 4096;

        private readonly ITestOutputHelper _output;

        public FrameFuzzTests(ITestOutputHelper output)
        {
            _output = output;
        }

        /// <summary>Valid frames of every message type from a few senders, as seeds for mutation.</summary>
        private static List<byte[]> SeedFrames(NetworkKey key)
        {
            List<byte[]> seeds = new List<byte[]>();
            for (uint s = 0; s < 4; s++)
            {
                uint id = 0x100 + s;
                MeshNode sender = Sender(key, encrypt: s % 2 == 0, id: id, initialSequence: 1 + s * 1000);
                for (int k = 0; k < 6; k++)
                {
                    ReadingSet set = new ReadingSet();
                    set.Add(Quantity.Temperature, 20 + k);
                    set.AddGeneric((ushort)k, k * 1000, -1);
                    Assert.Equal(SendResult.Queued, sender.SendReadings(set, 0));
                    seeds.Add(TakeFrame(sender));

                    byte[] text = Encoding.UTF8.GetBytes("fuzz seed " + k + new string('x', k * 30));
                    Assert.Equal(SendResult.Queued, sender.SendText(text, 0, text.Length, NodeAddress.Broadcast, 0));
                    seeds.Add(TakeFrame(sender));

                    if (k < 3) // four pending-command slots by default
                    {
                        Assert.Equal(SendResult.Queued, sender.SendCommand(ReceiverId, CommandKind.Ping, Array.Empty<byte>(), 0, 0, 0, out _));
                        seeds.Add(TakeFrame(sender));
                    }
                }

                sender.Poll(long.MaxValue / 4); // heartbeat
                seeds.Add(TakeFrame(sender, long.MaxValue / 4));
            }

            // An ack and a plain command built with the codecs directly.
            byte[] ack = new byte[AckCodec.Size];
            AckCodec.Encode(ack, 0, 7, CommandKind.Identify, CommandStatus.Ok);
            seeds.Add(CoreSeal(key, new RefHeader(true, (byte)MessageType.Ack, Network, 0x200, ReceiverId, 5, 4, 0, 0x200, 0), ack));
            return seeds;
        }

        private static void Fill(XorShiftRandom rng, byte[] b, int offset, int count)
        {
            int i = 0;
            while (i < count)
            {
                uint v = rng.NextUInt32();
                for (int k = 0; k < 4 && i < count; k++, i++)
                {
                    b[offset + i] = (byte)(v >> (8 * k));
                }
            }
        }

        /// <summary>
        /// One million byte strings (xorshift seed 2026; lengths 0..300; every fourth one a valid frame with
        /// 1-4 random mutations — bit flips, byte overwrites, a truncation or an extension — so it gets past
        /// the header checks) go through FrameCodec.TryDecode and MeshNode.Receive: no exception, every input
        /// gets exactly one reason, and nothing is ever accepted but an authentic frame whose only changes are
        /// in the unauthenticated hop bytes 17..25. The receiver is replaced every 4096 inputs.
        /// </summary>
        [Fact]
        public void One_million_random_and_mutated_byte_strings_never_throw_and_only_authentic_hop_field_variants_are_accepted()
        {
            NetworkKey key = Key(Secret);
            List<byte[]> seeds = SeedFrames(key);
            MeshNode node = Receiver(key);
            long nodeFramesReceived = 0;
            XorShiftRandom rng = new XorShiftRandom(2026);
            FrameHeader header = new FrameHeader();
            MeshEvent scratchEvent = new MeshEvent();
            byte[] scratchFrame = new byte[FrameLayout.MaxFrameSize];

            long[] codecHistogram = new long[RejectReasons.Count];
            long[] nodeHistogram = new long[RejectReasons.Count];
            long mutatedInputs = 0;
            long randomAccepted = 0;
            long count = 0;

            for (int i = 0; i < Iterations; i++)
            {
                if (i % ReceiverLifetime == 0 && i > 0)
                {
                    // A fresh receiver now and then, so mutated copies keep reaching the MIC check instead
                    // of all being answered from the duplicate cache.
                    nodeFramesReceived += node.Counters.FramesReceived;
                    node = Receiver(key);
                }

                byte[] input;
                byte[]? seed = null;
                int offset = i % 3; // exact-size arrays with the data at offset 0, 1 or 2: any over-read throws
                bool mutated = i % 4 == 0;
                if (mutated)
                {
                    seed = seeds[(int)(rng.NextUInt32() % (uint)seeds.Count)];
                    int length = seed.Length;
                    uint shape = rng.NextUInt32() % 16;
                    if (shape == 0)
                    {
                        length = (int)(rng.NextUInt32() % (uint)seed.Length); // truncation
                    }
                    else if (shape == 1)
                    {
                        length = Math.Min(MaxLength, seed.Length + 1 + (int)(rng.NextUInt32() % 4)); // extension
                    }

                    input = new byte[offset + length];
                    Fill(rng, input, 0, input.Length);
                    Array.Copy(seed, 0, input, offset, Math.Min(length, seed.Length));
                    int mutations = 1 + (int)(rng.NextUInt32() % 4);
                    for (int m = 0; m < mutations && length > 0; m++)
                    {
                        int at = offset + (int)(rng.NextUInt32() % (uint)length);
                        if ((rng.NextUInt32() & 1) == 0)
                        {
                            input[at] ^= (byte)(1 << (int)(rng.NextUInt32() % 8));
                        }
                        else
                        {
                            input[at] = (byte)rng.NextUInt32();
                        }
                    }

                    mutatedInputs++;
                }
                else
                {
                    int length = (int)(rng.NextUInt32() % (MaxLength + 1));
                    input = new byte[offset + length];
                    Fill(rng, input, 0, input.Length);
                }

                int dataLength = input.Length - offset;
                RejectReason codec = FrameCodec.TryDecode(input, offset, dataLength, header);
                codecHistogram[(int)codec]++;
                if (codec == RejectReason.None)
                {
                    Assert.Equal(dataLength, header.FrameLength);
                }

                RejectReason received = node.Receive(input, offset, dataLength, -60, i);
                nodeHistogram[(int)received]++;
                if (codec != RejectReason.None)
                {
                    Assert.Equal(codec, received); // the node reports the codec's own reason
                }

                if (received == RejectReason.None)
                {
                    if (seed == null)
                    {
                        randomAccepted++;
                    }
                    else
                    {
                        // An accepted mutant is the authentic frame with only its hop fields changed.
                        Assert.Equal(seed.Length, dataLength);
                        for (int b = 0; b < dataLength; b++)
                        {
                            bool mutable = b >= FrameLayout.MutableStart && b < FrameLayout.MutableStart + FrameLayout.MutableLength;
                            Assert.True(mutable || input[offset + b] == seed[b], $"accepted a frame altered at byte {b}");
                        }
                    }
                }

                while (node.TryTakeEvent(scratchEvent))
                {
                }

                while (node.TryTakeTransmit(long.MaxValue / 2, scratchFrame, 0, out _))
                {
                }

                count++;
            }

            Print("FrameCodec.TryDecode", count, mutatedInputs, codecHistogram);
            Print("MeshNode.Receive", count, mutatedInputs, nodeHistogram);

            Assert.Equal(Iterations, count);
            Assert.Equal(count, Sum(codecHistogram));
            Assert.Equal(count, Sum(nodeHistogram));
            Assert.Equal(0, randomAccepted);
            Assert.Equal(count, nodeFramesReceived + node.Counters.FramesReceived);
        }

        private static long Sum(long[] histogram)
        {
            long s = 0;
            foreach (long v in histogram)
            {
                s += v;
            }

            return s;
        }

        private void Print(string what, long count, long mutated, long[] histogram)
        {
            StringBuilder sb = new StringBuilder();
            sb.Append(what).Append(": ").Append(count).Append(" inputs (").Append(mutated).Append(" mutated valid frames)").AppendLine();
            for (int r = 0; r < histogram.Length; r++)
            {
                if (histogram[r] > 0)
                {
                    sb.Append("  ").Append(RejectReasons.Label((RejectReason)r).PadRight(20)).Append(histogram[r].ToString(System.Globalization.CultureInfo.InvariantCulture).PadLeft(9)).AppendLine();
                }
            }

            _output.WriteLine(sb.ToString());
        }
    }
}
