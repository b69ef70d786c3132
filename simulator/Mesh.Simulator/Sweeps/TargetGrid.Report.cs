using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Reports;

namespace Mesh.Simulator.Sweeps
{
    /// <summary>What a cell measured over its seeds, and whether it meets issue 13's targets.</summary>
    public sealed record TargetRow(
        TargetCell Cell,
        long ReadingsSent,
        long ReadingsDelivered,
        double WorstSeedDelivery,
        double ReadingStretchWithControl,
        double ReadingBoundAcknowledged,
        double BroadcastCoverage,
        double BroadcastPerCds,
        double BroadcastEstimate,
        long Transmissions,
        double WallSeconds)
    {
        public double ReadingDelivery => ReadingsSent == 0 ? 0 : (double)ReadingsDelivered / ReadingsSent;

        /// <summary>Pooled delivery at or above the cell's target and the mean cost with control at or below 1.5 ×.</summary>
        public bool ReadingsMet => ReadingDelivery >= TargetGrid.ReadingDeliveryTargetFor(Cell) && ReadingStretchWithControl <= TargetGrid.ReadingStretchTarget;

        public bool BroadcastsMet => BroadcastCoverage >= TargetGrid.BroadcastCoverageTarget && BroadcastPerCds <= TargetGrid.BroadcastCostTargetFor(Cell.Loss);
    }

    public static class TargetGridReport
    {
        /// <summary>A cell's runs pooled (readings) and averaged (ratios); null when it was not run.</summary>
        public static TargetRow? Row(TargetCell c)
        {
            if (c.Runs.Count == 0)
            {
                return null;
            }

            IReadOnlyList<RunResult> r = c.Runs;
            return new TargetRow(
                c,
                r.Sum(x => x.Readings.Sent),
                r.Sum(x => x.Readings.Delivered),
                r.Min(x => x.Readings.DeliveryRatio),
                Math.Round(r.Average(x => x.Cost.ReadingPathStretchWithControl), 3),
                Math.Round(r.Average(x => x.Cost.ReadingEtxBoundAcknowledged), 3),
                Math.Round(r.Average(x => x.Coverage.Reachable), 4),
                Math.Round(r.Average(x => x.BroadcastTransmissionsPerCds), 3),
                Math.Round(r.Average(x => x.Cost.BroadcastScheduleEstimate), 3),
                r.Sum(x => x.Transmissions),
                Math.Round(r.Sum(x => x.WallSeconds), 1));
        }

        private static string Layout(string layout) => layout == TargetGrid.OneGateway ? "one gateway" : "a gateway every 400 m";

        private static string Verdict(bool met) => met ? "met" : "**not met**";

        /// <summary>One row per cell, the two policies of a field next to each other.</summary>
        public static string Markdown(IReadOnlyList<TargetCell> cells, int seeds, double minutes)
        {
            var sb = new StringBuilder();
            sb.Append(CultureInfo.InvariantCulture, $"Random meshes at 1,000 nodes per km², a reading per node a minute, heartbeats every 5 min, a broadcast every {TargetGrid.BroadcastIntervalSeconds:0} s; {minutes:0.#} simulated minutes, seeds 1–{seeds}; readings pooled over the seeds, ratios their mean.\n\n");
            sb.Append("| nodes | loss | gateways | policy | readings delivered (worst seed) | reading tx with control ÷ shortest path (bound, acked) | readings target | broadcast coverage of the reachable | broadcast tx ÷ greedy CDS (estimate) | broadcasts target | all transmissions | wall s |\n");
            sb.Append("|---:|---:|---|---|---:|---:|---|---:|---:|---|---:|---:|\n");
            foreach (TargetCell c in cells)
            {
                TargetRow? r = Row(c);
                string head = string.Format(CultureInfo.InvariantCulture, "| {0:N0} | {1:0} % | {2} | {3} ", c.Nodes, c.Loss * 100, Layout(c.Layout), c.Policy);
                if (r == null)
                {
                    sb.Append(head).Append("| ").Append(c.NotRun ?? "not run").Append(" | | | | | | | |\n");
                    continue;
                }

                sb.Append(head).Append(CultureInfo.InvariantCulture,
                    $"| {r.ReadingsDelivered:N0}/{r.ReadingsSent:N0} = {r.ReadingDelivery:P2} ({r.WorstSeedDelivery:P2}) | {r.ReadingStretchWithControl:0.00} ({r.ReadingBoundAcknowledged:0.00}) | {Verdict(r.ReadingsMet)} "
                    + $"| {r.BroadcastCoverage:P2} | {r.BroadcastPerCds:0.00} ({r.BroadcastEstimate:0.00}) | {Verdict(r.BroadcastsMet)} | {r.Transmissions:N0} | {r.WallSeconds:0.#} |\n");
            }

            sb.Append(CultureInfo.InvariantCulture,
                $"\nTargets (issue 13): readings ≥ {TargetGrid.ReadingDeliveryTarget:P1} delivered (one gateway with {TargetGrid.LargeOneGatewayNodes:N0} nodes: ≥ {TargetGrid.LargeOneGatewayDeliveryTarget:P0}) at ≤ {TargetGrid.ReadingStretchTarget} × the shortest path, control included; "
                + $"broadcasts ≥ {TargetGrid.BroadcastCoverageTarget:P1} of the reachable at ≤ {TargetGrid.BroadcastCostTargetFor(0.1):0.0} × the greedy CDS with 10 % loss, ≤ {TargetGrid.BroadcastCostTargetFor(0.3):0.0} × with 30 %.\n");
            return sb.ToString();
        }

