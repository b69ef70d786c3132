using System;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tables;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using Xunit.Abstractions;

namespace Mesh.Protocol.Tests.Performance
{
    /// <summary>
    /// "All tables are fixed-size and chosen at construction; state for default sizes must stay under
    /// 16 KB — measure it and say the figure." The figure is the managed heap a node's whole object
    /// graph costs on 64-bit .NET: the bytes this thread allocates inside <c>new MeshNode(...)</c>.
    /// The network key and the random source are built before (a key is shared by every node on a board
    /// or gateway and its cipher and MAC live in the platform's crypto library); the frame protector and
    /// its scratch, which the node creates for itself, are part of the figure.
    /// </summary>
    public class StateSizeTests
    {
        /// <summary>
        /// Bytes of managed heap a MeshNode with the default NodeConfig costs (64-bit .NET 10). 14,840 until the
        /// node wrote its heartbeat straight into its payload buffer instead of through a Heartbeat object and its
        /// three 32-entry arrays (−344) and stopped keeping a scratch PolicySettings for the set-policy command
        /// (−48) (issue 11, the ESP32-C3's heap); +8 for RelaysDutyReserved; +8 for the time the duty cycle last held a
        /// frame (structured routing's hop-ack wait starts on air, DutyCycleRoutingTests); +8 for the counter of the
        /// one-hop leash's refusals (RejectReason.LateOneHop, OneHopLeashTests). 14,472 before the frame header grew
        /// to 34 bytes with the sender cost (FrameLayout.OffsetSenderCost): MaxPayloadSize fell from 202 to 200, so the
        /// five event payloads and the transmit payload scratch are 2 bytes shorter, 8 B each on the heap (a 202-byte
        /// array takes 232 B, a 200-byte one 224 B: −48); the receive work buffer stays 234 B (34 + 200 = 32 + 202), and
        /// the payload sealer's 11 B of hop fields (9 before) and FrameHeader's SenderCost fit in padding.
        /// </summary>
        public const long DefaultNodeBytes = 14424;

        /// <summary>"Under 16 KB", read strictly as 16,000 bytes.</summary>
        public const long Budget = 16_000;

        private readonly ITestOutputHelper _output;

        public StateSizeTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void A_node_with_default_tables_costs_a_pinned_number_of_bytes_under_16_KB()
        {
            NetworkKey key = FrameFeed.CreateKey();
            var config = new NodeConfig { NodeId = 1 };
            // The device key is built before, like the network key: its cipher and MAC live in the platform's crypto library.
            config.DeviceKey = TestKeys.Devices().KeyOf(1);
            var random = new XorShiftRandom(1);

            // First construction pays for type loading and static fields; not part of any node.
            GC.KeepAlive(new MeshNode(config, key, random, 0));

            long first = NodeBytes(config, key, random);
            long second = NodeBytes(config, key, random);
            _output.WriteLine($"MeshNode, default NodeConfig: {first} bytes of managed heap (budget {Budget})");
            _output.WriteLine(string.Empty);
            PrintBreakdown(config, key, first);

            Assert.Equal(first, second);
            Assert.Equal(DefaultNodeBytes, first);
            Assert.True(first < Budget, $"default node state {first} B is not under {Budget} B");
        }

        [Fact]
        public void The_figure_does_not_depend_on_role_or_policy()
        {
            NetworkKey key = FrameFeed.CreateKey();
            var random = new XorShiftRandom(1);
            GC.KeepAlive(new MeshNode(new NodeConfig { NodeId = 1 }, key, random, 0));
            foreach (NodeRole role in new[] { NodeRole.Sensor, NodeRole.Relay, NodeRole.Bridge, NodeRole.Edge })
            {
                foreach (PolicySettings policy in new[] { PolicySettings.Flooding(), PolicySettings.Gossip(0.7, 2), PolicySettings.Managed(2) })
                {
                    var config = new NodeConfig { NodeId = 1, Role = role, Policy = policy };
                    GC.KeepAlive(new MeshNode(config, key, random, 0));
                    Assert.Equal(DefaultNodeBytes, NodeBytes(config, key, random));
                }
            }
        }

        private static long NodeBytes(NodeConfig config, NetworkKey key, IRandomSource random)
        {
            long before = AllocationTests.AllocatedBytesBaseline();
            var node = new MeshNode(config, key, random, 0);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(node);
            return bytes;
        }

