using System;
using System.IO;
using System.Linq;
using System.Reflection;

namespace Mesh.Simulator.Tests.Support
{
    /// <summary>The shipped scenarios (simulator/scenarios), located at build time.</summary>
    public static class Paths
    {
        public static string ScenarioDirectory { get; } = typeof(Paths).Assembly
            .GetCustomAttributes<AssemblyMetadataAttribute>()
            .Single(a => a.Key == "ScenarioDirectory").Value!;

        public static string Scenario(string fileName) => Path.Combine(ScenarioDirectory, fileName);

        /// <summary>A fresh empty folder under the system temp directory.</summary>
        public static string NewTempDirectory(string label)
        {
            string dir = Path.Combine(Path.GetTempPath(), "mesh-sim-tests", label + "-" + Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(dir);
            return dir;
        }

        /// <summary>
        /// Runs <paramref name="test"/> with <paramref name="scenarioJson"/> written to a fresh folder, given the scenario's
        /// path, an output folder and a trace file's path in it (<paramref name="traceName"/>); the folder is removed after.
        /// </summary>
        public static void WithScenarioInTempDirectory(string label, string scenarioJson, string traceName, Action<string, string, string> test)
        {
            string dir = NewTempDirectory(label);
            try
            {
                string file = Path.Combine(dir, "scenario.json");
                File.WriteAllText(file, scenarioJson);
                test(file, Path.Combine(dir, "out"), Path.Combine(dir, traceName));
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }
    }
}
