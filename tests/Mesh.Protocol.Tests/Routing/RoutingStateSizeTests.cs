using System;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Tests.Performance;
using Xunit.Abstractions;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// What structured routing costs a board: a node built structured allocates its routing state
    /// (gradient, Trickle, upward-frame copies, reading store, beacon scratch) on top of the default node's figure
    /// (StateSizeTests.DefaultNodeBytes); nodes of the other policies pay one reference for it.
    /// </summary>
    public class RoutingStateSizeTests
    {
        /// <summary>
        /// Bytes of managed heap a structured node with default tables costs (64-bit .NET 10; 8 of it since the
        /// hop-budget flood counter, 8 since the count of evicted upward frames sent once more, UpwardEvictionTests; 8 since RelaysDutyReserved; 24 since the duty-cycle rules of structured routing, DutyCycleRoutingTests: the node's
        /// time the duty cycle last held a frame, 8, and two counters, BeaconsDutySkipped and DutyHeldWaits, 16; 136 since beacons count their own share of the duty budget in a DutyCycle of their own, StructuredRouting.BeaconAir). 24,568 before the heartbeat was written in place and the policy scratch went
        /// (StateSizeTests). 24,360 with 6 upward slots: the 4 more of the core's default of 10 cost 1,312 B (328 B a slot:
        /// a 250-byte frame copy and its array header; boards without PSRAM keep 6, BoardProfile); 40 since the upward-load state (UpwardLoad);
        /// 8 since Trickle's prompted beacon (TrickleTimer.Prompt, its due time; TrickleNewsTests). 25,720 before the
        /// upward copies shared one buffer instead of an array each (−296 B here, where each slot keeps a full frame's room)
        /// and the backbone kept tags only for the outsiders its neighbours list, at most 16 each (−1,024 B; BackboneListedTests);
        /// 24,400 before the core's 20 slots in 2,500 shared bytes instead of 10 (+392 B: ten slots' state); 8 since the
        /// count of flooded readings not relayed uphill (UphillFloodTests); 8 since Trickle answers a route-less neighbour
        /// with one beacon instead of a reset (TrickleTimer.Answer: its due time and the count of beacons heard since);
        /// 8 since the node counts the one-hop leash's refusals (StateSizeTests, every policy); 80 since every relay
        /// remembers the last 8 upward frames it relayed with their hops (RelayedUpward, before only with FallbackEcho:
        /// a frame come round a loop is not acknowledged; StaleGradientCustodyTests); 8 since a failed parent silent for
        /// FailedParentSilenceMs is let go (GradientTable; SilentFailedParentTests). 24,904 before the core's 48 slots in
        /// 4,000 shared bytes instead of 20 in 2,500 (+2,600 B: 1,500 bytes of copies and 28 slots' state, ~39 B each); 24 since
        /// an origin's fallback flood rejoins the gradient and a node leaves a parent that retransmits its earlier copy (three
        /// counters, FloodsRejoined, RejoinsCancelled and LoopsLeft; the rejoin mark is a bit of RelayedUpward's hops;
        /// FloodRejoinTests, LoopingParentTests). 27,528 before the frame header grew to 34 bytes with the sender cost:
        /// −48, all of it the default node's (StateSizeTests: MaxPayloadSize 202 → 200 shortens six payload buffers); the
        /// routing state itself is unchanged (13,056 B here), its copies being sized by MaxFrameSize and UpwardBytes.
        /// </summary>
        public const long StructuredNodeBytes = 27480;

        private readonly ITestOutputHelper _output;

        public RoutingStateSizeTests(ITestOutputHelper output)
        {
            _output = output;
        }

        /// <summary>
        /// The same node with the upward slots of a board without PSRAM (6, BoardProfile): a full frame's room for each,
        /// and the boards' two full frames shared by the six (NodeConfig.UpwardBytes = 500).
        /// </summary>
        public const long SixFullSlotsBytes = 23312;
        public const long SixSlotsInTwoFramesBytes = 22312;

        [Theory]
        [InlineData(NodeConfig.DefaultUpwardSlots, NodeConfig.DefaultUpwardBytes, StructuredNodeBytes)]
        [InlineData(6, 0, SixFullSlotsBytes)]
        [InlineData(6, 2 * Wire.FrameLayout.MaxFrameSize, SixSlotsInTwoFramesBytes)]
        public void A_structured_node_costs_a_pinned_number_of_bytes(int upwardSlots, int upwardBytes, long expected)
        {
            NetworkKey key = FrameFeed.CreateKey();
            var config = new NodeConfig { NodeId = 1, Policy = PolicySettings.Structured(2), DeviceKey = TestKeys.Devices().KeyOf(1), UpwardSlots = upwardSlots, UpwardBytes = upwardBytes };
            var random = new XorShiftRandom(1);
            GC.KeepAlive(new MeshNode(config, key, random, 0));

            long before = AllocationTests.AllocatedBytesBaseline();
            var node = new MeshNode(config, key, random, 0);
            long bytes = GC.GetAllocatedBytesForCurrentThread() - before;
            GC.KeepAlive(node);
            _output.WriteLine($"structured node: {bytes} B (default node {StateSizeTests.DefaultNodeBytes} B, routing {bytes - StateSizeTests.DefaultNodeBytes} B; UpwardSlots {config.UpwardSlots}, UpwardBytes {config.UpwardBytes}, StoreSlots {config.StoreSlots})");
            Assert.Equal(expected, bytes);
        }
    }
}
