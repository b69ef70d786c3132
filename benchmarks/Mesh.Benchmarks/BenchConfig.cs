using BenchmarkDotNet.Configs;
using BenchmarkDotNet.Diagnosers;
using BenchmarkDotNet.Jobs;
using BenchmarkDotNet.Toolchains.InProcess.Emit;
using Perfolizer.Horology;

namespace Mesh.Benchmarks
{
    /// <summary>
    /// One short job sized for a small shared machine (2 cores): benchmarks run inside this process
    /// (no generated project to build per run, nothing built next to the sources), one launch, 3
    /// warm-up and 10 measured iterations of about a quarter of a second, so the whole suite takes a
    /// few minutes. Allocation per operation comes from the memory diagnoser; results are also written
    /// as a GitHub markdown table under BenchmarkDotNet.Artifacts/results.
    /// </summary>
    public sealed class BenchConfig : ManualConfig
    {
        public BenchConfig()
        {
            Add(DefaultConfig.Instance);
            AddJob(Job.Default
                .WithToolchain(InProcessEmitToolchain.Instance)
                .WithLaunchCount(1)
                .WithWarmupCount(3)
                .WithIterationCount(10)
                .WithIterationTime(TimeInterval.FromMilliseconds(250))
                .WithId("Short"));
            AddDiagnoser(MemoryDiagnoser.Default);
            WithOptions(ConfigOptions.JoinSummary);
        }
    }
}
