using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Reports;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Sweeps
{
    /// <summary>One point of a sweep: a parameter value, averaged over seeds.</summary>
    public sealed record SweepPoint(
        double Value,
        int Runs,
        double ReadingDelivery,
        double BroadcastDelivery,
        double TransmissionsPerDelivered,
        double LatencyP50Ms,
        double LatencyP99Ms,
        double Collisions,
        double BroadcastTransmissionsPerCds);

    /// <summary>
    /// Varies one scenario parameter over a list of values (several seeds each) and runs the
    /// independent simulations in parallel, one per core.
    /// </summary>
    public static class Sweep
    {
        /// <summary>Examples for help texts; any numeric field of the scenario can be swept (<see cref="ScenarioPath"/>).</summary>
        public static readonly string[] Parameters =
        {
            "policy.p", "policy.k", "policy.cancelThreshold", "topology.nodes", "topology.spacingMeters",
            "topology.widthMeters", "radio.extraLossRate", "radio.bitrateBps", "network.hopLimit",
            "workload.readingIntervalSeconds", "workload.broadcastIntervalSeconds", "adversaries[0].dutyCycle",
        };

        public static IReadOnlyList<SweepPoint> Run(Scenario baseScenario, string baseDirectory, string parameter, IReadOnlyList<double> values,
            int seeds, Action<int, int>? progress = null)
        {
            try
            {
                ScenarioPath.Check(baseScenario, parameter);
            }
            catch (ArgumentException ex)
            {
                throw new ArgumentException("--param " + ex.Message, ex);
            }

            string json = JsonSerializer.Serialize(baseScenario, ScenarioLoader.Options);
            var jobs = new List<(int Point, double Value, ulong Seed)>();
            for (int v = 0; v < values.Count; v++)
            {
                for (int s = 0; s < seeds; s++)
                {
                    jobs.Add((v, values[v], baseScenario.Seed + (ulong)s));
                }
            }

            var results = new RunResult[jobs.Count];
            int done = 0;
            Parallel.For(0, jobs.Count, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, i =>
            {
                Scenario s = ScenarioPath.With(ScenarioLoader.Parse(json), parameter, jobs[i].Value);
                s.Seed = jobs[i].Seed;
                string? problem = ScenarioValidator.FirstError(s, baseDirectory);
                if (problem != null)
                {
                    throw new ArgumentException($"{parameter} = {jobs[i].Value.ToString(CultureInfo.InvariantCulture)}: {problem}");
                }

                results[i] = new Simulation(s, baseDirectory).Run();
                progress?.Invoke(Interlocked.Increment(ref done), jobs.Count);
            });

            var points = new List<SweepPoint>();
            for (int v = 0; v < values.Count; v++)
            {
                var runs = Enumerable.Range(0, jobs.Count).Where(i => jobs[i].Point == v).Select(i => results[i]).ToList();
                points.Add(new SweepPoint(
                    values[v],
                    runs.Count,
                    Math.Round(runs.Average(r => r.Readings.DeliveryRatio), 4),
                    Math.Round(runs.Average(r => r.Broadcasts.DeliveryRatio), 4),
                    Math.Round(runs.Average(r => r.Readings.TransmissionsPerDelivered), 2),
                    Math.Round(runs.Average(r => r.Readings.LatencyP50Ms), 2),
                    Math.Round(runs.Average(r => r.Readings.LatencyP99Ms), 2),
                    Math.Round(runs.Average(r => (double)r.Collisions), 0),
                    Math.Round(runs.Average(r => r.BroadcastTransmissionsPerCds), 3)));
            }

            return points;
        }

        public static string Csv(string parameter, IReadOnlyList<SweepPoint> points)
        {
            var sb = new StringBuilder($"{parameter},runs,reading_delivery,broadcast_delivery,tx_per_delivered_reading,latency_p50_ms,latency_p99_ms,collisions,broadcast_tx_per_cds\n");
            foreach (SweepPoint p in points)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"{p.Value},{p.Runs},{p.ReadingDelivery},{p.BroadcastDelivery},{p.TransmissionsPerDelivered},{p.LatencyP50Ms},{p.LatencyP99Ms},{p.Collisions},{p.BroadcastTransmissionsPerCds}\n");
            }

            return sb.ToString();
        }

        public static string Markdown(string parameter, IReadOnlyList<SweepPoint> points)
        {
            var sb = new StringBuilder($"| {parameter} | reading delivery | tx per delivered reading | latency p50 ms | latency p99 ms | collisions |\n|---:|---:|---:|---:|---:|---:|\n");
            foreach (SweepPoint p in points)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"| {p.Value} | {p.ReadingDelivery:P1} | {p.TransmissionsPerDelivered:0.0} | {p.LatencyP50Ms:0.0} | {p.LatencyP99Ms:0.0} | {p.Collisions:N0} |\n");
            }

            return sb.ToString();
        }

        public static IReadOnlyList<string> Write(string directory, string scenarioName, string parameter, IReadOnlyList<SweepPoint> points)
        {
            Directory.CreateDirectory(directory);
            string csv = Path.Combine(directory, "sweep.csv");
            File.WriteAllText(csv, Csv(parameter, points));
            string json = Path.Combine(directory, "sweep.json");
            File.WriteAllText(json, JsonSerializer.Serialize(points, ScenarioLoader.Options));
            string delivery = Path.Combine(directory, "sweep-delivery.svg");
            File.WriteAllText(delivery, ChartSvg.Draw($"{scenarioName}: delivery vs {parameter}", parameter, "delivery ratio",
                new[]
                {
                    new Series("readings reaching a gateway", points.Select(p => (p.Value, p.ReadingDelivery)).ToList()),
                    new Series("broadcast coverage", points.Where(p => p.BroadcastDelivery > 0).Select(p => (p.Value, p.BroadcastDelivery)).ToList()),
                }, 0, 1.05));
            string cost = Path.Combine(directory, "sweep-cost.svg");
            File.WriteAllText(cost, ChartSvg.Draw($"{scenarioName}: cost vs {parameter}", parameter, "transmissions per delivered reading",
                new[] { new Series("transmissions per delivered reading", points.Select(p => (p.Value, p.TransmissionsPerDelivered)).ToList()) }));
            return new[] { csv, json, delivery, cost };
        }
    }
}
