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
    /// <summary>One point of a sweep: a parameter value, averaged over seeds (field meanings: RunResult).</summary>
    public sealed record SweepPoint(
        double Value,
        int Runs,
        double ReadingDelivery,
        double BroadcastDelivery,
        double TransmissionsPerDelivered,
        double LatencyP50Ms,
        double LatencyP99Ms,
        double CollidedArrivals,
        double BroadcastTransmissionsPerCds)
    {
        /// <summary>Honest readings sent per simulated second of the measured window: the offered load.</summary>
        public double OfferedReadingsPerSecond { get; init; }
        public double BroadcastReachableCoverage { get; init; }
        public double ReadingPathStretch { get; init; }
        public double ReadingPathStretchWithControl { get; init; }

        /// <summary>The reading cost bound (CostMetrics.ReadingEtxBound, ReadingEtxBoundAcknowledged): what no protocol beats on these links.</summary>
        public double ReadingEtxBound { get; init; }
        public double ReadingEtxBoundAcknowledged { get; init; }

        /// <summary>The broadcast cost estimate (CostMetrics.BroadcastScheduleEstimate): a schedule that knows every link, over the greedy CDS.</summary>
        public double BroadcastScheduleEstimate { get; init; }

        /// <summary>Readings delivered over those the report intervals asked for (spaced-away and refused ones included).</summary>
        public double ReadingDeliveryOfSchedule { get; init; }
        public double ControlAirtimeShare { get; init; }
        public double ReceptionsLostToCollisions { get; init; }
        public double CommandDelivery { get; init; }
        public double CommandAckP50Ms { get; init; }
        public double CommandAckP99Ms { get; init; }
        public double BabblerFramesOriginated { get; init; }
        public double BabblerBeyond2HopsPerOriginated { get; init; }
        public double BabblerShareBeyond2Hops { get; init; }
        public double MaxDutyCycle10sPercent { get; init; }

        /// <summary>Route poisoning at the end of the run, and its mean over the run's samples.</summary>
        public double RoutePoisoningShare { get; init; }
        public double RoutePoisoningMeanShare { get; init; }
    }

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
                    Math.Round(runs.Average(r => (double)r.CollidedArrivals), 0),
                    Math.Round(runs.Average(r => r.BroadcastTransmissionsPerCds), 3))
                {
                    OfferedReadingsPerSecond = Math.Round(runs.Average(r => r.Readings.Sent / Math.Max(1e-9, r.Measured.ToSeconds - r.Measured.FromSeconds)), 2),
                    BroadcastReachableCoverage = Math.Round(runs.Average(r => r.Coverage.Reachable), 4),
                    ReadingPathStretch = Math.Round(runs.Average(r => r.Cost.ReadingPathStretch), 2),
                    ReadingPathStretchWithControl = Math.Round(runs.Average(r => r.Cost.ReadingPathStretchWithControl), 2),
                    ReadingEtxBound = Math.Round(runs.Average(r => r.Cost.ReadingEtxBound), 3),
                    ReadingEtxBoundAcknowledged = Math.Round(runs.Average(r => r.Cost.ReadingEtxBoundAcknowledged), 3),
                    BroadcastScheduleEstimate = Math.Round(runs.Average(r => r.Cost.BroadcastScheduleEstimate), 3),
                    ReadingDeliveryOfSchedule = Math.Round(runs.Average(r => r.Readings.DeliveredOfSchedule), 4),
                    ControlAirtimeShare = Math.Round(runs.Average(r => r.Cost.ControlAirtimeShare), 4),
                    ReceptionsLostToCollisions = Math.Round(runs.Average(r => (double)r.CollisionLosses.ReceptionsLost), 0),
                    CommandDelivery = Math.Round(runs.Average(r => r.Commands.SuccessRatio), 4),
                    CommandAckP50Ms = Math.Round(runs.Average(r => r.Commands.RoundTripP50Ms), 2),
                    CommandAckP99Ms = Math.Round(runs.Average(r => r.Commands.RoundTripP99Ms), 2),
                    BabblerFramesOriginated = Math.Round(runs.Average(r => (double)r.Qos.BabblerFramesOriginated), 0),
                    BabblerBeyond2HopsPerOriginated = Math.Round(runs.Average(r => r.Qos.BabblerBeyond2HopsPerOriginated), 3),
                    BabblerShareBeyond2Hops = Math.Round(runs.Average(r => r.Qos.BabblerShareBeyond2Hops), 4),
                    MaxDutyCycle10sPercent = Math.Round(runs.Average(r => r.Qos.DutyCycle10s.MaxPercent), 3),
                    RoutePoisoningShare = Math.Round(runs.Average(r => r.RoutePoisoning.Share), 6),
                    RoutePoisoningMeanShare = Math.Round(runs.Average(r => r.RoutePoisoning.MeanShare), 6),
                });
            }

            return points;
        }

        public static string Csv(string parameter, IReadOnlyList<SweepPoint> points)
        {
            var sb = new StringBuilder($"{parameter},runs,offered_readings_per_s,reading_delivery,broadcast_delivery,broadcast_reachable_coverage,"
                + "tx_per_delivered_reading,reading_path_stretch,broadcast_tx_per_cds,control_airtime_share,latency_p50_ms,latency_p99_ms,"
                + "collided_arrivals,receptions_lost_to_collisions,command_delivery,command_ack_p50_ms,command_ack_p99_ms,"
                + "babbler_frames_originated,babbler_beyond_2_hops_per_originated,babbler_share_beyond_2_hops,max_duty_cycle_10s_percent,"
                + "route_poisoning_share,route_poisoning_mean_share,reading_path_stretch_with_control,reading_delivery_of_schedule,"
                + "reading_etx_bound,reading_etx_bound_acknowledged,broadcast_schedule_estimate\n");
            foreach (SweepPoint p in points)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"{p.Value},{p.Runs},{p.OfferedReadingsPerSecond},{p.ReadingDelivery},{p.BroadcastDelivery},{p.BroadcastReachableCoverage},"
                    + $"{p.TransmissionsPerDelivered},{p.ReadingPathStretch},{p.BroadcastTransmissionsPerCds},{p.ControlAirtimeShare},{p.LatencyP50Ms},{p.LatencyP99Ms},"
                    + $"{p.CollidedArrivals},{p.ReceptionsLostToCollisions},{p.CommandDelivery},{p.CommandAckP50Ms},{p.CommandAckP99Ms},"
                    + $"{p.BabblerFramesOriginated},{p.BabblerBeyond2HopsPerOriginated},{p.BabblerShareBeyond2Hops},{p.MaxDutyCycle10sPercent},"
                    + $"{p.RoutePoisoningShare},{p.RoutePoisoningMeanShare},{p.ReadingPathStretchWithControl},{p.ReadingDeliveryOfSchedule},"
                    + $"{p.ReadingEtxBound},{p.ReadingEtxBoundAcknowledged},{p.BroadcastScheduleEstimate}\n");
            }

            return sb.ToString();
        }

        /// <summary>Two tables: delivery and cost, then quality of service.</summary>
        public static string Markdown(string parameter, IReadOnlyList<SweepPoint> points)
        {
            var sb = new StringBuilder($"| {parameter} | offered readings/s | reading delivery | broadcast coverage (raw / reachable) | tx per delivered reading | path stretch (with control) | broadcast tx / CDS (estimate) | control airtime | latency p50 ms | latency p99 ms | collided arrivals | receptions lost to collisions |\n"
                + "|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            foreach (SweepPoint p in points)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"| {p.Value} | {p.OfferedReadingsPerSecond:0.##} | {p.ReadingDelivery:P1} | {p.BroadcastDelivery:P1} / {p.BroadcastReachableCoverage:P1} | {p.TransmissionsPerDelivered:0.0} | {p.ReadingPathStretch:0.0} ({p.ReadingPathStretchWithControl:0.0}) | {p.BroadcastTransmissionsPerCds:0.00} ({p.BroadcastScheduleEstimate:0.00}) | {p.ControlAirtimeShare:P1} | {p.LatencyP50Ms:0.0} | {p.LatencyP99Ms:0.0} | {p.CollidedArrivals:N0} | {p.ReceptionsLostToCollisions:N0} |\n");
            }

            sb.Append($"\n| {parameter} | command delivery | command ack p50 ms | command ack p99 ms | babbler frames originated | babbler tx beyond 2 hops per frame originated | babbler frames beyond 2 hops | max duty cycle (10 s window) | route poisoning (end / mean) |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
            foreach (SweepPoint p in points)
            {
                sb.Append(CultureInfo.InvariantCulture,
                    $"| {p.Value} | {p.CommandDelivery:P1} | {p.CommandAckP50Ms:0.0} | {p.CommandAckP99Ms:0.0} | {p.BabblerFramesOriginated:N0} | {p.BabblerBeyond2HopsPerOriginated:0.00} | {p.BabblerShareBeyond2Hops:P2} | {p.MaxDutyCycle10sPercent:0.##} % | {p.RoutePoisoningShare:P2} / {p.RoutePoisoningMeanShare:P2} |\n");
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
                    new Series("broadcast coverage of the reachable", points.Where(p => p.BroadcastReachableCoverage > 0).Select(p => (p.Value, p.BroadcastReachableCoverage)).ToList()),
                    new Series("commands acknowledged", points.Where(p => p.CommandDelivery > 0).Select(p => (p.Value, p.CommandDelivery)).ToList()),
                }, 0, 1.05));
            string cost = Path.Combine(directory, "sweep-cost.svg");
            File.WriteAllText(cost, ChartSvg.Draw($"{scenarioName}: cost vs {parameter}", parameter, "transmissions per delivered reading",
                new[] { new Series("transmissions per delivered reading", points.Select(p => (p.Value, p.TransmissionsPerDelivered)).ToList()) }));
            return new[] { csv, json, delivery, cost };
        }
    }
}
