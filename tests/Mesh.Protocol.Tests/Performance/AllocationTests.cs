using System;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Xunit.Abstractions;

namespace Mesh.Protocol.Tests.Performance
{
    /// <summary>
    /// "After warm-up, receiving and forwarding 10,000 frames allocates 0 bytes." Each test builds its
    /// frames before measuring (that allocates, and is outside the measured region), warms the node up,
    /// then counts the bytes this thread allocates (GC.GetAllocatedBytesForCurrentThread, exact) while
    /// the node receives 10,000 distinct frames plus their duplicates and the driver drains transmits and
    /// events into preallocated buffers. No timing is asserted here; see benchmarks/ for that.
    /// </summary>
    public class AllocationTests
    {
        private const int Measured = 10_000;
        private const int WarmUp = 500;
        private const int StepMs = 100;

        private static readonly Lazy<NetworkKey> SharedKey = new(FrameFeed.CreateKey);
        private static readonly Lazy<DerivedDeviceKeys> SharedDevices = new(FrameFeed.CreateDeviceKeys);
        private static readonly Lazy<FrameFeed> SharedFeed = new(() => FrameFeed.Build(SharedKey.Value, WarmUp + Measured, 8));

        private readonly ITestOutputHelper _output;

        public AllocationTests(ITestOutputHelper output)
        {
            _output = output;
        }

        public static TheoryData<PolicyKind, NodeRole> PolicyAndRole => new()
        {
            { PolicyKind.Flooding, NodeRole.Relay },
            { PolicyKind.Gossip, NodeRole.Relay },
            { PolicyKind.ManagedFlooding, NodeRole.Relay },
            { PolicyKind.Flooding, NodeRole.Bridge },
            { PolicyKind.ManagedFlooding, NodeRole.Bridge },
        };

        [Theory]
        [MemberData(nameof(PolicyAndRole))]
        public void Receiving_and_forwarding_10000_distinct_frames_allocates_nothing(PolicyKind policy, NodeRole role)
        {
            FrameFeed feed = SharedFeed.Value;
            var node = new MeshNode(
                TestKeys.Provisioned(Unthrottled(0x42, role, policy), SharedDevices.Value),
                SharedKey.Value,
                new XorShiftRandom(99),
                0);
            byte[] transmit = new byte[FrameLayout.MaxFrameSize];
            var evt = new MeshEvent();
            var totals = new Totals();
            long now = 0;

            Run(node, feed, 0, WarmUp, ref now, transmit, evt, totals);
            long acceptedBefore = node.Counters.FramesAccepted;
            long scheduledBefore = node.Counters.RelaysScheduled;
            long cancelledBefore = node.Counters.RelaysCancelled;
            long deliveredBefore = node.Counters.MessagesDelivered;
            long transmittedBefore = node.Counters.FramesTransmitted;

            long before = AllocatedBytesBaseline();
            Run(node, feed, WarmUp, WarmUp + Measured, ref now, transmit, evt, totals);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            NodeCounters c = node.Counters;
            _output.WriteLine(
                $"{policy}/{role}: {allocated} B allocated over {Measured} distinct frames "
                + $"({feed.GroupStart(WarmUp + Measured) - feed.GroupStart(WarmUp)} receptions); "
                + $"accepted {c.FramesAccepted - acceptedBefore}, relays scheduled {c.RelaysScheduled - scheduledBefore}, "
                + $"cancelled {c.RelaysCancelled - cancelledBefore}, transmitted {c.FramesTransmitted - transmittedBefore}, "
                + $"delivered {c.MessagesDelivered - deliveredBefore}, duplicates {c.RejectedFor(RejectReason.Duplicate)}");

            // The run did what it claims: every distinct frame taken, nothing rejected but duplicates.
            Assert.Equal(Measured, c.FramesAccepted - acceptedBefore);
            Assert.Equal(c.RejectedFor(RejectReason.Duplicate), c.RejectedTotal);
            Assert.Equal(0, c.RelaysDroppedQueueFull);
            Assert.True(c.FramesTransmitted - transmittedBefore > 0);
            if (policy == PolicyKind.ManagedFlooding)
            {
                Assert.True(c.RelaysCancelled - cancelledBefore > 0, "managed flooding cancelled no relay");
            }

            if (policy == PolicyKind.Gossip)
            {
                Assert.InRange(c.RelaysScheduled - scheduledBefore, 1, Measured - 1);
            }

            if (role == NodeRole.Bridge)
            {
                Assert.True(c.MessagesDelivered - deliveredBefore >= Measured, "a bridge delivers every message");
            }
            else
            {
                Assert.True(c.MessagesDelivered - deliveredBefore > 0, "text broadcasts reach relays too");
            }

            Assert.Equal(0, allocated);
        }

