using System;
using System.CommandLine;
using System.IO;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Sweeps;

namespace Mesh.Simulator.Cli
{
    internal static class SweepCommand
    {
        public static Command Create()
        {
            var scenarioArg = new Argument<FileInfo>("scenario") { Description = "Scenario JSON file" };
            var param = new Option<string>("--param") { Description = "Any numeric scenario field by its JSON path, e.g. " + string.Join(", ", Sweep.Parameters), Required = true };
            var values = new Option<string>("--values") { Description = "Comma-separated values, e.g. 0.2,0.4,0.6,0.8,1", Required = true };
            var seeds = new Option<int>("--seeds") { Description = "Runs (seeds) per value", DefaultValueFactory = _ => 3 };
            var output = new Option<DirectoryInfo?>("--out") { Description = "Output folder (default results/<scenario>-sweep-<param>)" };
            var command = new Command("sweep", "Vary one parameter; write sweep.csv, sweep.json and delivery/cost curves (runs in parallel)")
            {
                scenarioArg, param, values, seeds, output,
            };
            command.SetAction(parse =>
            {
                FileInfo file = parse.GetValue(scenarioArg)!;
                Scenario? scenario = CliConsole.Load(file);
                if (scenario == null)
                {
                    return 1;
                }

                string p = parse.GetValue(param)!;
                double[] list;
                try
                {
                    list = CliConsole.Numbers(parse.GetValue(values)!, "--values");
                }
                catch (ArgumentException ex)
                {
                    System.Console.Error.WriteLine("mesh-sim: " + ex.Message);
                    return 1;
                }

                int n = Math.Max(1, parse.GetValue(seeds));
                try
                {
                    var points = CliConsole.WithProgress($"sweep {p} ({list.Length} values × {n} seeds)", progress =>
                        Sweep.Run(scenario, CliConsole.BaseDirectory(file), p, list, n, (done, total) => progress?.Report((double)done / total)));
                    string dir = parse.GetValue(output)?.FullName ?? Path.Combine("results", $"{scenario.Name}-sweep-{p}");
                    var files = Sweep.Write(dir, scenario.Name, p, points);
                    System.Console.WriteLine(Sweep.Markdown(p, points));
                    System.Console.WriteLine($"wrote {string.Join(", ", files)}");
                    return 0;
                }
                catch (ArgumentException ex)
                {
                    System.Console.Error.WriteLine("mesh-sim: " + ex.Message);
                    return 1;
                }
            });
            return command;
        }
    }
}