        private static long Bytes(Func<object> create)
        {
            long before = AllocationTests.AllocatedBytesBaseline();
            object o = create();
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(o);
            return bytes;
        }

        /// <summary>
        /// Per table: the data bytes its arrays hold, computed from the config (what any runtime must
        /// store), and the managed heap the same object costs on .NET (data + object headers + padding),
        /// measured by building that part alone. The remainder is the MeshNode object's own fields.
        /// </summary>
        private void PrintBreakdown(NodeConfig config, NetworkKey key, long total)
        {
            int p = config.PendingCommandSlots;
            int r = config.RecentCommandSlots;
            int dupEntries = new DuplicateCache(config.DuplicateCacheSize).Capacity;
            int replaySlots = new KeySlots(config.ReplayTableSize).Capacity;
            int routeSlots = new KeySlots(config.RouteTableSize).Capacity;
            int neighbourSlots = new KeySlots(config.NeighbourTableSize).Capacity;
            const int keySlotBytes = 4 + 4; // key (0 = free), last use
            const int eventScalars = 1 + 1 + 4 + 4 + 4 + 4 + 4 + 4 + 8 + 1 + 4 + 2 + 1 + 1;

            Row[] rows =
            {
                new("transmit queue", $"{config.TransmitQueueSize} slots x ({FrameLayout.MaxFrameSize} B frame + 34 B bookkeeping + {TransmitQueue.TrackedRelayers} relayer ids)",
                    config.TransmitQueueSize * (FrameLayout.MaxFrameSize + 4 + 8 + 4 + 4 + 4 + 4 + 4 + 1 + 1 + 4 * TransmitQueue.TrackedRelayers),
                    () => Bytes(() => new TransmitQueue(config.TransmitQueueSize))),
                new("event queue", $"{config.EventQueueSize} events x ({FrameLayout.MaxPayloadSize} B payload + {eventScalars} B fields)",
                    config.EventQueueSize * (FrameLayout.MaxPayloadSize + eventScalars),
                    () => Bytes(() => new EventQueue(config.EventQueueSize))),
                new("duplicate cache", $"{dupEntries} entries x (4 B origin + 4 B sequence's low 16 bits and payload tag + 2 B time and overheard flag) + 4 B per 4-way set (floor, next way, filter)",
                    dupEntries * 10 + dupEntries / DuplicateCache.Ways * 4,
                    () => Bytes(() => new DuplicateCache(config.DuplicateCacheSize))),
                new("replay windows", $"{replaySlots} origins x (8 B slot + 4 B highest + 8 B bitmap)",
                    replaySlots * (keySlotBytes + 4 + 8),
                    () => Bytes(() => new ReplayWindow(config.ReplayTableSize))),
                new("route table", $"{routeSlots} routes x (9 B slot + 4 B next hop + 1 B distance + 8 B time)",
                    routeSlots * (keySlotBytes + 4 + 1 + 8),
                    () => Bytes(() => new RouteTable(config.RouteTableSize, config.RouteLifetimeMs))),
                new("neighbour table", $"{neighbourSlots} neighbours x (9 B slot + 2 B rssi + 1 B quality + 8 B time + 4 B last sequence)",
                    neighbourSlots * (keySlotBytes + 2 + 1 + 8 + 4),
                    () => Bytes(() => new NeighbourTable(config.NeighbourTableSize, config.NeighbourExpiryMs))),
                new("payload sealer", $"32 B MAC + 2 x 16 B counter/keystream + {FrameLayout.HopFieldsLength} B hop fields",
                    32 + 16 + 16 + FrameLayout.HopFieldsLength,
                    () => Bytes(() => new PayloadSealer())),
                new("network sealer", "32 B MAC",
                    32,
                    () => Bytes(() => new NetworkSealer())),
                new("network key ring", "current and next key references, phase", 8 + 8 + 4,
                    () => Bytes(() => new NetworkKeyRing(key))),
                new("network clock", "window, base time, base seconds", 4 + 8 + 4,
                    () => Bytes(() => new NetworkClock(0, 30, 0))),
                new("pending commands", $"{p} slots x (target, id, kind, counter, {CommandCodec.MaxArgs} B args, length, attempts (0: free), deadline)",
                    p * (4 + 2 + 1 + 4 + CommandCodec.MaxArgs + 4 + 4 + 8),
                    () => Bytes(() => new PendingCommands(p))),
                new("recent commands", $"{r} slots x (origin, id, counter, kind, status, flag bits used/answered/flooded)",
                    r * (4 + 2 + 4 + 1 + 1 + 1),
                    () => Bytes(() => new RecentCommands(r))),
                new("command counters", $"{config.CommandCounterSlots} commanders x (4 B id + 4 B highest + 8 B bitmap + 4 B last use)",
                    config.CommandCounterSlots * (4 + 4 + 8 + 4),
                    () => Bytes(() => new CommandCounters(config.CommandCounterSlots))),
                new("heartbeat builder", $"{Heartbeat.MaxNeighbours} neighbours x 6 B + fields + QoS block",
                    Heartbeat.MaxNeighbours * 6 + 1 + 1 + 2 + 4 + 4 + 1 + QosReport.Length,
                    () => Bytes(() => new Heartbeat())),
                new("payload scratch", $"receive ({PayloadSealer.WorkSize} B: header + payload) and transmit ({FrameLayout.MaxPayloadSize} B)",
                    PayloadSealer.WorkSize + FrameLayout.MaxPayloadSize,
                    () => Bytes(() => new byte[PayloadSealer.WorkSize]) + Bytes(() => new byte[FrameLayout.MaxPayloadSize])),
                new("counters", $"19 counters + {RejectReasons.Count} reject reasons + 2 x {TrafficClass.Count} per class, 8 B each; utilisation",
                    (19 + RejectReasons.Count + 2 * TrafficClass.Count) * 8 + 4,
                    () => Bytes(() => new NodeCounters())),
                new("2 frame headers", "rx and tx holders",
                    2 * (4 + 1 + 2 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4 + 4),
                    () => 2 * Bytes(() => new FrameHeader())),
                new("fair share", $"{config.FairShareSlots} origins x (4 B id + 4 B tokens + 2 x 2 B throttled + 1 B gateway) + rate, depth, time",
                    config.FairShareSlots * (4 + 4 + 2 + 2 + 1) + 4 + 4 + 4 + 8,
                    () => Bytes(() => new FairShare(config.FairShareSlots, config.FairShareFramesPerMinute, config.FairShareBurst, config.GatewayShareMultiplier, 0))),
                new("channel monitor", $"{config.UtilisationWindowMs / ChannelMonitor.BucketMs} 1-s buckets x 4 B + current second",
                    config.UtilisationWindowMs / ChannelMonitor.BucketMs * 4 + 8,
                    () => Bytes(() => new ChannelMonitor(config.UtilisationWindowMs))),
                new("duty cycle", $"{DutyCycle.BucketsPerWindow + 1} buckets x 4 B + bucket length, budget, newest bucket",
                    (DutyCycle.BucketsPerWindow + 1) * 4 + 8 + 8 + 1 + 8,
                    () => Bytes(() => new DutyCycle(config.DutyCyclePermille, config.DutyCycleWindowMs))),
                new("QoS scratch", "airtime model, lost frames per class since the last heartbeat",
                    4 + 4 + TrafficClass.Count * 4,
                    () => Bytes(() => new Airtime(0, 0)) + Bytes(() => new int[TrafficClass.Count])),
                new("policy + scratch settings", "policy object, its own settings, scratch settings",
                    3 * 14,
                    () => Bytes(() => ForwardingPolicies.Create(config.Policy)) + Bytes(() => new PolicySettings())),
            };

            // Warm every constructor once so the measurements below are of instances only.
            foreach (Row row in rows)
            {
                row.Heap();
            }

            _output.WriteLine($"{"part",-26} {"data B",7} {"heap B",7}  how the data figure is computed from NodeConfig");
            long dataSum = 0;
            long heapSum = 0;
            foreach (Row row in rows)
            {
                long heap = row.Heap();
                dataSum += row.DataBytes;
                heapSum += heap;
                _output.WriteLine($"{row.Name,-26} {row.DataBytes,7} {heap,7}  {row.How}");
            }

            _output.WriteLine($"{"MeshNode object",-26} {"",7} {total - heapSum,7}  its own scalar fields and references (remainder)");
            _output.WriteLine($"{"total",-26} {dataSum,7} {total,7}");
        }

        private sealed record Row(string Name, string How, long DataBytes, Func<long> Heap);
    }
}