        /// <summary>
        /// The same feed through a relay with the default fair share: each origin sends twelve times its
        /// share, so most frames take the throttling path (token refill, bucket replacement, counting).
        /// </summary>
        [Fact]
        public void Throttling_at_the_default_fair_share_allocates_nothing()
        {
            FrameFeed feed = SharedFeed.Value;
            var node = new MeshNode(
                TestKeys.Provisioned(new NodeConfig { NodeId = 0x43, Role = NodeRole.Relay, FairShareSlots = 4 }, SharedDevices.Value),
                SharedKey.Value,
                new XorShiftRandom(98),
                0);
            byte[] transmit = new byte[FrameLayout.MaxFrameSize];
            var evt = new MeshEvent();
            var totals = new Totals();
            long now = 0;

            Run(node, feed, 0, WarmUp, ref now, transmit, evt, totals);
            long throttledBefore = node.Counters.ThrottledFrames;
            long scheduledBefore = node.Counters.RelaysScheduled;

            long before = AllocatedBytesBaseline();
            Run(node, feed, WarmUp, WarmUp + Measured, ref now, transmit, evt, totals);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            long throttled = node.Counters.ThrottledFrames - throttledBefore;
            long scheduled = node.Counters.RelaysScheduled - scheduledBefore;
            _output.WriteLine($"default fair share, 4 slots for 8 origins: {allocated} B allocated; throttled {throttled}, relays scheduled {scheduled}");
            // With 4 slots for 8 over-share origins buckets are replaced while depleted, so part of the excess leaks through (PROTOCOL.md lists the limit).
            Assert.True(throttled > Measured / 5, $"only {throttled} throttled");
            Assert.True(scheduled > 0);
            Assert.Equal(0, allocated);
        }

        [Fact]
        public void Commands_and_acknowledgements_allocate_nothing()
        {
            NetworkKey key = SharedKey.Value;
            var gateway = new MeshNode(TestKeys.Provisioned(new NodeConfig { NodeId = 0x300, Role = NodeRole.Bridge, PendingCommandSlots = 4 }, SharedDevices.Value), key, new XorShiftRandom(3), 0);
            var sensor = new MeshNode(TestKeys.Provisioned(new NodeConfig { NodeId = 0x301, Role = NodeRole.Sensor }, SharedDevices.Value), key, new XorShiftRandom(4), 0);
            var link = new Link(gateway, sensor);
            byte[] args = new byte[CommandCodec.MaxArgs];
            long now = 0;

            RunCommands(link, args, 0, 200, ref now);
            long ackedBefore = gateway.Counters.CommandsAcknowledged;
            long retriesBefore = gateway.Counters.CommandRetries;

            long before = AllocatedBytesBaseline();
            RunCommands(link, args, 200, 200 + Measured, ref now);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;

            long acked = gateway.Counters.CommandsAcknowledged - ackedBefore;
            long retries = gateway.Counters.CommandRetries - retriesBefore;
            _output.WriteLine(
                $"commands: {allocated} B allocated over {Measured} commands; acknowledged {acked}, retries {retries}, "
                + $"gateway events {link.GatewayEvents}, sensor events {link.SensorEvents}, "
                + $"heartbeats sent {gateway.Counters.HeartbeatsSent + sensor.Counters.HeartbeatsSent}");

            Assert.Equal(Measured, acked);
            Assert.True(retries > 0, "the retry path ran");
            Assert.Equal(0, gateway.Counters.CommandsTimedOut);
            Assert.Equal(0, allocated);
        }

