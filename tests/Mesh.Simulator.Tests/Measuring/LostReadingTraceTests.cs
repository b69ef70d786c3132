using System;
using System.IO;
using System.Linq;
using System.Text.Json;
using System.Text.RegularExpressions;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Measuring
{
    /// <summary>`mesh-sim run --lost-readings FILE`: one line per lost reading, with the trail of its copies on air.</summary>
    [Collection(nameof(ConsoleCollection))]
    public class LostReadingTraceTests
    {
        // 40 nodes in a 400 m strip, half of every frame lost on top of the radio model, structured routing:
        // a few minutes lose readings every way (floods at start-up, loops, last hops to the gateway).
        private const string Lossy = """
        {
          "name": "lossy", "seed": 5, "durationSeconds": 300,
          "topology": { "kind": "random", "nodes": 40, "widthMeters": 400, "heightMeters": 100 },
          "radio": { "extraLossRate": 0.5 },
          "policy": { "kind": "structured", "cancelThreshold": 2 },
          "roles": { "sinks": [ 0 ] },
          "workload": { "readingIntervalSeconds": 20, "heartbeatIntervalSeconds": 60 }
        }
        """;

        [Fact]
        public void Every_reading_the_delivery_ratio_counts_as_lost_gets_a_line_with_its_copies_on_air()
        {
            InTempDirectory((file, output, lost) =>
            {
                var (exit, stdout, stderr) = CliValidateTests.MeshSim("run", file, "--out", output, "--lost-readings", lost);
                Assert.True(exit == 0, stderr);

                RunResult r = JsonSerializer.Deserialize<RunResult>(File.ReadAllText(Path.Combine(output, "result.json")), ScenarioLoader.Options)!;
                long missing = r.Readings.Sent - r.Readings.Delivered;
                Assert.True(missing > 0, "the lossy strip loses readings");
                string[] lines = File.ReadAllLines(lost).Where(l => !l.StartsWith('#')).ToArray();
                Assert.Equal(missing, lines.Length);
                Assert.Contains($"lost readings: {missing:N0} written to", stdout, StringComparison.Ordinal);

                var line = new Regex(@"^(\d+):(\d+) sent \d+\.\d{3} s, (NeverSent|ToGateway|RoundALoop|Flooded|ToRelay):( \+\d+ \d+->(F|\d+) h\d+)*$");
                Assert.All(lines, l => Assert.Matches(line, l));
                Assert.Equal(lines.Length, lines.Select(l => l.Split(' ')[0]).Distinct().Count());

                // A trail starts with the origin's own copy (hops taken 0), and a flooded ending has a flooded copy.
                Assert.All(lines.Where(l => !l.Contains("NeverSent", StringComparison.Ordinal)), l =>
                    Assert.Matches(@"^(\d+):\d+ sent [\d.]+ s, \w+: \+\d+ \1->(F|\d+) h0", l));
                Assert.All(lines.Where(l => l.Contains("Flooded:", StringComparison.Ordinal)), l => Assert.Contains("->F ", l + " ", StringComparison.Ordinal));
            });
        }

        [Fact]
        public void A_sharded_run_refuses_the_trace_and_writes_nothing()
        {
            InTempDirectory((file, output, lost) => ShardedTrace.AssertRefused("--lost-readings", file, output, lost));
        }

        private static void InTempDirectory(Action<string, string, string> test) =>
            Paths.WithScenarioInTempDirectory("lost-readings", Lossy, "lost.txt", test);
    }
}
