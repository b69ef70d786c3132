using System;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Tests.Knobs
{
    /// <summary>`sweep --param` reaches any numeric scenario field by its JSON path, and names a bad path.</summary>
    public class SweepPathTests
    {
        private static Scenario Base() => ScenarioLoader.Parse("""
        { "adversaries": [ { "kind": "jammer", "dutyCycle": 0.1 } ], "radio": { "preset": "lora" } }
        """);

        [Fact]
        public void Any_numeric_field_can_be_set_by_path()
        {
            Assert.Equal(250_000, ScenarioPath.With(Base(), "radio.bitrateBps", 250_000).Radio.BitrateBps);
            Assert.Equal(0.4, ScenarioPath.With(Base(), "adversaries[0].dutyCycle", 0.4).Adversaries[0].DutyCycle);
            Assert.Equal(9, ScenarioPath.With(Base(), "radio.lora.spreadingFactor", 9).Radio.Lora.SpreadingFactor);
            Assert.Equal(45, ScenarioPath.With(Base(), "workload.broadcastIntervalSeconds", 45).Workload.BroadcastIntervalSeconds);
            Assert.Equal(40, ScenarioPath.With(Base(), "topology.nodes", 40).Topology.Nodes);
            Scenario square = ScenarioPath.With(Base(), "topology.widthMeters", 500);
            Assert.Equal((500.0, 500.0), (square.Topology.WidthMeters, square.Topology.HeightMeters));
        }

        [Fact]
        public void The_original_scenario_is_left_alone()
        {
            Scenario s = Base();
            ScenarioPath.With(s, "radio.bitrateBps", 1);
            Assert.Equal(1_000_000, s.Radio.BitrateBps);
        }

        [Theory]
        [InlineData("radio.bitrate", "radio.bitrate: the scenario has no field 'radio.bitrate'")]
        [InlineData("radio.model", "radio.model: not a numeric field")]
        [InlineData("mobility.fraction", "mobility.fraction: 'mobility' is not in the scenario")]
        [InlineData("adversaries[3].dutyCycle", "adversaries[3].dutyCycle: 'adversaries[3]' has no such element")]
        public void A_bad_path_is_named(string path, string expected)
        {
            var ex = Assert.Throws<ArgumentException>(() => ScenarioPath.Check(Base(), path));
            Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_fraction_for_a_whole_number_field_is_named()
        {
            var ex = Assert.Throws<ArgumentException>(() => ScenarioPath.With(Base(), "network.hopLimit", 2.5));
            Assert.StartsWith("network.hopLimit: 2.5 does not fit the field", ex.Message, StringComparison.Ordinal);
        }
    }
}
