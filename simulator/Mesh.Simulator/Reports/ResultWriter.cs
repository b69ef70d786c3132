using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Text.Json;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Reports
{
    /// <summary>Writes one run's outputs: result.json, nodes.csv, topology.svg and latency-cdf.svg.</summary>
    public static class ResultWriter
    {
        public static IReadOnlyList<string> Write(string directory, Scenario scenario, Simulation sim, RunResult result)
        {
            Directory.CreateDirectory(directory);
            var written = new List<string>();
            string json = Path.Combine(directory, "result.json");
            File.WriteAllText(json, JsonSerializer.Serialize(result, ScenarioLoader.Options));
            written.Add(json);

            string csv = Path.Combine(directory, "nodes.csv");
            File.WriteAllText(csv, NodesCsv(sim, result.SimulatedSeconds));
            written.Add(csv);

            string topology = Path.Combine(directory, "topology.svg");
            File.WriteAllText(topology, TopologySvg.Draw(sim, $"{scenario.Name} — topology and relaying ({scenario.Policy.Kind})"));
            written.Add(topology);

            string cdf = Path.Combine(directory, "latency-cdf.svg");
            File.WriteAllText(cdf, LatencyCdf(scenario.Name, sim.Metrics.ReadingLatenciesMs));
            written.Add(cdf);
            return written;
        }

        public static string NodesCsv(Simulation sim, double seconds)
        {
            var sb = new StringBuilder("index,id,x,y,role,behaviour,sink,alive,transmissions,relays,airtime_us,duty_cycle_percent,busiest_10s_duty_cycle_percent,receptions,neighbours,beacons,parent_changes,link_failures,retransmissions\n");
            foreach (SimNode n in sim.Nodes)
            {
                int neighbours = sim.Links.RowStart[n.Index + 1] - sim.Links.RowStart[n.Index];
                // Structured routing's own counters (0 under the other policies): where a gradient churns.
                Mesh.Protocol.Routing.StructuredRouting? r = n.Core?.Routing;
                sb.Append(CultureInfo.InvariantCulture,
                    $"{n.Index},{n.Id},{n.X:0.##},{n.Y:0.##},{n.Role.ToString().ToLowerInvariant()},{n.Behaviour.ToString().ToLowerInvariant()},{(n.IsSink ? 1 : 0)},{(n.Alive ? 1 : 0)},{n.Transmissions},{TopologySvg.Relays(n)},{n.AirtimeUs},{100.0 * n.AirtimeUs / Math.Max(1, seconds * 1e6):0.####},{sim.Metrics.Busiest10sPercent(n.Index, (long)(seconds * 1e6)):0.####},{n.Receptions},{neighbours},{r?.BeaconsSent ?? 0},{r?.ParentChanges ?? 0},{r?.LinkFailures ?? 0},{r?.Retransmissions ?? 0}\n");
            }

            return sb.ToString();
        }

        public static string LatencyCdf(string name, List<double> latenciesMs)
        {
            var sorted = new List<double>(latenciesMs);
            sorted.Sort();
            var points = new List<(double, double)>();
            int step = Math.Max(1, sorted.Count / 400);
            for (int i = 0; i < sorted.Count; i += step)
            {
                points.Add((sorted[i], (i + 1.0) / sorted.Count));
            }

            if (sorted.Count > 0)
            {
                points.Add((sorted[^1], 1.0));
            }

            return ChartSvg.Draw($"{name} — reading latency to a gateway (CDF, {sorted.Count} readings)", "latency (ms)",
                "fraction of readings delivered", new[] { new Series("readings", points) }, 0, 1, step: true);
        }
    }
}
