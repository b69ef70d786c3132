using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading.Tasks;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>A run is a pure function of its scenario and seed (Simulation's contract).</summary>
    public class DeterminismTests
    {
        // Small but busy: a lossy log-distance radio with shadowing and fading, collisions, CSMA,
        // managed flooding, readings, broadcasts, commands, churn, a replayer, bursty loss, asymmetric links,
        // a jammer on the air and drifting clocks — every random stream.
        private const string Busy = """
        {
          "name": "determinism-16",
          "seed": 101,
          "durationSeconds": 600,
          "warmupSeconds": 30,
          "topology": { "kind": "random", "nodes": 16, "widthMeters": 60, "heightMeters": 60 },
          "radio": { "pathLossExponent": 3.2, "shadowingSigmaDb": 4, "fadingSigmaDb": 2, "extraLossRate": 0.05, "asymmetrySigmaDb": 1,
                     "burstLoss": { "goodToBad": 0.02, "badToGood": 0.3, "lossInBad": 0.8 } },
          "policy": { "kind": "managed", "cancelThreshold": 2 },
          "workload": { "readingIntervalSeconds": 20, "broadcastIntervalSeconds": 60, "commandIntervalSeconds": 45, "heartbeatIntervalSeconds": 60 },
          "faults": { "churnRatePerHour": 2, "churnDowntimeSeconds": 30 },
          "adversaries": [ { "kind": "replayer", "count": 1, "delaySeconds": 5 },
                           { "kind": "jammer", "x": 30, "y": 30, "radiusMeters": 15, "lossRate": 0.2, "dutyCycle": 0.1, "periodMilliseconds": 50 } ]
        }
        """;

        private static string[] RunAndWrite(ulong seed)
        {
            Scenario scenario = Runs.Parse(Busy);
            scenario.Seed = seed;
            var sim = new Simulation(scenario);
            RunResult result = sim.Run().WithoutHostMeasurements();
            var files = Runs.ResultFiles(scenario, sim, result);
            Assert.Equal(new[] { "result.json", "nodes.csv", "topology.svg", "latency-cdf.svg" }, files.Select(f => f.Name));
            return files.Select(f => f.Text).ToArray();
        }

        [Fact]
        public void Same_scenario_and_seed_give_byte_identical_result_files()
        {
            string[] first = RunAndWrite(101);
            string[] second = RunAndWrite(101);

            // The run did something worth comparing.
            RunResult r = JsonSerializer.Deserialize<RunResult>(first[0], ScenarioLoader.Options)!;
            Assert.True(r.Transmissions > 500 && r.CollidedArrivals > 0 && r.Readings.Delivered > 0 && r.Commands.Sent > 0,
                $"a busy run: {r.Transmissions} transmissions, {r.CollidedArrivals} collisions");

            for (int i = 0; i < first.Length; i++)
            {
                Assert.Equal(first[i], second[i]);
            }
        }

        [Fact]
        public void A_different_seed_gives_a_different_result()
        {
            string[] a = RunAndWrite(101);
            string[] b = RunAndWrite(102);
            Assert.NotEqual(a[0], b[0]);

            RunResult ra = JsonSerializer.Deserialize<RunResult>(a[0], ScenarioLoader.Options)!;
            RunResult rb = JsonSerializer.Deserialize<RunResult>(b[0], ScenarioLoader.Options)!;
            Assert.NotEqual((ra.Events, ra.Transmissions, ra.CollidedArrivals), (rb.Events, rb.Transmissions, rb.CollidedArrivals));
        }

        [Fact]
        public void Result_json_of_two_identical_runs_differs_at_most_in_host_measurements()
        {
            // What ResultWriter writes unmodified: wall time, the rates per wall second and the peak
            // working set describe the machine, so result.json is byte-identical only once they are
            // taken out; every other field must match exactly.
            JsonObject Raw()
            {
                RunResult r = new Simulation(Runs.Parse(Busy)).Run();
                var json = JsonNode.Parse(JsonSerializer.Serialize(r, ScenarioLoader.Options))!.AsObject();
                foreach (string host in new[] { "wallSeconds", "frameArrivalsPerSecond", "receptionsPerSecond", "peakWorkingSetBytes" })
                {
                    Assert.True(json.Remove(host), host);
                }

                return json;
            }

            Assert.Equal(Raw().ToJsonString(), Raw().ToJsonString());
        }

        [Fact]
        public void Runs_on_parallel_threads_match_a_sequential_run()
        {
            // Sweeps run simulations concurrently in one process; nothing may leak between them.
            string Serialize(RunResult r) => JsonSerializer.Serialize(r.WithoutHostMeasurements(), ScenarioLoader.Options);
            string sequential = Serialize(new Simulation(Runs.Parse(Busy)).Run());
            string[] parallel = new string[4];
            Parallel.For(0, parallel.Length, i => parallel[i] = Serialize(new Simulation(Runs.Parse(Busy)).Run()));
            Assert.All(parallel, p => Assert.Equal(sequential, p));
        }
    }
}