        /// <summary>The desktop crypto seam itself: one AES block, one HMAC, one random draw, one seal and one open/verify of both MICs.</summary>
        [Fact]
        public void Desktop_crypto_primitives_allocate_nothing_per_call()
        {
            NetworkKey key = SharedKey.Value;
            IBlockCipher aes = key.Payload.Cipher;
            IMac mac = key.Hop;
            SealingKey device = SharedDevices.Value.KeyOf(5).Sealing;
            var random = new DesktopRandom();
            var payloadSealer = new PayloadSealer();
            var netSealer = new NetworkSealer();
            byte[] opened = new byte[PayloadSealer.WorkSize];
            byte[] block = new byte[16];
            byte[] output = new byte[16];
            byte[] data = new byte[FrameLayout.MaxFrameSize];
            byte[] hash = new byte[32];
            var header = new FrameHeader
            {
                Flags = FrameFlags.DeviceSealed,
                Type = MessageType.Readings,
                Network = 1,
                Origin = 5,
                Destination = NodeAddress.Broadcast,
                Sequence = 1,
                HopLimit = 8,
                PayloadLength = FrameLayout.MaxPayloadSize,
            };

            for (int i = 0; i < 100; i++)
            {
                aes.EncryptBlock(block, 0, output, 0);
                mac.Compute(data, 0, data.Length, hash, 0);
                random.NextUInt32();
                FrameCodec.WriteHeader(header, data, 0);
                payloadSealer.Seal(device, header, data, 0);
                netSealer.Seal(key, data, 0, header.FrameLength);
                netSealer.Verify(key, data, 0, header.FrameLength);
                payloadSealer.Open(device, header, data, 0, opened);
            }

            long aesBytes = Measure(() =>
            {
                for (int i = 0; i < Measured; i++)
                {
                    aes.EncryptBlock(block, 0, output, 0);
                }
            });
            long macBytes = Measure(() =>
            {
                for (int i = 0; i < Measured; i++)
                {
                    mac.Compute(data, 0, data.Length, hash, 0);
                }
            });
            long randomBytes = Measure(() =>
            {
                for (int i = 0; i < Measured; i++)
                {
                    random.NextUInt32();
                }
            });
            bool allVerified = true;
            long protectorBytes = Measure(() =>
            {
                for (int i = 0; i < Measured; i++)
                {
                    header.Sequence = (uint)(i + 2);
                    FrameCodec.WriteHeader(header, data, 0);
                    payloadSealer.Seal(device, header, data, 0);
                    netSealer.Seal(key, data, 0, header.FrameLength);
                    allVerified &= netSealer.Verify(key, data, 0, header.FrameLength)
                        && payloadSealer.Open(device, header, data, 0, opened);
                }
            });

            _output.WriteLine(
                $"per {Measured} calls: AES block {aesBytes} B, HMAC-SHA256 (242 B) {macBytes} B, "
                + $"DesktopRandom {randomBytes} B, seal+open (both MICs) {protectorBytes} B");
            Assert.True(allVerified);
            Assert.Equal(0, aesBytes);
            Assert.Equal(0, macBytes);
            Assert.Equal(0, randomBytes);
            Assert.Equal(0, protectorBytes);
        }

        /// <summary>
        /// GC.GetAllocatedBytesForCurrentThread() taken once this thread holds no allocation context.
        /// The counter is alloc_bytes - (alloc_limit - alloc_ptr) of the thread's context. A background GC
        /// retires every context exactly when it starts, but a context a thread takes while it marks
        /// concurrently (here: building the node and the buffers) is voided when the mark phase ends
        /// (gc.cpp: background_mark_phase ends with repair_allocation_contexts(FALSE), void_allocation)
        /// without its unused rest being taken out of alloc_bytes. So a thread that then allocates
        /// nothing sees its counter jump once by that rest (up to ~8 KB) when another thread's
        /// allocations keep a background GC running across the measurement: the "360 B once in seven
        /// runs" this test saw while other test classes ran in parallel. Read without this GC, with
        /// another test class allocating and starting background GCs, the theory failed in 14 of 30
        /// processes, each time one jump of 1,736..8,104 B at a different call (still with tiered
        /// compilation off, never with DOTNET_gcConcurrent=0); read after it, in none of 40. A blocking
        /// gen0 GC retires the context with exact accounting; a thread that then allocates nothing has
        /// no context left to void, and whatever it does allocate is still counted in full, so the
        /// assertions stay exactly as strict.
        /// </summary>
        internal static long AllocatedBytesBaseline()
        {
            GC.Collect(0, GCCollectionMode.Forced, blocking: true);
            return GC.GetAllocatedBytesForCurrentThread();
        }

        private static NodeConfig Unthrottled(uint id, NodeRole role, PolicyKind policy)
        {
            NodeConfig config = FrameFeed.Unthrottled(id, role);
            config.Policy = Settings(policy);
            return config;
        }

        private static PolicySettings Settings(PolicyKind kind)
        {
            return kind switch
            {
                PolicyKind.Gossip => PolicySettings.Gossip(0.65, 1),
                PolicyKind.ManagedFlooding => PolicySettings.Managed(2),
                _ => PolicySettings.Flooding(),
            };
        }

        /// <summary>The bytes allocated on this thread while <paramref name="action"/> runs (the delegate exists beforehand).</summary>
        private static long Measure(Action action)
        {
            long before = AllocatedBytesBaseline();
            action();
            return GC.GetAllocatedBytesForCurrentThread() - before;
        }

