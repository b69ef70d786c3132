using System;
using System.IO;
using System.Text.Json;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Sharding
{
    /// <summary>`mesh-sim run --shards` and `mesh-sim bench --shards`, through the CLI's real entry point.</summary>
    [Collection(nameof(ConsoleCollection))]
    public class CliShardsTests
    {
        [Fact]
        public void Run_refuses_a_scenario_a_sharded_run_cannot_carry_naming_the_field_and_writes_nothing()
        {
            string dir = Paths.NewTempDirectory("cli-shards");
            try
            {
                string output = Path.Combine(dir, "out");
                var (exit, _, stderr) = CliValidateTests.MeshSim("run", Paths.Scenario("farm-200.json"), "--shards", "2", "--out", output);
                Assert.Equal(1, exit);
                Assert.Contains("--shards 2: workload.broadcastIntervalSeconds:", stderr, StringComparison.Ordinal);
                Assert.False(Directory.Exists(output));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void Run_in_two_shards_writes_the_result_files_and_says_how_many_shards_ran_it()
        {
            string dir = Paths.NewTempDirectory("cli-shards");
            try
            {
                string file = Path.Combine(dir, "small.json");
                File.WriteAllText(file, """
                {
                  "name": "small", "seed": 5, "durationSeconds": 120,
                  "topology": { "kind": "random", "nodes": 60, "widthMeters": 240, "heightMeters": 120 },
                  "roles": { "sinks": [ 0 ] },
                  "workload": { "readingIntervalSeconds": 20, "heartbeatIntervalSeconds": 60 }
                }
                """);
                string output = Path.Combine(dir, "out");
                var (exit, stdout, stderr) = CliValidateTests.MeshSim("run", file, "--shards", "2", "--out", output);
                Assert.True(exit == 0, stderr);
                Assert.Contains("readings delivered", stdout, StringComparison.Ordinal);
                RunResult r = JsonSerializer.Deserialize<RunResult>(File.ReadAllText(Path.Combine(output, "result.json")), ScenarioLoader.Options)!;
                Assert.Equal(2, r.Shards);
                Assert.True(r.Readings.Delivered > 0, "readings delivered");
                Assert.True(File.Exists(Path.Combine(output, "nodes.csv")) && File.Exists(Path.Combine(output, "topology.svg")));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void Bench_runs_each_case_once_per_shard_count_and_names_the_count_in_its_table()
        {
            var (exit, stdout, stderr) = CliValidateTests.MeshSim("bench", "--hours", "0.002", "--nodes", "200", "--policies", "flooding", "--shards", "1,2");
            Assert.True(exit == 0, stderr);
            Assert.Contains("| nodes | policy | shards |", stdout, StringComparison.Ordinal);
            Assert.Contains("| 200 | flooding | 1 |", stdout, StringComparison.Ordinal);
            Assert.Contains("| 200 | flooding | 2 |", stdout, StringComparison.Ordinal);
        }
    }
}
