using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Knobs
{
    /// <summary>Each Meshtastic-style knob does what SCHEMA.md says it does.</summary>
    public class KnobBehaviourTests
    {
        // Five nodes 10 m apart, each hearing only its neighbours; broadcasts from random nodes.
        private static string Line(string roles = "{}", int hopLimit = 8) => $$"""
        {
          "seed": 2,
          "durationSeconds": 600,
          "network": { "hopLimit": {{hopLimit}} },
          "topology": { "kind": "line", "nodes": 5, "spacingMeters": 10 },
          "radio": { "model": "unitDisk", "rangeMeters": 15, "collisions": false },
          "roles": {{roles}},
          "workload": { "readingIntervalSeconds": 0, "broadcastIntervalSeconds": 10, "heartbeatIntervalSeconds": 0 }
        }
        """;

        private static (Dictionary<(uint, uint), HashSet<int>> Reached, List<(int Node, FrameHeader Header)> Sent) Observe(string json)
        {
            var sim = new Simulation(Runs.Parse(json));
            var reached = new Dictionary<(uint, uint), HashSet<int>>();
            var sent = new List<(int, FrameHeader)>();
            sim.FrameTransmitted = (node, bytes, length, _) => sent.Add((node.Index, Frames.Header(bytes, length)));
            sim.MessageDelivered = (node, e, _) =>
            {
                if (e.Type == MessageType.Text)
                {
                    var key = (e.Origin, e.Sequence);
                    if (!reached.TryGetValue(key, out var set))
                    {
                        reached[key] = set = new HashSet<int>();
                    }

                    set.Add(node.Index);
                }
            };
            sim.Run();
            return (reached, sent);
        }

        [Fact]
        public void An_edge_node_set_per_node_never_relays_so_the_line_is_cut_there()
        {
            var (reached, sent) = Observe(Line("""{ "sinks": [0], "perNode": [ { "nodes": [2], "role": "edge" } ] }"""));
            Assert.DoesNotContain(sent, s => s.Node == 2 && s.Header.Origin != 3); // node 2 only ever sends its own
            foreach (var (key, nodes) in reached)
            {
                int origin = (int)key.Item1 - 1;
                if (origin < 2)
                {
                    Assert.DoesNotContain(3, nodes);
                    Assert.DoesNotContain(4, nodes);
                }
            }

            Assert.Contains(reached, r => r.Key.Item1 - 1 < 2);
        }

        [Fact]
        public void A_per_node_hop_limit_bounds_how_far_that_nodes_frames_go()
        {
            // Node 0 sends with hop limit 1 (one relay); everyone else with the network's 8.
            var (reached, _) = Observe(Line("""{ "perNode": [ { "nodes": [0], "hopLimit": 1 } ] }"""));
            var fromZero = reached.Where(r => r.Key.Item1 == 1).ToList();
            var fromFour = reached.Where(r => r.Key.Item1 == 5).ToList();
            Assert.NotEmpty(fromZero);
            Assert.NotEmpty(fromFour);
            Assert.All(fromZero, r => Assert.Equal(new[] { 1, 2 }, r.Value.OrderBy(i => i)));
            Assert.All(fromFour, r => Assert.Equal(new[] { 0, 1, 2, 3 }, r.Value.OrderBy(i => i)));
        }

        [Fact]
        public void With_heartbeats_off_no_heartbeat_reaches_the_air()
        {
            var (_, sent) = Observe(Line());
            Assert.NotEmpty(sent);
            Assert.DoesNotContain(sent, s => s.Header.Type == MessageType.Heartbeat);

            Scenario on = Runs.Parse(Line());
            on.Workload.HeartbeatIntervalSeconds = 30;
            var sim = new Simulation(on);
            int heartbeats = 0;
            sim.FrameTransmitted = (_, bytes, length, _) => heartbeats += Frames.Header(bytes, length).Type == MessageType.Heartbeat ? 1 : 0;
            sim.Run();
            Assert.True(heartbeats > 50, $"{heartbeats} heartbeats with a 30 s interval");
        }

        [Fact]
        public void Asymmetric_links_differ_by_direction_and_symmetric_ones_do_not()
        {
            static Dictionary<(int, int), float> Rssi(double asymmetry)
            {
                var s = Runs.Parse("""{ "topology": { "kind": "grid", "nodes": 16, "spacingMeters": 15 } }""");
                s.Radio.AsymmetrySigmaDb = asymmetry;
                var links = new Simulation(s).Links;
                var map = new Dictionary<(int, int), float>();
                for (int i = 0; i < links.NodeCount; i++)
                {
                    for (int l = links.RowStart[i]; l < links.RowStart[i + 1]; l++)
                    {
                        map[(i, links.Target[l])] = links.Rssi[l];
                    }
                }

                return map;
            }

            var symmetric = Rssi(0);
            Assert.All(symmetric, kv => Assert.Equal(kv.Value, symmetric[(kv.Key.Item2, kv.Key.Item1)]));
            var asymmetric = Rssi(3);
            int differing = asymmetric.Count(kv => asymmetric.TryGetValue((kv.Key.Item2, kv.Key.Item1), out float back) && Math.Abs(back - kv.Value) > 0.5);
            Assert.True(differing > asymmetric.Count / 2, $"{differing} of {asymmetric.Count} links differ by direction");
        }

        [Fact]
        public void Topology_nodes_takes_the_first_positions_of_a_file()
        {
            string dir = Paths.NewTempDirectory("file-nodes");
            try
            {
                File.WriteAllText(Path.Combine(dir, "p.csv"), "x,y\n0,0\n10,0\n20,0\n30,0\n40,0\n");
                Scenario all = ScenarioLoader.Parse("""{ "topology": { "kind": "file", "file": "p.csv" } }""");
                Assert.Equal(5, new Simulation(all, dir).Nodes.Count);

                Scenario three = ScenarioLoader.Parse("""{ "topology": { "kind": "file", "file": "p.csv", "nodes": 3 } }""");
                var sim = new Simulation(three, dir);
                Assert.Equal(new[] { 0.0, 10, 20 }, sim.Nodes.Select(n => n.X));

                Scenario tooMany = ScenarioLoader.Parse("""{ "topology": { "kind": "file", "file": "p.csv", "nodes": 6 } }""");
                Assert.Contains("topology.nodes: must be 2..5 (the positions in 'p.csv')", ScenarioValidator.Validate(tooMany, dir));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void The_contention_range_is_rescaled_onto_the_cores()
        {
            Assert.Equal(-95, ContentionRssi.Rescale(-120, -120, -60));
            Assert.Equal(-40, ContentionRssi.Rescale(-60, -120, -60));
            Assert.Equal(-68, ContentionRssi.Rescale(-90, -120, -60)); // the middle maps to the middle (-67.5, rounded)
            Assert.True(ContentionRssi.IsCoreRange(-95, -40));
        }

        [Fact]
        public void A_lora_scenario_runs_with_lora_airtimes()
        {
            var sim = new Simulation(Runs.Parse("""
            {
              "durationSeconds": 600,
              "topology": { "kind": "line", "nodes": 4, "spacingMeters": 1000 },
              "radio": { "preset": "lora", "txPowerDbm": 20, "sensitivityDbm": -126, "referenceLossDb": 40, "pathLossExponent": 3 },
              "workload": { "readingIntervalSeconds": 60, "heartbeatIntervalSeconds": 0 }
            }
            """));
            var airtimes = new List<long>();
            sim.FrameTransmitted = (_, _, length, _) => airtimes.Add(sim.Radio.AirtimeMicroseconds(length));
            RunResult r = sim.Run();
            Assert.True(r.Readings.Delivered > 0);
            Assert.All(airtimes, a => Assert.InRange(a, 300_000, 2_000_000)); // LongFast: hundreds of ms per frame
        }
    }
}
