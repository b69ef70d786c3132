using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Text;
using System.Threading.Tasks;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Bench
{
    /// <summary>One benchmark configuration and what it measured.</summary>
    public sealed record BenchCase(int Nodes, string Policy, double Hours)
    {
        public RunResult? Result { get; set; }

        /// <summary>Spatial shards (threads) the case runs in.</summary>
        public int Shards { get; init; } = 1;
        public long AllocatedBytes { get; set; }
    }

    /// <summary>
    /// The simulator's documented benchmark (`mesh-sim bench`): N nodes at a fixed density (1,000 per
    /// km², the city example) with a gateway every 400 m, one reading per minute per node, heartbeats
    /// every 5 minutes, for a simulated hour, with flooding and with gossip. Independent cases run in parallel, one per core.
    /// </summary>
    public static class BenchmarkSuite
    {
        public const double NodesPerSquareKm = 1000;

        public static Scenario ScenarioFor(BenchCase c)
        {
            double side = Math.Sqrt(c.Nodes / NodesPerSquareKm) * 1000;
            return new Scenario
            {
                Name = $"bench-{c.Nodes}-{c.Policy}",
                Seed = 42,
                DurationSeconds = c.Hours * 3600,
                Topology = new TopologySettings { Kind = "random", Nodes = c.Nodes, WidthMeters = side, HeightMeters = side },
                // A gateway every 400 m, as a city deployment would have: every node is within the hop limit of one.
                Roles = new RoleSettings { SinkGridMeters = 400 },
                Policy = new PolicyConfig { Kind = c.Policy, P = 0.65, K = 2 },
                Workload = new WorkloadSettings { ReadingIntervalSeconds = 60, HeartbeatIntervalSeconds = 300 },
            };
        }

        public static IReadOnlyList<BenchCase> DefaultCases(double hours) => new[]
        {
            new BenchCase(1_000, "flooding", hours),
            new BenchCase(1_000, "gossip", hours),
            new BenchCase(10_000, "flooding", hours),
            new BenchCase(10_000, "gossip", hours),
        };

        /// <param name="parallelism">Cores: unsharded cases run this many at a time; a sharded case runs alone with one thread per shard.</param>
        public static void Run(IReadOnlyList<BenchCase> cases, int parallelism, Action<BenchCase, double>? progress = null)
        {
            var single = cases.Where(c => c.Shards <= 1).ToList();
            Parallel.ForEach(single, new ParallelOptions { MaxDegreeOfParallelism = Math.Max(1, parallelism) }, c =>
            {
                long before = GC.GetAllocatedBytesForCurrentThread();
                var sim = new Simulation(ScenarioFor(c));
                // Building leaves garbage in the oldest generation (the link table's growing lists, the
                // gateway-table search, the topology), which no collection during a bench run reaches: the
                // run only ever triggers young ones. One compacting collection here gives it back before
                // the run instead of carrying it to the peak (10,000 nodes × 0.02 h: 341 → 324 MB peak
                // working set, ~0.5 s of CPU outside the measured wall time).
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true);
                c.Result = sim.Run(progress == null ? null : new Progress(c, progress));
                c.AllocatedBytes = GC.GetAllocatedBytesForCurrentThread() - before;
            });

            foreach (BenchCase c in cases.Where(c => c.Shards > 1))
            {
                // Every thread's allocations: the shards allocate on their own threads.
                long before = GC.GetTotalAllocatedBytes(precise: true);
                var sim = new ShardedSimulation(ScenarioFor(c), c.Shards);
                GC.Collect(2, GCCollectionMode.Aggressive, blocking: true, compacting: true); // as above
                c.Result = sim.Run(progress == null ? null : new Progress(c, progress));
                c.AllocatedBytes = GC.GetTotalAllocatedBytes(precise: true) - before;
            }
        }

        public static string Table(IReadOnlyList<BenchCase> cases)
        {
            var sb = new StringBuilder();
            // Transmissions and all transmissions per delivered reading: what a policy costs the channel (issue 13
            // asks how far the 10,000-node hour's transmissions fall under structured routing).
            sb.AppendLine("| nodes | policy | shards | simulated | wall s | frame arrivals/s | receptions/s | receptions | transmissions | all tx per delivered reading | reading delivery | allocated MB | peak working set MB |");
            sb.AppendLine("|---:|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
            foreach (BenchCase c in cases)
            {
                RunResult r = c.Result!;
                sb.AppendLine(string.Format(CultureInfo.InvariantCulture,
                    "| {0:N0} | {1} | {10} | {2} h | {3:F1} | {4:N0} | {5:N0} | {6:N0} | {11:N0} | {12:F1} | {7:P1} | {8:N0} | {9:N0} |",
                    c.Nodes, c.Policy, c.Hours, r.WallSeconds, r.FrameArrivalsPerSecond, r.ReceptionsPerSecond, r.Receptions,
                    r.Readings.DeliveryRatio, c.AllocatedBytes / 1e6, r.PeakWorkingSetBytes / 1e6, c.Shards,
                    r.Transmissions, TransmissionsPerDeliveredReading(r)));
            }

            return sb.ToString();
        }

        /// <summary>Every transmission of the run (heartbeats, beacons, acknowledgements, relays) per reading delivered.</summary>
        public static double TransmissionsPerDeliveredReading(RunResult r) =>
            r.Readings.Delivered == 0 ? double.NaN : (double)r.Transmissions / r.Readings.Delivered;

        private sealed class Progress : IProgress<double>
        {
            private readonly BenchCase _case;
            private readonly Action<BenchCase, double> _report;

            public Progress(BenchCase c, Action<BenchCase, double> report)
            {
                _case = c;
                _report = report;
            }

            public void Report(double value) => _report(_case, value);
        }
    }
}
