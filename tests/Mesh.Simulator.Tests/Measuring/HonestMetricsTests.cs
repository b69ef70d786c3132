using System;
using System.Linq;
using System.Text.Json;
using System.Text.Json.Nodes;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Sweeps;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Measuring
{
    /// <summary>
    /// Issue 13: coverage against what was reachable, the drain window, path stretch, losses to
    /// collisions apart from collided arrivals. Bounds and invariants, not exact counts: the protocol
    /// under these numbers is being changed.
    /// </summary>
    public class HonestMetricsTests
    {
        // A line of nodes 10 m apart that hear only their neighbours, on an ideal channel.
        private static string Line(int nodes, string extra = "", string workload = "\"readingIntervalSeconds\": 10, \"broadcastIntervalSeconds\": 5") => $$"""
        {
          "name": "line",
          "seed": 9,
          "durationSeconds": 200,
          "warmupSeconds": 10,
          "network": { "hopLimit": 32 },
          "topology": { "kind": "line", "nodes": {{nodes}}, "spacingMeters": 10 },
          "radio": { "model": "unitDisk", "rangeMeters": 10.5, "collisions": false },
          "policy": { "kind": "flooding" },
          "roles": { "sinks": [0] },
          "workload": { {{workload}}, "commandIntervalSeconds": 0, "heartbeatIntervalSeconds": 0 }
          {{extra}}
        }
        """;

        [Fact]
        public void Reachable_coverage_leaves_out_nodes_cut_off_by_a_crash()
        {
            // Node 4 of 10 crashes at once: nodes 5..9 cannot reach 0..3 and back. Raw coverage charges
            // the protocol for them; coverage of the reachable does not.
            RunResult r = Runs.Run(Line(10, """, "faults": { "crashes": [ { "node": 4, "atSeconds": 1 } ] }"""));

            Assert.True(r.Broadcasts.Sent >= 20, $"{r.Broadcasts.Sent} broadcasts");
            Assert.True(r.Coverage.Reachable >= r.Coverage.Raw, $"reachable {r.Coverage.Reachable} raw {r.Coverage.Raw}");
            Assert.True(r.Coverage.Raw < 0.8, $"raw coverage {r.Coverage.Raw}");
            Assert.True(r.Coverage.Reachable > 0.99, $"reachable coverage {r.Coverage.Reachable}");
            Assert.True(r.Coverage.ReachableNodesMean <= r.Coverage.LiveNodesMean && r.Coverage.LiveNodesMean <= r.Nodes - 1);
            Assert.InRange(r.Coverage.ReachableNodesMean, 3, 5); // 4 or 5 on one side, less the origin
        }

        [Fact]
        public void Reachable_means_within_the_hop_limit_as_the_core_applies_it()
        {
            // Hop limit 2: a frame leaves with 0 hops taken and is relayed while hops taken < 2, so it
            // travels 3 hops. On an ideal line everything within 3 hops is reached and nothing beyond.
            string json = Line(12).Replace("\"hopLimit\": 32", "\"hopLimit\": 2");
            RunResult r = Runs.Run(json);

            Assert.True(r.Broadcasts.Sent >= 20);
            Assert.Equal(1.0, r.Coverage.Reachable);
            Assert.True(r.Coverage.Raw < 0.6, $"raw coverage {r.Coverage.Raw}");
            // 3 to 6 nodes within 3 hops of a node on a line of 12, 5 on average (2 hops would give 3.5).
            Assert.InRange(r.Coverage.ReachableNodesMean, 4.4, 5.6);
        }

        [Fact]
        public void Copies_taken_at_the_hop_limit_say_when_the_limit_binds()
        {
            // Hop limit 2 on an ideal line: the copy a node takes after 3 hops cannot go on. Per broadcast
            // ~1.5 of the ~5 nodes reached are exactly 3 hops out (both sides, fewer near the ends): ~30 %.
            // With 32 the line ends first, and no copy arrives at the limit.
            RunResult tight = Runs.Run(Line(12).Replace("\"hopLimit\": 32", "\"hopLimit\": 2"));
            RunResult loose = Runs.Run(Line(12));

            Assert.True(tight.Broadcasts.Sent >= 20 && loose.Broadcasts.Sent >= 20);
            Assert.InRange(tight.Broadcasts.AtHopLimitShare, 0.2, 0.4);
            Assert.Equal(0, loose.Broadcasts.AtHopLimitShare);
            Assert.Equal(1.0, loose.Coverage.Reachable);
        }

        [Fact]
        public void Reachable_coverage_is_at_least_raw_coverage_on_a_lossy_busy_mesh()
        {
            RunResult r = Runs.Run("""
            {
              "name": "lossy-30", "seed": 5, "durationSeconds": 300, "warmupSeconds": 20,
              "topology": { "kind": "random", "nodes": 30, "widthMeters": 120, "heightMeters": 120 },
              "radio": { "extraLossRate": 0.2 },
              "policy": { "kind": "gossip", "p": 0.6, "k": 1 },
              "workload": { "readingIntervalSeconds": 10, "broadcastIntervalSeconds": 5, "heartbeatIntervalSeconds": 60 },
              "faults": { "churnRatePerHour": 6, "churnDowntimeSeconds": 60 }
            }
            """);

            Assert.True(r.Broadcasts.Sent >= 30);
            Assert.True(r.Coverage.Reachable >= r.Coverage.Raw, $"reachable {r.Coverage.Reachable} raw {r.Coverage.Raw}");
            Assert.InRange(r.Coverage.Reachable, 0, 1);
            Assert.True(r.Coverage.ReachableNodesMean <= r.Nodes - 1);
            Assert.InRange(r.CollisionLosses.ReceptionsLost, 1, r.CollidedArrivals);
            Assert.InRange(r.CollisionLosses.NeverReceived, 0, r.CollisionLosses.ReceptionsLost);
            Assert.InRange(r.Cost.ControlAirtimeShare, 0.001, 0.999);
        }

        [Fact]
        public void The_drain_window_leaves_late_messages_out_of_the_ratios()
        {
            Scenario none = Runs.Parse(Line(5, """, "drainSeconds": 0"""));
            Scenario drained = Runs.Parse(Line(5, """, "drainSeconds": 60"""));
            RunResult all = new Simulation(none).Run();
            RunResult early = new Simulation(drained).Run();

            Assert.Equal(140, early.Measured.ToSeconds);
            Assert.Equal(60, early.Measured.DrainSeconds);
            Assert.Equal(200, all.Measured.ToSeconds);
            // Same run, fewer messages counted: about 130 of the 190 measured seconds' worth.
            Assert.Equal(all.Transmissions, early.Transmissions);
            Assert.InRange(early.Readings.Sent, all.Readings.Sent * 0.55, all.Readings.Sent * 0.85);
            Assert.InRange(early.Broadcasts.Sent, all.Broadcasts.Sent * 0.5, all.Broadcasts.Sent * 0.9);
            Assert.Equal(1.0, early.Readings.DeliveryRatio);

            // The default: a command's retry budget (16 s), at most a quarter of the measured time.
            Assert.Equal(16, Runs.Parse(Line(5)).EffectiveDrainSeconds);
            Assert.Contains(ScenarioValidator.Validate(Runs.Parse(Line(5)).With(s => s.DrainSeconds = 195), null), p => p.StartsWith("drainSeconds:", StringComparison.Ordinal));
        }

        [Fact]
        public void Flooding_on_a_line_costs_about_n_over_the_shortest_path()
        {
            // Every reading is relayed once by every node: n transmissions for a path of h hops to the
            // gateway at one end. Each of the n - 1 sensors reports equally often, so the mean stretch is
            // n times the mean of 1/h over h = 1..n-1.
            const int N = 10;
            RunResult r = Runs.Run(Line(N, workload: "\"readingIntervalSeconds\": 5, \"broadcastIntervalSeconds\": 0"));
            double expected = N * Enumerable.Range(1, N - 1).Average(h => 1.0 / h);

            Assert.True(r.Readings.Sent > 200, $"{r.Readings.Sent} readings");
            Assert.Equal(1.0, r.Readings.DeliveryRatio);
            Assert.True(r.Cost.ReadingPathStretch >= 1);
            Assert.InRange(r.Cost.ReadingPathStretch, expected * 0.85, expected * 1.15);
            Assert.InRange(r.Cost.ReadingShortestHopsMean, 4, 6); // (1 + ... + 9) / 9 = 5
            Assert.Equal(0, r.Cost.ReadingsWithoutPath);
        }

        /// <summary>
        /// The reading cost's lower bound (Reachability.EtxToNearest): on a line of links that always carry, with 20 %
        /// extra loss, the cheapest a hop can be is 1 / 0.8 transmissions with free acknowledgements and 1 / 0.8²
        /// when an acknowledgement is as lossy as the frame; the shortest path is the line itself.
        /// </summary>
        [Fact]
        public void The_reading_cost_bound_is_the_least_ETX_over_the_shortest_path()
        {
            RunResult r = new Simulation(Runs.Parse(Line(6, workload: "\"readingIntervalSeconds\": 5, \"broadcastIntervalSeconds\": 0"))
                .With(s => s.Radio.ExtraLossRate = 0.2)).Run();

            Assert.True(r.Readings.Delivered > 50, $"{r.Readings.Delivered} readings delivered");
            Assert.InRange(r.Cost.ReadingEtxBound, 1.2495, 1.2505);
            Assert.InRange(r.Cost.ReadingEtxBoundAcknowledged, 1.5615, 1.5635);
            Assert.True(r.Cost.ReadingPathStretch >= r.Cost.ReadingEtxBound, $"flooding {r.Cost.ReadingPathStretch}× under the bound {r.Cost.ReadingEtxBound}×");

            RunResult lossless = Runs.Run(Line(6, workload: "\"readingIntervalSeconds\": 5, \"broadcastIntervalSeconds\": 0"));
            Assert.Equal(1.0, lossless.Cost.ReadingEtxBound);
            Assert.Equal(1.0, lossless.Cost.ReadingEtxBoundAcknowledged);
        }

        /// <summary>
        /// The broadcast cost estimate (BroadcastSchedule) on known answers: a lossless line is covered by its
        /// origin and the inner nodes on the far sides of it (an end origin: 5 of 6 nodes; an inner one: 4), and
        /// the run's estimate is their mean over the sampled origins over the greedy CDS (the 4 inner nodes); one
        /// link losing half its frames needs the origin 7 times for 99.5 % of two nodes (½⁷ ≤ 1 %).
        /// </summary>
        [Fact]
        public void The_broadcast_cost_estimate_is_the_fewest_expected_transmissions_of_a_schedule_that_knows_the_links()
        {
            var line = new Simulation(Runs.Parse(Line(6)));
            bool[] all = Enumerable.Repeat(true, 6).ToArray();
            Assert.Equal(5, BroadcastSchedule.ExpectedTransmissions(line.Links, 0, all, 0, BroadcastSchedule.TargetCoverage), 9);
            Assert.Equal(4, BroadcastSchedule.ExpectedTransmissions(line.Links, 0, all, 2, BroadcastSchedule.TargetCoverage), 9);
            // Origins k·6/16 for k < 16: five at an end (0, 0, 0, 5, 5), eleven inside.
            Assert.Equal((5 * 5 + 11 * 4) / 16.0, BroadcastSchedule.MeanExpectedTransmissions(line.Links, 0, all, BroadcastSchedule.TargetCoverage), 9);

            RunResult r = line.Run();
            Assert.Equal(4, r.GreedyCdsSize);
            Assert.Equal(Math.Round((5 * 5 + 11 * 4) / 16.0 / 4, 3), r.Cost.BroadcastScheduleEstimate);
            Assert.True(r.BroadcastTransmissionsPerCds >= r.Cost.BroadcastScheduleEstimate, $"flooding {r.BroadcastTransmissionsPerCds}× under the estimate {r.Cost.BroadcastScheduleEstimate}×");

            var pair = new Simulation(Runs.Parse(Line(2)));
            Assert.Equal(7, BroadcastSchedule.ExpectedTransmissions(pair.Links, 0.5, new[] { true, true }, 0, BroadcastSchedule.TargetCoverage), 9);

            // Without broadcasts there is nothing to estimate.
            Assert.Equal(0, Runs.Run(Line(4, workload: "\"readingIntervalSeconds\": 5, \"broadcastIntervalSeconds\": 0")).Cost.BroadcastScheduleEstimate);
        }

        [Fact]
        public void Without_collisions_nothing_is_lost_to_them_and_without_control_traffic_it_has_no_airtime()
        {
            RunResult r = Runs.Run(Line(6));
            Assert.Equal(0, r.CollidedArrivals);
            Assert.Equal(0, r.CollisionLosses.ReceptionsLost);
            Assert.Equal(0, r.Cost.ControlAirtimeShare); // heartbeats off, no commands
            Assert.True(r.Cost.AirtimeSecondsByClass["reading"] > 0);
        }

        [Fact]
        public void The_new_metrics_are_in_the_result_json_and_the_sweep_table()
        {
            RunResult r = Runs.Run(Line(4));
            JsonNode json = JsonNode.Parse(JsonSerializer.Serialize(r, ScenarioLoader.Options))!;
            foreach (string path in new[]
            {
                "measured.drainSeconds", "coverage.reachable", "coverage.raw", "coverage.reachableNodesMean", "collidedArrivals",
                "collisionLosses.receptionsLost", "collisionLosses.neverReceived", "cost.readingPathStretch",
                "cost.broadcastTransmissionsPerCds", "cost.controlAirtimeShare", "qos.honestReadingDelivery",
                "qos.commandAckP99Ms", "qos.babblerBeyond2HopsPerOriginated", "qos.dutyCycle10s.maxPercent", "qos.dutyCycle1h.node",
                "cost.readingEtxBound", "cost.readingEtxBoundAcknowledged", "cost.broadcastScheduleEstimate",
            })
            {
                JsonNode? node = json;
                foreach (string part in path.Split('.'))
                {
                    node = node?[part];
                }

                Assert.True(node != null, $"result.json has no {path}");
            }

            var point = new SweepPoint(1, 1, 1, 1, 1, 1, 1, 1, 1) { ReadingPathStretch = 2.5, BroadcastReachableCoverage = 0.9 };
            string csv = Sweep.Csv("policy.p", new[] { point });
            foreach (string column in new[] { "broadcast_reachable_coverage", "reading_path_stretch", "broadcast_tx_per_cds", "control_airtime_share",
                "receptions_lost_to_collisions", "collided_arrivals", "command_ack_p99_ms", "babbler_beyond_2_hops_per_originated", "max_duty_cycle_10s_percent",
                "reading_etx_bound", "reading_etx_bound_acknowledged", "broadcast_schedule_estimate" })
            {
                Assert.Contains(column, csv.Split('\n')[0].Split(','));
            }

            Assert.Contains("path stretch", Sweep.Markdown("policy.p", new[] { point }));
        }

        [Fact]
        public void Duty_cycle_windows_split_a_transmission_across_their_boundary()
        {
            var w = new DutyCycleWindows(2, 10_000_000);
            w.Add(1, 9_000_000, 2_000_000); // 1 s in the first window, 1 s in the second
            w.Add(1, 12_000_000, 500_000);
            w.Add(0, 0, 100_000);
            var (percent, node) = w.Max(60_000_000);
            Assert.Equal(1, node);
            Assert.Equal(15.0, percent, 6);
        }
    }

    internal static class ScenarioChanges
    {
        public static Scenario With(this Scenario s, Action<Scenario> change)
        {
            change(s);
            return s;
        }
    }
}
