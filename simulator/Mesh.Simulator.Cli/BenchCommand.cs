using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Mesh.Simulator.Bench;

namespace Mesh.Simulator.Cli
{
    internal static class BenchCommand
    {
        public static Command Create()
        {
            var hours = new Option<double>("--hours") { Description = "Simulated hours per case", DefaultValueFactory = _ => 1.0 };
            var nodes = new Option<string>("--nodes") { Description = "Comma-separated node counts", DefaultValueFactory = _ => "1000,10000" };
            var policies = new Option<string>("--policies") { Description = "Comma-separated policies", DefaultValueFactory = _ => "flooding,gossip" };
            var output = new Option<FileInfo?>("--out") { Description = "Also write the table (Markdown) to this file" };
            var shards = new Option<string>("--shards")
            {
                Description = "Comma-separated shard counts: each case runs once per count (a sharded case takes that many cores; cases run in parallel while cores remain)",
                DefaultValueFactory = _ => "1",
            };
            var command = new Command("bench", "The simulator benchmark: frame receptions per second, wall time and memory per case (cases run in parallel)")
            {
                hours, nodes, policies, output, shards,
            };
            command.SetAction(parse =>
            {
                var cases = new List<BenchCase>();
                foreach (string n in parse.GetValue(nodes)!.Split(','))
                {
                    foreach (string p in parse.GetValue(policies)!.Split(','))
                    {
                        foreach (string k in parse.GetValue(shards)!.Split(','))
                        {
                            cases.Add(new BenchCase(int.Parse(n.Trim(), CultureInfo.InvariantCulture), p.Trim(), parse.GetValue(hours))
                            {
                                Shards = int.Parse(k.Trim(), CultureInfo.InvariantCulture),
                            });
                        }
                    }
                }

                var progress = new Dictionary<BenchCase, double>();
                double lastPrinted = 0;
                BenchmarkSuite.Run(cases, Environment.ProcessorCount, (c, v) =>
                {
                    lock (progress)
                    {
                        progress[c] = v;
                        double overall = progress.Values.Sum() / cases.Count;
                        if (overall - lastPrinted >= 0.05)
                        {
                            lastPrinted = overall;
                            System.Console.Error.WriteLine($"bench: {overall:P0}");
                        }
                    }
                });
                string table = BenchmarkSuite.Table(cases);
                System.Console.WriteLine($"{Environment.ProcessorCount} cores, .NET {Environment.Version}");
                System.Console.WriteLine(table);
                FileInfo? file = parse.GetValue(output);
                if (file != null)
                {
                    File.WriteAllText(file.FullName, table);
                }

                return 0;
            });
            return command;
        }
    }
}
