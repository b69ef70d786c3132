using System;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Tests.Knobs
{
    /// <summary>The Meshtastic-style settings are refused, when wrong, with the field named like every other.</summary>
    public class KnobValidationTests
    {
        [Theory]
        [InlineData("""{ "radio": { "preset": "wifi" } }""", "radio.preset: 'wifi' is not one of espNow, lora")]
        [InlineData("""{ "radio": { "preset": "lora", "lora": { "spreadingFactor": 13 } } }""", "radio.lora.spreadingFactor: must be 5..12")]
        [InlineData("""{ "radio": { "lora": { "codingRate": 4 } } }""", "radio.lora.codingRate: must be 5..8")]
        [InlineData("""{ "radio": { "lora": { "lowDataRateOptimization": "maybe" } } }""", "radio.lora.lowDataRateOptimization: 'maybe' is not one of auto, on, off")]
        [InlineData("""{ "radio": { "asymmetrySigmaDb": -1 } }""", "radio.asymmetrySigmaDb: must not be negative")]
        [InlineData("""{ "radio": { "contentionWindowSlots": 0 } }""", "radio.contentionWindowSlots: must be 1..1024")]
        [InlineData("""{ "radio": { "slotMicroseconds": 0 } }""", "radio.slotMicroseconds: must be 1..1000000")]
        [InlineData("""{ "radio": { "burstLoss": { "badToGood": 2 } } }""", "radio.burstLoss.badToGood: must be 0..1")]
        [InlineData("""{ "policy": { "weakRssiDbm": -40, "strongRssiDbm": -95 } }""", "policy.weakRssiDbm/strongRssiDbm: need -200 <= weak < strong <= 50")]
        [InlineData("""{ "roles": { "perNode": [ { "nodes": [1], "role": "router" } ] } }""", "roles.perNode[0].role: 'router' is not one of sensor, relay, edge")]
        [InlineData("""{ "roles": { "perNode": [ { "nodes": [30] } ] } }""", "roles.perNode[0].nodes[0]: 30 is not a node index (0..24)")]
        [InlineData("""{ "roles": { "perNode": [ { "nodes": [1], "hopLimit": 33 } ] } }""", "roles.perNode[0].hopLimit: must be 0..32")]
        [InlineData("""{ "roles": { "perNode": [ { "nodes": [1], "policy": { "kind": "gossip", "p": 2 } } ] } }""", "roles.perNode[0].policy.p: must be 0..1")]
        [InlineData("""{ "workload": { "heartbeatIntervalSeconds": 0.5 } }""", "workload.heartbeatIntervalSeconds: must be 0 (off) or at least 1")]
        [InlineData("""{ "network": { "clockDriftPpm": -1 } }""", "network.clockDriftPpm: must be 0..1000")]
        [InlineData("""{ "adversaries": [ { "kind": "jammer", "dutyCycle": 1.5 } ] }""", "adversaries[0].dutyCycle: must be 0..1")]
        public void A_bad_knob_names_its_field(string json, string expected)
        {
            Scenario s = ScenarioLoader.Parse(json);
            var errors = ScenarioValidator.Validate(s, null);
            Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
            Assert.Throws<ArgumentException>(() => new Simulation(s));
        }
    }
}