        public static string Csv(IReadOnlyList<TargetCell> cells)
        {
            var sb = new StringBuilder("nodes,loss,layout,policy,runs,readings_sent,readings_delivered,reading_delivery,worst_seed_delivery,"
                + "reading_path_stretch_with_control,reading_etx_bound_acknowledged,readings_target_met,broadcast_reachable_coverage,"
                + "broadcast_tx_per_cds,broadcast_schedule_estimate,broadcasts_target_met,transmissions,wall_seconds,not_run\n");
            foreach (TargetCell c in cells)
            {
                TargetRow? r = Row(c);
                sb.Append(CultureInfo.InvariantCulture, $"{c.Nodes},{c.Loss},{c.Layout},{c.Policy},{c.Runs.Count},");
                if (r == null)
                {
                    sb.Append(",,,,,,,,,,,,,").Append('"').Append(c.NotRun).Append("\"\n");
                    continue;
                }

                sb.Append(CultureInfo.InvariantCulture,
                    $"{r.ReadingsSent},{r.ReadingsDelivered},{Math.Round(r.ReadingDelivery, 5)},{Math.Round(r.WorstSeedDelivery, 5)},{r.ReadingStretchWithControl},{r.ReadingBoundAcknowledged},"
                    + $"{(r.ReadingsMet ? 1 : 0)},{r.BroadcastCoverage},{r.BroadcastPerCds},{r.BroadcastEstimate},{(r.BroadcastsMet ? 1 : 0)},{r.Transmissions},{r.WallSeconds},\n");
            }

            return sb.ToString();
        }

        /// <summary>targets.md, targets.csv and two charts against the mesh size: structured routing's reading cost beside its bound, and every policy's broadcast cost (a line per policy, loss and layout).</summary>
        public static IReadOnlyList<string> Write(string directory, IReadOnlyList<TargetCell> cells, int seeds, double minutes)
        {
            Directory.CreateDirectory(directory);
            string md = Path.Combine(directory, "targets.md");
            File.WriteAllText(md, Markdown(cells, seeds, minutes));
            string csv = Path.Combine(directory, "targets.csv");
            File.WriteAllText(csv, Csv(cells));
            var rows = cells.Select(Row).Where(r => r != null).Select(r => r!).ToList();
            var lines = rows.GroupBy(r => (r.Cell.Policy, r.Cell.Loss, r.Cell.Layout)).ToList();
            // Structured routing's lines and what the links allow (the acknowledged bound): managed flooding costs 20–260 ×
            // and would flatten them; its figures are in the table.
            var structured = lines.Where(g => g.Key.Policy == "structured").ToList();
            var series = structured.Select(g => new Series(Name(g.Key), BySize(g, r => r.ReadingStretchWithControl))).ToList();
            series.AddRange(structured.Select(g => new Series("bound, acked: " + Name(g.Key), BySize(g, r => r.ReadingBoundAcknowledged))));
            string readings = Path.Combine(directory, "targets-reading-cost.svg");
            File.WriteAllText(readings, ChartSvg.Draw("issue 13 targets: structured routing's reading cost against mesh size", "nodes",
                "reading tx with control ÷ shortest path", series, 0));
            string broadcasts = Path.Combine(directory, "targets-broadcast-cost.svg");
            File.WriteAllText(broadcasts, ChartSvg.Draw("issue 13 targets: broadcast cost against mesh size", "nodes",
                "broadcast tx ÷ greedy CDS",
                lines.Select(g => new Series(Name(g.Key), BySize(g, r => r.BroadcastPerCds))).ToList(), 0));
            return new[] { md, csv, readings, broadcasts };
        }

        /// <summary>A chart line's points: one figure of each row against its mesh size, smallest first.</summary>
        private static List<(double, double)> BySize(IEnumerable<TargetRow> rows, Func<TargetRow, double> figure) =>
            rows.OrderBy(r => r.Cell.Nodes).Select(r => ((double)r.Cell.Nodes, figure(r))).ToList();

        private static string Name((string Policy, double Loss, string Layout) k) =>
            string.Format(CultureInfo.InvariantCulture, "{0}, {1:0} % loss, {2}", k.Policy, k.Loss * 100, Layout(k.Layout));
    }
}
