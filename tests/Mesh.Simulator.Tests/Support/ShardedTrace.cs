using System;
using System.IO;

namespace Mesh.Simulator.Tests.Support
{
    /// <summary>What every `mesh-sim run` trace option (`--lost-readings`, `--missed-broadcasts`) promises about sharded runs.</summary>
    internal static class ShardedTrace
    {
        /// <summary>
        /// A trace follows one event loop: with `--shards 2` the run is refused (exit 1, the option named in the
        /// error), and neither the trace nor the results are written.
        /// </summary>
        public static void AssertRefused(string option, string file, string output, string trace)
        {
            var (exit, _, stderr) = CliValidateTests.MeshSim("run", file, "--out", output, "--shards", "2", option, trace);
            Assert.Equal(1, exit);
            Assert.Contains(option + ": traces one event loop only", stderr, StringComparison.Ordinal);
            Assert.False(File.Exists(trace));
            Assert.False(Directory.Exists(output));
        }
    }
}
