using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>Redirects the process's console, so nothing else may run alongside.</summary>
    [CollectionDefinition(nameof(ConsoleCollection), DisableParallelization = true)]
    public sealed class ConsoleCollection
    {
    }

    /// <summary>`mesh-sim validate`, run in process through the CLI's real entry point.</summary>
    [Collection(nameof(ConsoleCollection))]
    public class CliValidateTests
    {
        internal static (int Exit, string Out, string Error) MeshSim(params string[] args)
        {
            TextWriter oldOut = Console.Out, oldError = Console.Error;
            var stdout = new StringWriter();
            var stderr = new StringWriter();
            Console.SetOut(stdout);
            Console.SetError(stderr);
            try
            {
                int exit = Mesh.Simulator.Cli.Program.Main(args);
                return (exit, stdout.ToString(), stderr.ToString());
            }
            finally
            {
                Console.SetOut(oldOut);
                Console.SetError(oldError);
            }
        }

        public static IEnumerable<object[]> ShippedScenarios() =>
            Directory.GetFiles(Paths.ScenarioDirectory, "*.json").Order(StringComparer.Ordinal).Select(f => new object[] { Path.GetFileName(f) });

        [Theory]
        [MemberData(nameof(ShippedScenarios))]
        public void Validate_exits_zero_for_a_shipped_scenario(string fileName)
        {
            var (exit, stdout, stderr) = MeshSim("validate", Paths.Scenario(fileName));
            Assert.True(exit == 0, stderr);
            Assert.Contains($"{fileName}: OK", stdout, StringComparison.Ordinal);
        }

        [Fact]
        public void Validate_exits_non_zero_for_a_bad_scenario_and_names_every_problem()
        {
            string dir = Paths.NewTempDirectory("cli-validate");
            try
            {
                string file = Path.Combine(dir, "bad.json");
                File.WriteAllText(file, """{ "network": { "hopLimit": 40 }, "policy": { "kind": "chatty" } }""");
                var (exit, stdout, stderr) = MeshSim("validate", file);
                Assert.NotEqual(0, exit);
                Assert.DoesNotContain("OK", stdout, StringComparison.Ordinal);
                Assert.Contains("bad.json: invalid scenario", stderr, StringComparison.Ordinal);
                Assert.Contains("network.hopLimit: must be 0..32", stderr, StringComparison.Ordinal);
                Assert.Contains("policy.kind: 'chatty' is not one of flooding, gossip, managed", stderr, StringComparison.Ordinal);

                File.WriteAllText(file, """{ "radio": { "colisions": false } }""");
                (exit, _, stderr) = MeshSim("validate", file);
                Assert.NotEqual(0, exit);
                Assert.Contains("radio.colisions", stderr, StringComparison.Ordinal);
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        [Fact]
        public void Validate_exits_non_zero_for_a_missing_file()
        {
            string missing = Path.Combine(Path.GetTempPath(), "mesh-sim-tests", "no-such-" + Guid.NewGuid().ToString("N") + ".json");
            var (exit, _, stderr) = MeshSim("validate", missing);
            Assert.NotEqual(0, exit);
            Assert.Contains("does not exist", stderr, StringComparison.Ordinal);
        }
    }
}