        /// <summary>
        /// A driver loop over groups [from, to): every copy of a message is heard at the same instant,
        /// then time moves on past every contention delay, and the driver polls and drains.
        /// </summary>
        private static void Run(MeshNode node, FrameFeed feed, int from, int to, ref long now, byte[] transmit, MeshEvent evt, Totals totals)
        {
            byte[][] frames = feed.Frames;
            int[] rssi = feed.Rssi;
            for (int g = from; g < to; g++)
            {
                int end = feed.GroupEnd[g];
                for (int i = feed.GroupStart(g); i < end; i++)
                {
                    byte[] frame = frames[i];
                    node.Receive(frame, 0, frame.Length, rssi[i], now);
                }

                now += StepMs;
                if (now >= node.NextWakeMs)
                {
                    node.Poll(now);
                }

                while (node.TryTakeTransmit(now, transmit, 0, out int length))
                {
                    totals.Bytes += length;
                }

                while (node.TryTakeEvent(evt))
                {
                    totals.Events++;
                }
            }
        }

        /// <summary>
        /// Commands from the gateway (a bridge) to the sensor over a perfect link: Ping and
        /// SetReportInterval (answered by the core) and Identify (answered by the application). Every
        /// tenth command's first transmission is lost, so it is retried by flooding after the timeout.
        /// </summary>
        private static void RunCommands(Link link, byte[] args, int from, int to, ref long now)
        {
            for (int i = from; i < to; i++)
            {
                CommandKind kind = (i % 3) switch
                {
                    0 => CommandKind.Ping,
                    1 => CommandKind.SetReportInterval,
                    _ => CommandKind.Identify,
                };
                int argLength = 0;
                if (kind == CommandKind.SetReportInterval)
                {
                    LittleEndian.WriteUInt32(args, 0, 30 + (uint)(i % 60));
                    argLength = 4;
                }
                else if (kind == CommandKind.Identify)
                {
                    LittleEndian.WriteUInt16(args, 0, 5);
                    argLength = 2;
                }

                SendResult sent = link.Gateway.SendCommand(link.Sensor.NodeId, kind, args, 0, argLength, now, out _);
                if (sent != SendResult.Queued)
                {
                    throw new InvalidOperationException("command not queued: " + sent);
                }

                if (i % 10 == 5)
                {
                    link.DropGatewayTransmits(now);
                    now += 4_001; // past the first acknowledgement timeout
                    link.Gateway.Poll(now);
                }

                link.Pump(now);
                now += 50;
            }
        }

        private sealed class Totals
        {
            public long Bytes;
            public long Events;
        }

        /// <summary>Two nodes in range of each other; frames go both ways until neither has anything due.</summary>
        private sealed class Link
        {
            private readonly byte[] _buffer = new byte[FrameLayout.MaxFrameSize];
            private readonly MeshEvent _event = new();

            public Link(MeshNode gateway, MeshNode sensor)
            {
                Gateway = gateway;
                Sensor = sensor;
            }

            public MeshNode Gateway { get; }

            public MeshNode Sensor { get; }

            public long GatewayEvents { get; private set; }

            public long SensorEvents { get; private set; }

            public void DropGatewayTransmits(long now)
            {
                while (Gateway.TryTakeTransmit(now, _buffer, 0, out _))
                {
                }
            }

            public void Pump(long now)
            {
                bool moved = true;
                while (moved)
                {
                    moved = false;
                    if (now >= Gateway.NextWakeMs)
                    {
                        Gateway.Poll(now);
                    }

                    if (now >= Sensor.NextWakeMs)
                    {
                        Sensor.Poll(now);
                    }

                    // Relays wait up to the flooding jitter (8 ms): look a little ahead.
                    while (Gateway.TryTakeTransmit(now + 10, _buffer, 0, out int length))
                    {
                        Sensor.Receive(_buffer, 0, length, -60, now);
                        moved = true;
                    }

                    while (Sensor.TryTakeTransmit(now + 10, _buffer, 0, out int length))
                    {
                        Gateway.Receive(_buffer, 0, length, -60, now);
                        moved = true;
                    }

                    while (Sensor.TryTakeEvent(_event))
                    {
                        SensorEvents++;
                        if (_event.Kind == MeshEventKind.Message && _event.Type == MessageType.Command
                            && CommandCodec.Kind(_event.Payload, 0) == CommandKind.Identify)
                        {
                            // The application blinks its LED and acknowledges.
                            Sensor.Acknowledge(_event.Origin, CommandCodec.CommandId(_event.Payload, 0), CommandStatus.Ok, now);
                            moved = true;
                        }
                    }

                    while (Gateway.TryTakeEvent(_event))
                    {
                        GatewayEvents++;
                    }
                }
            }
        }
    }
}
