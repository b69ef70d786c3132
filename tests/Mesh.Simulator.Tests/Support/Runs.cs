using System.IO;
using System.Linq;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Reports;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Tests.Support
{
    public static class Runs
    {
        /// <summary>Parses scenario JSON exactly as the CLI does, and fails on any validation problem.</summary>
        public static Scenario Parse(string json)
        {
            Scenario s = ScenarioLoader.Parse(json);
            var problems = ScenarioValidator.Validate(s, null);
            Assert.True(problems.Count == 0, "test scenario is invalid: " + string.Join("; ", problems));
            return s;
        }

        public static RunResult Run(string json) => new Simulation(Parse(json)).Run();

        /// <summary>The result files `mesh-sim run` would write for this run, by file name, written to a temporary folder and read back.</summary>
        public static (string Name, string Text)[] ResultFiles(Scenario scenario, Simulation sim, RunResult result)
        {
            string dir = Paths.NewTempDirectory("result-files");
            try
            {
                return ResultWriter.Write(dir, scenario, sim, result).Select(f => (Path.GetFileName(f), File.ReadAllText(f))).ToArray();
            }
            finally
            {
                Directory.Delete(dir, true);
            }
        }

        /// <summary>
        /// Zeroes what a result records about the host rather than the simulation: wall time, the rates
        /// derived from it, and the process's peak working set. Everything else is a function of the
        /// scenario and seed.
        /// </summary>
        public static RunResult WithoutHostMeasurements(this RunResult r)
        {
            r.WallSeconds = 0;
            r.FrameArrivalsPerSecond = 0;
            r.ReceptionsPerSecond = 0;
            r.PeakWorkingSetBytes = 0;
            return r;
        }
    }
}
