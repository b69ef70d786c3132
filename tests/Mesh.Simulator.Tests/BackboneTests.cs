using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol.Node;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;
using Xunit.Abstractions;

namespace Mesh.Simulator.Tests
{
    /// <summary>The broadcast backbone (issue 13) on the committed scenarios, side by side with managed flooding.</summary>
    public class BackboneTests
    {
        private readonly ITestOutputHelper _output;

        public BackboneTests(ITestOutputHelper output)
        {
            _output = output;
        }

        private (RunResult Result, Simulation Sim) Run(string file, string? policy = null, bool backbone = true, Dictionary<string, int>? textCopies = null)
        {
            Scenario s = ScenarioLoader.Load(Paths.Scenario(file));
            s.Policy.Backbone = backbone;
            if (policy != null)
            {
                s.Policy.Kind = policy;
            }

            var sim = new Simulation(s);
            var tally = textCopies ?? new Dictionary<string, int>();
            var sent = new HashSet<(uint, uint, uint)>();
            sim.FrameTransmitted = (node, bytes, length, _) =>
            {
                FrameHeader h = Frames.Header(bytes, length);
                if (h.Type == MessageType.Text)
                {
                    string k = !sent.Add((node.Id, h.Origin, h.Sequence)) ? "second copy" : h.Origin == node.Id ? "origin" : (node.Core?.IsBackboneRelay == true ? "relay" : "non-relay");
                    tally[k] = (tally.TryGetValue(k, out int c) ? c : 0) + 1;
                }
            };
            RunResult r = sim.Run();
            _output.WriteLine($"{file} {policy ?? s.Policy.Kind}: coverage {r.Coverage.Reachable:P2} of the reachable, raw {r.Broadcasts.DeliveryRatio:P2}, {r.BroadcastTransmissionsPerCds}x CDS ({r.GreedyCdsSize}), schedule estimate {r.Cost.BroadcastScheduleEstimate}x, {r.Broadcasts.Sent} broadcasts; readings {r.Readings.DeliveryRatio:P2}; commands {r.Commands.Acknowledged}/{r.Commands.Sent}; tx {r.Transmissions}");
            _output.WriteLine("  text tx by " + string.Join(", ", tally.OrderBy(k => k.Key).Select(k => $"{k.Key} {k.Value}")));
            var bbs = sim.Nodes.Where(n => n.Core?.Routing?.Backbone != null).Select(n => n.Core!.Routing!.Backbone!).ToList();
            if (bbs.Count > 0)
            {
                int strong = 0, beaconed = 0;
                foreach (var b in bbs)
                {
                    strong += b.StrongNeighbours(out int bc);
                    beaconed += bc;
                }

                _output.WriteLine($"  strong neighbours per node {strong / (double)bbs.Count:F1}, of them beaconed {beaconed / (double)bbs.Count:F1}; beacons sent {sim.Nodes.Sum(n => n.Core!.Routing!.BeaconsSent)}");
                RoutingCounters c = r.Routing;
                _output.WriteLine($"  relays {sim.Nodes.Count(n => n.Core!.IsBackboneRelay)}/{sim.Nodes.Count}; scheduled {c.BackboneRelayCopies}, fallbacks {c.BackboneFallbacks}, covered on arrival {c.BackboneCoveredOnArrival}, cancelled covered {c.BackboneCancelledCovered}, retx scheduled {c.BackboneRetransmissionsScheduled}, retx cancelled {c.BackboneRetransmissionsCancelled}, cancelled counted {c.BackboneCancelledCounted} (fallbacks among the cancelled {c.BackboneFallbacksCancelled})");
            }

            return (r, sim);
        }

