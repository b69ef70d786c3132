using System;
using System.Collections.Generic;
using System.Text;
using Mesh.Protocol.Forwarding;
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

        /// <summary>
        /// Valid v2 frames of every message type and sealing from a few senders, as seeds for mutation:
        /// device-sealed readings, heartbeats and acks (uplink), device-sealed downlink commands from
        /// gateways, network-sealed and plain text. All stamped with the fixture time, so none is stale.
        /// </summary>
        private static List<byte[]> SeedFrames(NetworkKey key)
        {
            List<byte[]> seeds = new List<byte[]>();
            for (uint s = 0; s < 4; s++)
            {
                uint id = 0x100 + s;
                MeshNode sender = Sender(key, encrypt: s % 2 == 0, id: id, initialSequence: 1 + s * 1000);
                MeshNode gateway = Receiver(key, id: 0x300 + s, initialSequence: 1 + s * 1000);
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

                    if (k < 3) // the fixture gateway has four pending-command slots
                    {
                        byte[] args = { 0x2c, 0x01, 0, 0 };
                        Assert.Equal(SendResult.Queued, gateway.SendCommand(ReceiverId, k == 0 ? CommandKind.Ping : CommandKind.SetReportInterval, args, 0, k == 0 ? 0 : 4, 0, out _));
                        seeds.Add(TakeFrame(gateway));
                    }
                }

                // A heartbeat with a few neighbours, sealed by the core's codec and sealers at the fixture time.
                Heartbeat hb = new Heartbeat { Role = NodeRole.Sensor, Policy = PolicyKind.Flooding, Counter = (ushort)s, UptimeSeconds = 1000 * s };
                for (int n = 0; n < (int)s * 3; n++)
                {
                    hb.NeighbourIds[n] = 0x500 + (uint)n;
                    hb.NeighbourRssi[n] = (sbyte)(-40 - n);
                    hb.NeighbourQuality[n] = (byte)(200 + n);
                }

                hb.NeighbourCount = (int)s * 3;
                byte[] beat = new byte[hb.EncodedLength];
                hb.Encode(beat, 0);
                seeds.Add(CoreSeal(key, new RefHeader(FrameFlags.DeviceSealed, (byte)MessageType.Heartbeat, Network, NetworkKeyIndex, 0,
                    id, NodeAddress.Gateways, 5000 + s, Time, 4, 0, id, 0), beat));
            }

            // An ack built with the codecs directly.
            byte[] ack = new byte[AckCodec.Size];
            AckCodec.Encode(ack, 0, 7, CommandKind.Identify, CommandStatus.Ok);
            seeds.Add(CoreSeal(key, new RefHeader(FrameFlags.DeviceSealed, (byte)MessageType.Ack, Network, NetworkKeyIndex, 0,
                0x200, ReceiverId, 5, Time, 4, 0, 0x200, 0), ack));

            // Every seed is authentic: a fresh receiver takes each of them.
            foreach (byte[] seed in seeds)
            {
                Assert.Equal(RejectReason.None, Deliver(Receiver(key, requireEncryption: false), seed));
            }

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
        /// gets exactly one reason, and nothing is ever accepted but an authentic frame byte for byte (in v2
        /// every byte, hop fields included, is under the network MIC). The receiver (a gateway holding every
        /// device key) is replaced every 4096 inputs.
        /// </summary>
        [Fact]
        public void One_million_random_and_mutated_byte_strings_never_throw_and_only_unaltered_authentic_frames_are_accepted()
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
            long unalteredAccepted = 0;
            long count = 0;
            long bundles = 0;
            long extraParts = 0;

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

                // Time stands still (0 ms): every seed stays within the freshness window for the whole run.
                RejectReason received = node.Receive(input, offset, dataLength, -60, 0);
                nodeHistogram[(int)received]++;
                if (FrameCodec.IsBundle(input, offset, dataLength))
                {
                    // Whole frames back to back (a mutated length byte can make one): the node answers for the first.
                    bundles++;
                    extraParts += Parts(input, offset, dataLength) - 1;
                    codec = FrameCodec.TryDecode(input, offset, FrameCodec.DeclaredLength(input, offset, dataLength), header);
                }

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
                        // An accepted "mutant" is the authentic frame itself (a mutation that wrote the same value).
                        Assert.Equal(seed.Length, dataLength);
                        for (int b = 0; b < dataLength; b++)
                        {
                            Assert.True(input[offset + b] == seed[b], $"accepted a frame altered at byte {b}");
                        }

                        unalteredAccepted++;
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
            _output.WriteLine("unaltered seeds accepted: " + unalteredAccepted + "; bundles made by mutation: " + bundles);
            Assert.Equal(count + extraParts, nodeFramesReceived + node.Counters.FramesReceived); // a bundle's frames count one by one

        }

        private static int Parts(byte[] input, int offset, int length)
        {
            int parts = 0;
            for (int at = offset; at < offset + length; parts++)
            {
                at += FrameCodec.DeclaredLength(input, at, offset + length - at);
            }

            return parts;
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
