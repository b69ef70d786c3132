using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Sweeps;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Adversaries
{
    /// <summary>Route poisoning (share of honest nodes' routes through non-existent or malicious nodes): bounds on small meshes.</summary>
    public class RoutePoisoningTests
    {
        private static Scenario Grid(string policy, string adversaries) => ScenarioLoader.Parse($$"""
            {
              "name": "route-poisoning-36", "seed": 4, "durationSeconds": 240, "warmupSeconds": 30,
              "topology": { "kind": "grid", "nodes": 36, "spacingMeters": 18 },
              "radio": { "txPowerDbm": 0, "pathLossExponent": 3.0, "shadowingSigmaDb": 3 },
              "policy": { "kind": "{{policy}}", "cancelThreshold": 2 },
              "workload": { "readingIntervalSeconds": 20, "commandIntervalSeconds": 15, "heartbeatIntervalSeconds": 300 },
              "adversaries": [ {{adversaries}} ]
            }
            """);

        [Fact]
        public void An_honest_mesh_and_outsiders_poison_no_route()
        {
            // Tamperers rewrite previous hops to themselves and to invented ids; the MIC refuses them all.
            RunResult r = new Simulation(Grid("managed", """{ "kind": "tamperer", "count": 2, "delaySeconds": 0.05 }, { "kind": "echo", "count": 1 }""")).Run();
            RoutePoisoningMetrics p = r.RoutePoisoning;
            Assert.True(p.Routes > 100, $"{p.Routes} routes");
            Assert.Equal(0, p.Poisoned);
            Assert.Equal(0, p.MeanShare);
            Assert.Equal(0, p.MaxShare);
            Assert.True(p.Samples >= 5, $"{p.Samples} samples");
        }

        [Fact]
        public void An_insiders_forgeries_show_as_routes_through_it()
        {
            // An insider's forgeries carry a valid network MIC and itself as previous hop: relays learn
            // routes to the origins it claims through it. The metric must see that (it can fail).
            RunResult r = new Simulation(Grid("managed", """{ "kind": "insider", "count": 1, "intervalSeconds": 1 }""")).Run();
            RoutePoisoningMetrics p = r.RoutePoisoning;
            Assert.True(p.MaxShare > 0, $"max share {p.MaxShare}");
            Assert.True(p.ThroughAdversaries > 0, $"{p.ThroughAdversaries} routes through the insider at the end");
            Assert.Equal(0, p.ThroughNonExistent);
            Assert.InRange(p.Share, 0, 1);
            Assert.Equal(p.Poisoned, p.ThroughAdversaries + p.ThroughNonExistent);
        }

        [Fact]
        public void Structured_routing_counts_gradient_parents()
        {
            RunResult r = new Simulation(Grid("structured", """{ "kind": "tamperer", "count": 2, "delaySeconds": 0.05 }""")).Run();
            RoutePoisoningMetrics p = r.RoutePoisoning;
            Assert.True(p.Parents > 20, $"{p.Parents} parents");
            Assert.Equal(0, p.PoisonedParents);
            Assert.Equal(0, p.Poisoned);
        }

        [Fact]
        public void The_share_is_in_result_json_and_the_sweep_table()
        {
            var point = new SweepPoint(1, 1, 1, 1, 1, 1, 1, 1, 1) { RoutePoisoningShare = 0.25, RoutePoisoningMeanShare = 0.125 };
            string header = Sweep.Csv("policy.p", new[] { point }).Split('\n')[0];
            Assert.Contains("route_poisoning_share", header.Split(','));
            Assert.Contains("route_poisoning_mean_share", header.Split(','));
            Assert.Contains("25.00% / 12.50%", Sweep.Markdown("policy.p", new[] { point }).Replace(" %", "%"));
        }
    }
}