        // Measured on the tree of 2026-11-30 (simulator/README.md, "Broadcast backbone"): 10 % loss 99.90 %
        // at 3.43x the greedy CDS (managed flooding 99.87 % at 5.37x); 30 % loss 99.81 % at 4.40x (managed
        // 99.54 % at 6.79x). The bounds leave room for the model to move; the 2.0x / 2.6x are not met.
        [Theory]
        [InlineData("backbone-200.json", 3.9)]
        [InlineData("backbone-200-loss30.json", 4.9)]
        public void Broadcasts_ride_the_backbone_at_a_bounded_multiple_of_the_greedy_cds(string file, double maxPerCds)
        {
            var (r, sim) = Run(file);
            Assert.True(r.Coverage.Reachable >= 0.995, $"coverage {r.Coverage.Reachable:P2} of the reachable");
            Assert.True(r.BroadcastTransmissionsPerCds <= maxPerCds, $"{r.BroadcastTransmissionsPerCds}x the greedy CDS");
            // Against what the links allow a schedule that does not learn who received (stop 34, seeds 1-3:
            // 1.78-1.81x the estimate at 10 % loss, 1.44-1.48x at 30 %).
            Assert.True(r.Cost.BroadcastScheduleEstimate > 1, $"estimate {r.Cost.BroadcastScheduleEstimate}x the greedy CDS");
            Assert.True(r.BroadcastTransmissionsPerCds <= 2.1 * r.Cost.BroadcastScheduleEstimate,
                $"{r.BroadcastTransmissionsPerCds}x the greedy CDS against the schedule estimate {r.Cost.BroadcastScheduleEstimate}x");
            Assert.True(r.Readings.DeliveryRatio >= 0.995, $"readings {r.Readings.DeliveryRatio:P2}");
            Assert.Equal(r.Commands.Sent, r.Commands.Acknowledged);
            // The backbone is a strict subset of the nodes, decided from beacons.
            int relays = sim.Nodes.Count(n => n.Core!.IsBackboneRelay);
            Assert.InRange(relays, 1, sim.Nodes.Count * 3 / 5);
        }

        /// <summary>
        /// The backbone's counters (result.json routing, `mesh-sim run`'s "backbone" line) say where a broadcast's copies
        /// go: every cancellation is of a scheduled copy, and the copies they leave sent — relay copies and fallbacks
        /// not cancelled, second copies not cancelled — cover at least the text copies seen on air (broadcasts are
        /// text; flooded heartbeats ride the backbone too) and no more than all transmissions.
        /// </summary>
        [Fact]
        public void The_backbone_counters_account_for_the_broadcast_copies_on_air()
        {
            var textCopies = new Dictionary<string, int>();
            var (r, _) = Run("backbone-200.json", textCopies: textCopies);
            RoutingCounters c = r.Routing;
            Assert.True(c.BackboneRelayCopies > 0 && c.BackboneFallbacks > 0 && c.BackboneCancelledCounted > 0 && c.BackboneRetransmissionsScheduled > 0);
            long cancelled = c.BackboneCancelledCovered + c.BackboneCancelledCounted;
            Assert.InRange(cancelled, 1, c.BackboneRelayCopies + c.BackboneFallbacks);
            Assert.InRange(c.BackboneFallbacksCancelled, 0, c.BackboneFallbacks);
            Assert.InRange(c.BackboneFallbacksCancelled, 0, cancelled);
            Assert.InRange(c.BackboneRetransmissionsCancelled, 0, c.BackboneRetransmissionsScheduled);

            long sent = c.BackboneRelayCopies + c.BackboneFallbacks - cancelled + c.BackboneRetransmissionsScheduled - c.BackboneRetransmissionsCancelled;
            long textRelayed = textCopies.Where(k => k.Key != "origin").Sum(k => (long)k.Value);
            _output.WriteLine($"backbone copies left to send {sent}, text copies relayed on air {textRelayed}, all transmissions {r.Transmissions}");
            Assert.InRange(textRelayed, 1, sent);
            Assert.InRange(sent, textRelayed, r.Transmissions);
        }

        [Theory]
        [InlineData("backbone-200.json")]
        [InlineData("backbone-200-loss30.json")]
        public void The_backbone_costs_less_than_managed_flooding_on_the_same_scenario_and_seed(string file)
        {
            var (backbone, _) = Run(file);
            var (managed, _) = Run(file, "managed");
            Assert.True(managed.Coverage.Reachable >= 0.99);
            Assert.True(backbone.BroadcastTransmissionsPerCds <= 0.8 * managed.BroadcastTransmissionsPerCds,
                $"backbone {backbone.BroadcastTransmissionsPerCds}x, managed {managed.BroadcastTransmissionsPerCds}x");
        }
    }
}
