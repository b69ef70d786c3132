using System;
using System.CommandLine;
using System.IO;
using System.Linq;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Reports;
using Mesh.Simulator.Scenarios;
using Spectre.Console;

namespace Mesh.Simulator.Cli
{
    internal static class RunCommand
    {
        public static Command Create()
        {
            var scenarioArg = new Argument<FileInfo>("scenario") { Description = "Scenario JSON file (see simulator/scenarios/SCHEMA.md)" };
            var seed = new Option<ulong?>("--seed") { Description = "Override the scenario's seed" };
            var output = new Option<DirectoryInfo?>("--out") { Description = "Output folder (default results/<scenario name>)" };
            var duration = new Option<double?>("--duration") { Description = "Override the simulated duration, in seconds" };
            var nodes = new Option<int?>("--nodes") { Description = "Override topology.nodes" };
            var policy = new Option<string?>("--policy") { Description = "Override policy.kind (flooding, gossip, managed, structured), the other policy fields kept: the same scenario and seed side by side" };
            var shards = new Option<int>("--shards")
            {
                Description = "Simulate in this many spatial shards, one thread each (1: one event loop; deterministic for a seed and a shard count)",
                DefaultValueFactory = _ => 1,
            };
            var lostReadings = new Option<FileInfo?>("--lost-readings")
            {
                Description = "Also write every lost reading to this file, one line each: the trail of its copies on air and where it ends (one event loop only)",
            };
            var missedBroadcasts = new Option<FileInfo?>("--missed-broadcasts")
            {
                Description = "Also write every broadcast that missed a reachable node to this file: the nodes it missed and the links it stopped at, with what each end did and kept (one event loop only)",
            };
            var command = new Command("run", "Run one scenario; write result.json, nodes.csv, topology.svg and latency-cdf.svg")
            {
                scenarioArg, seed, output, duration, nodes, policy, shards, lostReadings, missedBroadcasts,
            };
            command.SetAction(parse =>
            {
                FileInfo file = parse.GetValue(scenarioArg)!;
                Scenario? scenario = CliConsole.Load(file);
                if (scenario == null)
                {
                    return 1;
                }

                scenario.Seed = parse.GetValue(seed) ?? scenario.Seed;
                scenario.DurationSeconds = parse.GetValue(duration) ?? scenario.DurationSeconds;
                if (parse.GetValue(nodes) is int n)
                {
                    scenario.Topology.Nodes = n;
                }

                if (parse.GetValue(policy) is string kind)
                {
                    scenario.Policy.Kind = kind;
                    scenario.Name += "-" + kind;
                }
                var problems = ScenarioValidator.Validate(scenario, CliConsole.BaseDirectory(file));
                int shardCount = parse.GetValue(shards);
                if (problems.Count == 0 && ShardedSimulation.Unsupported(scenario, shardCount) is string shardProblem)
                {
                    problems.Add("--shards " + shardCount + ": " + shardProblem);
                }

                FileInfo? lostFile = parse.GetValue(lostReadings);
                FileInfo? missedFile = parse.GetValue(missedBroadcasts);
                foreach (var (traceOption, traceFile) in new[] { (lostReadings, lostFile), (missedBroadcasts, missedFile) })
                {
                    if (traceFile != null && shardCount > 1)
                    {
                        problems.Add(traceOption.Name + ": traces one event loop only; run it without --shards");
                    }
                }

                if (problems.Count > 0)
                {
                    problems.ForEach(p => System.Console.Error.WriteLine("mesh-sim: " + p));
                    return 1;
                }

                Simulation sim;
                RunResult result;
                if (shardCount > 1)
                {
                    var sharded = new ShardedSimulation(scenario, shardCount, CliConsole.BaseDirectory(file));
                    result = CliConsole.WithProgress($"{scenario.Name} ({scenario.Topology.Nodes} nodes, {shardCount} shards)", p => sharded.Run(p));
                    sim = sharded.View;
                }
                else
                {
                    sim = new Simulation(scenario, CliConsole.BaseDirectory(file));
                    var trace = lostFile == null ? null : new LostReadingTrace(sim);
                    var missedTrace = missedFile == null ? null : new MissedBroadcastTrace(sim);
                    result = CliConsole.WithProgress($"{scenario.Name} ({scenario.Topology.Nodes} nodes)", p => sim.Run(p));
                    if (trace != null)
                    {
                        var endings = trace.Write(lostFile!.FullName, sim.Metrics);
                        System.Console.WriteLine($"lost readings: {endings.Values.Sum():N0} written to {lostFile.FullName} ("
                            + string.Join(", ", endings.Select(e => $"{e.Key} {e.Value:N0}")) + ")");
                    }

                    if (missedTrace != null)
                    {
                        var (broadcasts, missed) = missedTrace.Write(missedFile!.FullName, sim.Metrics);
                        System.Console.WriteLine($"missed broadcasts: {broadcasts:N0} broadcasts missed {missed:N0} reachable nodes in all, written to {missedFile.FullName}");
                    }
                }

                string dir = parse.GetValue(output)?.FullName ?? Path.Combine("results", scenario.Name);
                var files = ResultWriter.Write(dir, scenario, sim, result);
                PrintSummary(result);
                System.Console.WriteLine($"wrote {string.Join(", ", files)}");
                return 0;
            });
            return command;
        }

