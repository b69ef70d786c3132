using System;
using Mesh.Protocol.Node;

namespace Mesh.Protocol.Tests.Qos
{
    /// <summary>NodeConfig's QoS settings: PROTOCOL.md's defaults, and a clear refusal naming the setting for each bad value.</summary>
    public class QosConfigTests
    {
        [Fact]
        public void Defaults_are_the_ones_PROTOCOL_md_gives()
        {
            var c = new NodeConfig { NodeId = 1 };
            Assert.Null(c.Validate());
            Assert.Equal(16, c.FairShareSlots);
            Assert.Equal(6, c.FairShareFramesPerMinute);
            Assert.Equal(8, c.FairShareBurst);
            Assert.Equal(10, c.GatewayShareMultiplier);
            Assert.Equal(10_000, c.UtilisationWindowMs);
            Assert.Equal(900, c.AirtimeOverheadUs);
            Assert.Equal(8, c.AirtimeUsPerByte);
            Assert.Equal(120, c.CongestionThresholdPermille);
            Assert.Equal(2, c.MinHopLimit);
            Assert.Equal(100, c.DutyCyclePermille);
            Assert.Equal(10_000, c.DutyCycleWindowMs);
        }

        public static TheoryData<string, Action<NodeConfig>> BadValues => new()
        {
            { "FairShareSlots", c => c.FairShareSlots = 0 },
            { "FairShareFramesPerMinute", c => c.FairShareFramesPerMinute = 0 },
            { "FairShareBurst", c => c.FairShareBurst = 256 },
            { "GatewayShareMultiplier", c => c.GatewayShareMultiplier = 0 },
            { "UtilisationWindowMs", c => c.UtilisationWindowMs = 1500 },
            { "AirtimeOverheadUs", c => c.AirtimeUsPerByte = -1 },
            { "CongestionThresholdPermille", c => c.CongestionThresholdPermille = 1000 },
            { "MinHopLimit", c => c.MinHopLimit = 33 },
            { "DutyCyclePermille", c => c.DutyCyclePermille = 0 },
            { "DutyCycleWindowMs", c => c.DutyCycleWindowMs = 10_005 },
            // 0.1 % of 1 s is 1000 µs: not one 250-byte frame (2900 µs).
            { "budget must hold", c => { c.DutyCyclePermille = 1; c.DutyCycleWindowMs = 1000; } },
        };

        [Theory]
        [MemberData(nameof(BadValues))]
        public void A_bad_QoS_setting_is_refused_with_its_name(string expected, Action<NodeConfig> spoil)
        {
            var c = new NodeConfig { NodeId = 1 };
            spoil(c);
            string? problem = c.Validate();
            Assert.NotNull(problem);
            Assert.Contains(expected, problem);
            Assert.Throws<ArgumentException>(() => new MeshNode(c, TestKeysNetwork, new XorShiftRandom(1), 0));
        }

        private static readonly Mesh.Protocol.Security.NetworkKey TestKeysNetwork = Harness.TestKeys.Network();
    }
}
