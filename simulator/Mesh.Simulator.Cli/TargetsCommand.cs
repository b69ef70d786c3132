using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Mesh.Simulator.Sweeps;

namespace Mesh.Simulator.Cli
{
    /// <summary>`mesh-sim targets`: issue 13's target grid, structured routing beside managed flooding (TargetGrid).</summary>
    internal static class TargetsCommand
    {
        public static Command Create()
        {
            var sizes = new Option<string>("--sizes") { Description = "Comma-separated node counts", DefaultValueFactory = _ => string.Join(",", TargetGrid.DefaultSizes) };
            var losses = new Option<string>("--losses") { Description = "Comma-separated extra link loss rates", DefaultValueFactory = _ => string.Join(",", TargetGrid.DefaultLosses.Select(l => l.ToString(CultureInfo.InvariantCulture))) };
            var layouts = new Option<string>("--layouts") { Description = "Comma-separated gateway layouts: one (the node nearest the centre), grid400 (a gateway every 400 m)", DefaultValueFactory = _ => string.Join(",", TargetGrid.Layouts) };
            var policies = new Option<string>("--policies") { Description = "Comma-separated policies", DefaultValueFactory = _ => string.Join(",", TargetGrid.DefaultPolicies) };
            var seeds = new Option<int>("--seeds") { Description = "Seeds per cell (1, 2, …)", DefaultValueFactory = _ => 1 };
            var minutes = new Option<double>("--minutes") { Description = "Simulated minutes per run (the first quarter, at most 5, is warm-up)", DefaultValueFactory = _ => 20 };
            var managedMax = new Option<int>("--managed-max-nodes") { Description = "Policies other than structured run only up to this many nodes (a 3,000-node flood per reading takes hours)", DefaultValueFactory = _ => 1000 };
            var output = new Option<DirectoryInfo?>("--out") { Description = "Output folder (default results/targets)" };
            var command = new Command("targets", "Issue 13's targets on random meshes: sizes × link loss × gateway layout, structured routing beside managed flooding")
            {
                sizes, losses, layouts, policies, seeds, minutes, managedMax, output,
            };
            command.SetAction(parse =>
            {
                System.Collections.Generic.IReadOnlyList<TargetCell> cells;
                try
                {
                    double[] counts = CliConsole.Numbers(parse.GetValue(sizes)!, "--sizes");
                    if (counts.Any(v => v != Math.Floor(v) || v > int.MaxValue))
                    {
                        throw new ArgumentException($"--sizes: node counts are whole numbers, got '{parse.GetValue(sizes)}'");
                    }

                    cells = TargetGrid.Cells(
                        counts.Select(v => (int)v).ToArray(),
                        CliConsole.Numbers(parse.GetValue(losses)!, "--losses"),
                        CliConsole.Items(parse.GetValue(layouts)!),
                        CliConsole.Items(parse.GetValue(policies)!));
                }
                catch (ArgumentException ex)
                {
                    System.Console.Error.WriteLine("mesh-sim: " + ex.Message);
                    return 1;
                }

                int n = parse.GetValue(seeds);
                double m = parse.GetValue(minutes);
                if (n < 1 || !(m >= 1))
                {
                    System.Console.Error.WriteLine("mesh-sim: --seeds must be at least 1 and --minutes at least 1");
                    return 1;
                }

                TargetGrid.Run(cells, n, m, parse.GetValue(managedMax), Environment.ProcessorCount,
                    (done, total, what) => System.Console.Error.WriteLine($"targets: {done}/{total} {what}"));
                string dir = parse.GetValue(output)?.FullName ?? Path.Combine("results", "targets");
                var files = TargetGridReport.Write(dir, cells, n, m);
                System.Console.WriteLine(TargetGridReport.Markdown(cells, n, m));
                System.Console.WriteLine($"wrote {string.Join(", ", files)}");
                return 0;
            });
            return command;
        }
    }
}
