using System;
using System.IO;
using System.Linq;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>A bad scenario is rejected with a message naming the JSON path and what is wrong with it.</summary>
    public class ScenarioValidationTests
    {
        [Theory]
        [InlineData("""{ "topology": { "kind": "hexagon" } }""", "topology.kind: 'hexagon' is not one of grid, line, random, clustered, file")]
        [InlineData("""{ "network": { "hopLimit": 40 } }""", "network.hopLimit: must be 0..32")]
        [InlineData("""{ "network": { "key": "00112233" } }""", "network.key: must be 32 or 64 hex digits")]
        [InlineData("""{ "topology": { "nodes": 25 }, "roles": { "sinks": [3, 25] } }""", "roles.sinks[1]: 25 is not a node index (0..24)")]
        [InlineData("""{ "topology": { "nodes": 25 }, "roles": { "edges": [-1] } }""", "roles.edges[0]: -1 is not a node index (0..24)")]
        [InlineData("""{ "radio": { "model": "unitDisk", "rangeMeters": 0 } }""", "radio.rangeMeters: must be positive")]
        [InlineData("""{ "radio": { "model": "freeSpace" } }""", "radio.model: 'freeSpace' is not one of logDistance, unitDisk")]
        [InlineData("""{ "policy": { "kind": "gossip", "p": 1.5 } }""", "policy.p: must be 0..1")]
        [InlineData("""{ "policy": { "kind": "structured", "backboneNeighbours": 33 } }""", "policy.backboneNeighbours: must be 1..32 (the backbone's bit sets are one word)")]
        [InlineData("""{ "policy": { "kind": "structured", "upwardSlots": 0 } }""", "policy.upwardSlots: must be 1..64")]
        [InlineData("""{ "workload": { "gatewayHeartbeatIntervalSeconds": 0.5 } }""", "workload.gatewayHeartbeatIntervalSeconds: whole seconds, at least 1")]
        [InlineData("""{ "workload": { "heartbeatNeighbours": 33 } }""", "workload.heartbeatNeighbours: 0 … 32 (neighbours a heartbeat lists)")]
        [InlineData("""{ "policy": { "kind": "structured", "upwardBytes": 100 } }""", "policy.upwardBytes: must be 0 (a full frame per slot) or 250..16000")]
        [InlineData("""{ "durationSeconds": 60, "warmupSeconds": 60 }""", "warmupSeconds: must be at least 0 and less than durationSeconds")]
        [InlineData("""{ "topology": { "nodes": 10 }, "faults": { "crashes": [ { "node": 3, "atSeconds": 5 }, { "node": 99, "atSeconds": 5 } ] } }""", "faults.crashes[1].node: 99 is not a node index (0..9)")]
        [InlineData("""{ "adversaries": [ { "kind": "sniffer", "count": 1 } ] }""", "adversaries[0].kind: 'sniffer' is not one of replayer, forger, blackhole, jammer")]
        [InlineData("""{ "topology": { "nodes": 10 }, "adversaries": [ { "kind": "forger", "count": 10 } ] }""", "adversaries[0].count: must be 0..9")]
        [InlineData("""{ "topology": { "kind": "file" } }""", "topology.file: required when topology.kind is 'file'")]
        [InlineData("""{ "mobility": { "fraction": 2 } }""", "mobility: fraction 0..1")]
        [InlineData("""{ "adversaries": [ { "kind": "babbler", "count": 1, "traffic": "video" } ] }""", "adversaries[0].traffic: 'video' is not one of readings, broadcast")]
        [InlineData("""{ "adversaries": [ { "kind": "babbler", "count": 1, "rate": 0 } ] }""", "adversaries[0].rate: must be positive")]
        [InlineData("""{ "adversaries": [ { "kind": "babbler", "rate": 10 } ] }""", "adversaries[0]: a babbler needs nodes or count")]
        [InlineData("""{ "durationSeconds": 60, "warmupSeconds": 30, "drainSeconds": 30 }""", "drainSeconds: must be at least 0 and leave time after warmupSeconds")]
        [InlineData("""{ "roles": { "perNode": [ { "nodes": [1], "readingIntervalSeconds": 0 } ] } }""", "roles.perNode[0].readingIntervalSeconds: must be positive")]
        [InlineData("""{ "durationSeconds": 100, "keyRefresh": { "atSeconds": 100 } }""", "keyRefresh.atSeconds: must be at least 0 and less than durationSeconds")]
        [InlineData("""{ "topology": { "nodes": 10 }, "keyRefresh": { "evict": [3, 10] } }""", "keyRefresh.evict[1]: 10 is not a node index (0..9)")]
        [InlineData("""{ "keyRefresh": { "evict": ["outsiders"] } }""", "keyRefresh.evict[0]: \"outsiders\" is neither a node index nor one of insiders, evictedInsiders")]
        [InlineData("""{ "topology": { "nodes": 10 }, "roles": { "sinks": [4] }, "keyRefresh": { "evict": [4] } }""", "keyRefresh.evict[0]: node 4 is a gateway")]
        [InlineData("""{ "keyRefresh": { "concurrency": 0 } }""", "keyRefresh.concurrency: must be 1..64")]
        [InlineData("""{ "keyRefresh": { "phaseDeadlineSeconds": 1 } }""", "keyRefresh.phaseDeadlineSeconds: must be 5..604800")]
        [InlineData("""{ "network": { "application": "nodeRunner" }, "keyRefresh": { } }""", "keyRefresh: needs network.application simulated")]
        public void A_semantically_invalid_scenario_names_the_field_and_the_problem(string json, string expected)
        {
            Scenario s = ScenarioLoader.Parse(json);
            var errors = ScenarioValidator.Validate(s, null);
            Assert.Contains(errors, e => e.StartsWith(expected, StringComparison.Ordinal));
            Assert.Equal(errors[0], ScenarioValidator.FirstError(s, null));

            // The engine refuses it with the same first message.
            var ex = Assert.Throws<ArgumentException>(() => new Simulation(s));
            Assert.Equal(errors[0], ex.Message);
        }

        [Theory]
        [InlineData("""{ "radio": { "colisions": false } }""", "radio.colisions", "could not be mapped")]
        [InlineData("""{ "durationSeconds": "an hour" }""", "durationSeconds:", "could not be converted")]
        [InlineData("""{ "topology": { "nodes": 2.5 } }""", "topology.nodes:", "could not be converted")]
        [InlineData("""{ "adversaries": [ { "kind": "forger", "count": true } ] }""", "adversaries[0].count:", "could not be converted")]
        [InlineData("""{ "workload": { "readingIntervalSeconds": 60, } , "nme": "x" }""", "nme", "could not be mapped")]
        public void A_mistyped_or_unknown_field_is_a_parse_error_that_names_it(string json, string path, string problem)
        {
            var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Parse(json));
            Assert.Contains(path, ex.Message, StringComparison.Ordinal);
            Assert.Contains(problem, ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Every_problem_in_a_file_is_reported_at_once()
        {
            string dir = Paths.NewTempDirectory("validation");
            try
            {
                string file = Path.Combine(dir, "bad.json");
                File.WriteAllText(file, """
                {
                  // comments and trailing commas are allowed
                  "network": { "hopLimit": 99, },
                  "topology": { "kind": "grid", "nodes": 9, "spacingMeters": -1 },
                  "roles": { "sinks": [9] },
                }
                """);
                var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(file));
                string[] lines = ex.Message.Split(Environment.NewLine);
                Assert.Equal(3, lines.Length);
                Assert.StartsWith("network.hopLimit:", lines[0], StringComparison.Ordinal);
                Assert.StartsWith("topology.spacingMeters:", lines[1], StringComparison.Ordinal);
                Assert.StartsWith("roles.sinks[0]: 9 is not a node index (0..8)", lines[2], StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Theory]
        [InlineData("nodes.json", """[ { "x": 0, "y": 0 }, { "x": "ten", "y": 0 } ]""", "topology.file: entry 1 needs numeric \"x\" and \"y\"")]
        [InlineData("nodes.json", """[ { "x": 0, "y": 0 }, { "y": 5 } ]""", "topology.file: entry 1 needs numeric \"x\" and \"y\"")]
        [InlineData("nodes.json", """{ "x": 0, "y": 0 }""", "topology.file: ")]
        [InlineData("nodes.csv", "x,y\n0,0\n10,zero\n", "topology.file: line 3 is not 'x,y': '10,zero'")]
        public void A_bad_topology_file_is_reported_against_topology_file(string name, string content, string expected)
        {
            string dir = Paths.NewTempDirectory("topology-file");
            try
            {
                File.WriteAllText(Path.Combine(dir, name), content);
                File.WriteAllText(Path.Combine(dir, "scenario.json"), $$"""{ "topology": { "kind": "file", "file": "{{name}}" } }""");
                var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(Path.Combine(dir, "scenario.json")));
                Assert.StartsWith(expected, ex.Message, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void A_good_topology_file_sets_the_node_count_that_indices_are_checked_against()
        {
            string dir = Paths.NewTempDirectory("topology-file");
            try
            {
                File.WriteAllText(Path.Combine(dir, "nodes.csv"), "x,y\n0,0\n10,0\n20,0\n");
                File.WriteAllText(Path.Combine(dir, "scenario.json"), """{ "topology": { "kind": "file", "file": "nodes.csv" }, "roles": { "sinks": [3] } }""");
                var ex = Assert.Throws<ScenarioException>(() => ScenarioLoader.Load(Path.Combine(dir, "scenario.json")));
                Assert.Equal("roles.sinks[0]: 3 is not a node index (0..2)", ex.Message);

                File.WriteAllText(Path.Combine(dir, "scenario.json"), """{ "durationSeconds": 10, "topology": { "kind": "file", "file": "nodes.csv" }, "roles": { "sinks": [2] } }""");
                Scenario s = ScenarioLoader.Load(Path.Combine(dir, "scenario.json"));
                var sim = new Simulation(s, dir);
                Assert.Equal(new[] { 0.0, 10.0, 20.0 }, sim.Nodes.Select(n => n.X));
                Assert.Equal(new[] { 2 }, sim.Sinks);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void Every_shipped_scenario_is_valid()
        {
            string[] files = Directory.GetFiles(Paths.ScenarioDirectory, "*.json");
            Assert.True(files.Length >= 4, string.Join(", ", files));
            foreach (string file in files)
            {
                Scenario s = ScenarioLoader.Load(file);
                Assert.Empty(ScenarioValidator.Validate(s, Paths.ScenarioDirectory));
                Assert.Equal(Path.GetFileNameWithoutExtension(file), s.Name);
            }
        }
    }
}