        private static void PrintSummary(RunResult r)
        {
            var rows = new (string, string)[]
            {
                ("nodes / links", $"{r.Nodes} / {r.Links}"),
                ("simulated / wall", $"{r.SimulatedSeconds:0} s / {r.WallSeconds:0.00} s"),
                ("frame arrivals, receptions", $"{r.FrameArrivals:N0} ({r.FrameArrivalsPerSecond:N0}/s), {r.Receptions:N0} ({r.ReceptionsPerSecond:N0}/s)"),
                ("measured window", $"{r.Measured.FromSeconds:0.#}–{r.Measured.ToSeconds:0.#} s (last {r.Measured.DrainSeconds:0.#} s drain, not counted)"),
                ("transmissions", r.Bundles > 0
                    ? $"{r.Transmissions:N0} radio frames ({r.Bundles:N0} bundles carried {r.BundledFrames:N0} frames besides their first: {r.Transmissions + r.BundledFrames:N0} frames)"
                    : $"{r.Transmissions:N0}"),
                ("collisions", $"{r.CollisionLosses.ReceptionsLost:N0} receptions lost ({r.CollisionLosses.NeverReceived:N0} never recovered); {r.CollidedArrivals:N0} collided frame arrivals (raw)"),
                ("readings delivered", $"{r.Readings.Delivered:N0}/{r.Readings.Sent:N0} ({r.Readings.DeliveryRatio:P1}), p50 {r.Readings.LatencyP50Ms} ms, p99 {r.Readings.LatencyP99Ms} ms, {r.Readings.HopsMean} hops"),
                ("readings scheduled", r.Readings.Scheduled == r.Readings.Sent ? "all sent (none spaced away by report spacing or refused by the core)"
                    : $"{r.Readings.Delivered:N0} delivered of ≈{r.Readings.Scheduled:N0} the report intervals asked for ({r.Readings.DeliveredOfSchedule:P1}): ≈{r.Readings.SpacedAway:N0} spaced away by report spacing, {r.Readings.RefusedAtSend:N0} refused by the core"),
                ("readings cut off", r.Readings.CutOffSent == 0 ? "none (no partition cut a node off from every gateway)"
                    : $"{r.Readings.CutOffDelivered:N0}/{r.Readings.CutOffSent:N0} sent while a partition cut their origin off from every gateway reached one by the end ({(double)r.Readings.CutOffDelivered / r.Readings.CutOffSent:P1})"),
                ("store and forward", r.Readings.StoreForwardedDelivered + r.Readings.StoreForwardedDuplicates == 0 ? "no stored reading delivered"
                    : $"{r.Readings.StoreForwardedDelivered:N0} readings delivered by a stored copy; {r.Readings.StoreForwardedDuplicates:N0} copies of readings a gateway already had (deduplicated)"),
                ("reading cost", $"{r.Readings.TransmissionsPerDelivered} tx per delivered reading, {r.Cost.ReadingPathStretch}× the shortest path ({r.Cost.ReadingShortestHopsMean} hops)"),
                ("with control", r.Cost.Beacons + r.Cost.HopAcks == 0 ? "no beacons or hop acks"
                    : $"{r.Cost.ReadingTransmissionsWithControl} tx per delivered reading, {r.Cost.ReadingPathStretchWithControl}× the shortest path ({r.Cost.Beacons:N0} beacons, {r.Cost.HopAcks:N0} hop acks in the window)"),
                ("reading cost bound", $"{r.Cost.ReadingEtxBound}× the shortest path with acknowledgements free, {r.Cost.ReadingEtxBoundAcknowledged}× with each hop acknowledged by a frame as lossy (least ETX over the links; collisions not counted)"),
                ("broadcast coverage", r.Broadcasts.Sent > 0 ? $"{r.Coverage.Reachable:P1} of the reachable ({r.Coverage.ReachableNodesMean} nodes), {r.Broadcasts.DeliveryRatio:P1} raw ({r.Coverage.LiveNodesMean} live), {r.Broadcasts.Sent} broadcasts, {r.BroadcastTransmissionsPerCds}× the greedy CDS ({r.GreedyCdsSize}), {r.Broadcasts.AtHopLimitShare:P1} of copies taken at the hop limit" : "no broadcasts"),
                ("broadcast cost estimate", r.Cost.BroadcastScheduleEstimate > 0 ? $"{r.Cost.BroadcastScheduleEstimate}× the greedy CDS for 99.5 % expected coverage, scheduled knowing every link but not who received (greedy; collisions not counted)" : "no broadcasts"),
                ("control airtime", $"{r.Cost.ControlAirtimeShare:P1} (heartbeats, acks, other)"),
                ("heartbeats", r.Heartbeats.NodesSent + r.Heartbeats.GatewaysSent == 0 ? "none sent in the window"
                    : $"{r.Heartbeats.NodesDelivered:N0}/{r.Heartbeats.NodesSent:N0} of the nodes' reached a gateway"
                      + (r.Heartbeats.GatewaysSent > 0 ? $", {r.Heartbeats.GatewaysDelivered:N0}/{r.Heartbeats.GatewaysSent:N0} of the gateways' own reached another gateway" : "")),
                ("commands", r.Commands.Sent > 0 ? $"{r.Commands.Acknowledged}/{r.Commands.Sent} acknowledged, round trip p50 {r.Commands.RoundTripP50Ms} ms, p99 {r.Commands.RoundTripP99Ms} ms" : "no commands"),
                ("adversaries", $"{r.Security.AdversarialFramesSent} frames sent; taken by any node {r.Security.AdversarialAccepted} ({r.Security.AdversarialOneHopAccepted} beacons and hop acks), messages taken twice {r.Security.AcceptedTwice} (from an adversary's copy {r.Security.AcceptedTwiceFromAdversaries}); forged delivered {r.Security.ForgedDelivered}, replayed delivered {r.Security.ReplayedDelivered}"),
                ("duty cycle", $"mean {r.Airtime.MeanDutyCyclePercent} %, max {r.Airtime.MaxDutyCyclePercent} % (node {r.Airtime.BusiestNode}); busiest {r.Qos.DutyCycle10s.WindowSeconds:0.#} s {r.Qos.DutyCycle10s.MaxPercent} % (node {r.Qos.DutyCycle10s.Node}), busiest {r.Qos.DutyCycle1h.WindowSeconds:0.#} s {r.Qos.DutyCycle1h.MaxPercent} % (node {r.Qos.DutyCycle1h.Node})"),
            };
            SecurityMetrics sec = r.Security;
            if (sec.TamperedSent + sec.EchoesSent + sec.RebootTargets + sec.InsiderFramesSent + sec.CommandsExecutedTwice + sec.InventedIdsInTables > 0)
            {
                rows = [.. rows,
                    ("tamperers", $"{sec.TamperedSent:N0} altered copies sent; taken {sec.TamperedTaken}, refused bad MIC {sec.TamperedRefusedBadMic:N0}, refused earlier (duplicate, stale) {sec.TamperedRefusedOther:N0}; invented ids in tables {sec.InventedIdsInTables}"),
                    ("echoes", $"{sec.EchoesSent:N0} echoes sent; {sec.EchoesTaken:N0} taken as a first copy ({sec.EchoOneHopTaken:N0} beacons and hop acks)"),
                    ("reboot replayers", $"{sec.RebootTargets} targets power-cycled, {sec.RebootReplaysSent} commands re-sent after the restart; commands executed twice {sec.CommandsExecutedTwice}"),
                    ("insiders", $"{sec.InsiderFramesSent:N0} forged frames sent; opened by a gateway {sec.InsiderForgeriesAccepted}, commands executed {sec.InsiderCommandsExecuted}, refused where consumed {sec.InsiderRefusedAtConsumer:N0}; claimed origins' genuine messages then refused at a gateway {sec.InsiderVictimFramesRefused:N0}"),
                ];
            }

            RoutingCounters rc = r.Routing;
            if (rc.Beacons + rc.HopAcks > 0)
            {
                rows = [.. rows,
                    ("structured routing", $"whole run: {rc.Beacons:N0} beacons, {rc.HopAcks:N0} hop acks ({rc.HopAckEntries:N0} entries), {rc.PassiveAcks:N0} passive acks, {rc.UpwardForwarded:N0} forwarded, {rc.Retransmissions:N0} retransmissions ({rc.RetransmissionsAnswered:N0} reached a node that had the frame, {rc.RetransmissionsAnsweredByGateways:N0} of them a gateway), {rc.LinkFailures:N0} link failures, {rc.ParentChanges:N0} parent changes, {rc.FloodFallbacks:N0} flood fallbacks ({rc.FloodsNotRelayedUphill:N0} copies not relayed uphill), {rc.LoopsDetected:N0} loops ({rc.LoopReturns:N0} came back round, {rc.LoopsLeft:N0} parents left for one), {rc.FloodsRejoined:N0} floods rejoined ({rc.RejoinsCancelled:N0} copies stood down), {rc.UpwardEvicted:N0} upward frames evicted ({rc.EvictionResends:N0} sent once more), {rc.LoadSpells:N0} load spells" + (rc.BeaconsDutySkipped + rc.DutyHeldWaits > 0 ? $"; duty cycle: {rc.BeaconsDutySkipped:N0} beacons skipped, {rc.DutyHeldWaits:N0} hop-ack waits restarted for frames still held" : "")),
                    ("backbone", $"whole run: {rc.BackboneRelayCopies:N0} relay copies and {rc.BackboneFallbacks:N0} fallbacks scheduled, {rc.BackboneCancelledCovered:N0} cancelled as covered and {rc.BackboneCancelledCounted:N0} by the count heard (of all cancelled, {rc.BackboneFallbacksCancelled:N0} fallbacks), {rc.BackboneCoveredOnArrival:N0} covered on arrival (none scheduled); second copies {rc.BackboneRetransmissionsScheduled:N0} scheduled, {rc.BackboneRetransmissionsCancelled:N0} cancelled"),
                ];
            }

            RoutePoisoningMetrics rp = r.RoutePoisoning;
            rows = [.. rows,
                ("route poisoning", $"{rp.Share:P2} of {rp.Routes:N0} routes at honest nodes at the end ({rp.ThroughNonExistent} through non-existent ids, {rp.ThroughAdversaries} through adversaries)"
                    + (rp.Parents > 0 ? $", gradient parents {rp.PoisonedParents}/{rp.Parents}" : "") + $"; mean {rp.MeanShare:P2}, max {rp.MaxShare:P2} over {rp.Samples} samples"),
            ];
            if (r.KeyRefresh is KeyRefreshMetrics kr)
            {
                string phases = string.Join(", ", kr.Phases.ConvertAll(p => $"phase {p.Phase} {p.Acknowledged}/{p.Targets} at {p.EndedSeconds:0.#} s"));
                rows = [.. rows,
                    ("key refresh", (kr.FinishedSeconds is double f ? $"{kr.StartedSeconds:0.#}–{f:0.#} s" : $"from {kr.StartedSeconds:0.#} s, not finished (phase {kr.Phase}{(kr.Stalled != null ? ", stalled: " + kr.Stalled : "")})")
                        + $"; evicted [{string.Join(", ", kr.Evicted)}]; {phases}; {kr.CommandsSent} commands ({kr.CommandsTimedOut} timed out, key sent again {kr.KeysSentAgain}); honest nodes on the new key only {kr.NodesOnNewKeyOnly}, still holding the old {kr.NodesStillHoldingOldKey}"),
                    ("delivery during refresh", $"{kr.ReadingsDeliveredDuring:N0}/{kr.ReadingsSentDuring:N0} honest readings ({kr.ReadingDeliveryDuring:P1})"),
                    ("evicted injections", $"while it ran: {kr.EvictedInjectionsDuring:N0} sent, taken {kr.EvictedInjectionsTakenDuring:N0} times; after it: {kr.EvictedInjectionsAfter:N0} sent, taken {kr.EvictedInjectionsTakenAfter} times, refused unknown_key {kr.EvictedRefusedUnknownKeyAfter:N0}"),
                ];
            }

            if (r.Qos.Babblers.Count + r.Qos.StuckSensors.Count > 0)
            {
                rows = [.. rows,
                    ("babblers / stuck sensors", $"nodes [{string.Join(", ", r.Qos.Babblers)}] / [{string.Join(", ", r.Qos.StuckSensors)}]: {r.Qos.ExcludedMessagesSent:N0} messages sent, {r.Qos.ExcludedMessagesDelivered:N0} delivered (not in the lines above)"),
                    ("babble carried", $"{r.Qos.BabblerFramesOriginated:N0} frames originated, {r.Qos.BabblerRelayTransmissions:N0} relay transmissions, {r.Qos.BabblerTransmissionsBeyond2Hops:N0} beyond 2 hops ({r.Qos.BabblerBeyond2HopsPerOriginated} per frame originated); {r.Qos.BabblerFramesBeyond2Hops:N0} frames ({r.Qos.BabblerShareBeyond2Hops:P2} of those originated) got beyond 2 hops"),
                ];
            }
            if (CliConsole.Interactive)
            {
                var table = new Table().AddColumn("metric").AddColumn("value");
                foreach (var (k, v) in rows)
                {
                    table.AddRow(Markup.Escape(k), Markup.Escape(v));
                }

                AnsiConsole.Write(table);
            }
            else
            {
                foreach (var (k, v) in rows)
                {
                    System.Console.WriteLine($"{k,-28} {v}");
                }
            }
        }
    }
}
