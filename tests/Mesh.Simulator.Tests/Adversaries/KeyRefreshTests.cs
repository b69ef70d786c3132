using System.Linq;
using Mesh.Protocol.Security;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Tests.Adversaries
{
    /// <summary>
    /// A network key refresh with eviction (PROTOCOL.md, "Key refresh and eviction") driven by the
    /// simulated gateway through the core's command API, on a small grid with two insiders: bounds and
    /// invariants, not exact counts.
    /// </summary>
    public class KeyRefreshTests
    {
        /// <summary>36 nodes, managed flooding, an insider and an evicted insider, a refresh at 90 s that evicts both.</summary>
        private static Scenario Small(string evict = "[\"insiders\"]", string extra = "", int readingSeconds = 20) => ScenarioLoader.Parse($$"""
            {
              "name": "key-refresh-36", "seed": 3, "durationSeconds": 300, "warmupSeconds": 30,
              "topology": { "kind": "grid", "nodes": 36, "spacingMeters": 18 },
              "radio": { "txPowerDbm": 0, "pathLossExponent": 3.0, "shadowingSigmaDb": 3 },
              "policy": { "kind": "managed", "cancelThreshold": 2 },
              "workload": { "readingIntervalSeconds": {{readingSeconds}}, "commandIntervalSeconds": 15, "heartbeatIntervalSeconds": 300 },
              "keyRefresh": { "atSeconds": 90, "evict": {{evict}} },
              "adversaries": [
                { "kind": "insider", "count": 1, "intervalSeconds": 2 },
                { "kind": "evictedInsider", "count": 1, "intervalSeconds": 2 }
              ]{{extra}}
            }
            """);

        [Fact]
        public void Every_node_completes_each_phase_and_the_evicted_insiders_are_outsiders_after_it()
        {
            // Readings every 5 s: the refresh takes a few seconds once an insider's forgeries under a node's next
            // sequence no longer cost that node its messages (its commands' acks included), and "delivery
            // continues through the switch" needs a sample of readings sent while it runs.
            var sim = new Simulation(Small(readingSeconds: 5));
            RunResult r = sim.Run();
            KeyRefreshMetrics k = r.KeyRefresh!;

            Assert.NotNull(k.FinishedSeconds);
            Assert.Equal(3, k.Phase);
            Assert.Null(k.Stalled);
            uint[] insiders = sim.Nodes.Where(n => n.Behaviour is NodeBehaviour.Insider or NodeBehaviour.EvictedInsider).Select(n => n.Id).OrderBy(i => i).ToArray();
            Assert.Equal(insiders, k.Evicted);
            int honest = sim.Nodes.Count(n => n.Behaviour == NodeBehaviour.Honest && !n.IsSink);
            Assert.Equal(honest, k.Targets);
            Assert.Equal(new[] { 1, 2, 3 }, k.Phases.Select(p => p.Phase));
            Assert.All(k.Phases, p => Assert.Equal(honest, p.Acknowledged));
            Assert.All(k.Phases, p => Assert.Empty(p.NotAcknowledged));

            // Every honest core, gateway included, holds the new key alone.
            foreach (SimNode n in sim.Nodes.Where(n => n.Behaviour == NodeBehaviour.Honest))
            {
                NetworkKeyRing ring = n.Core!.NetworkKeys;
                Assert.Equal(1, ring.Current.Index);
                Assert.Null(ring.Next);
                Assert.Null(ring.Find(0));
            }

            Assert.Equal(honest, k.NodesOnNewKeyOnly);
            Assert.Equal(0, k.NodesStillHoldingOldKey);

            // The metric can fail: while the refresh ran, relays took the evicted insiders' frames (they
            // still held the old key). After it, nothing an evicted insider sent was taken anywhere.
            Assert.True(k.EvictedInjectionsTakenDuring > 0, $"{k.EvictedInjectionsTakenDuring} taken while the refresh ran");
            Assert.True(k.EvictedInjectionsAfter > 20, $"{k.EvictedInjectionsAfter} injections after the refresh");
            Assert.Equal(0, k.EvictedInjectionsTakenAfter);
            Assert.True(k.EvictedRefusedUnknownKeyAfter > 0);

            // Delivery continues through the switch.
            Assert.True(k.ReadingsSentDuring > 20, $"{k.ReadingsSentDuring} readings during the refresh ({k.StartedSeconds}–{k.FinishedSeconds} s)");
            Assert.True(k.ReadingDeliveryDuring >= 0.95, $"delivery during the refresh {k.ReadingDeliveryDuring:P1}");
            Assert.Equal(0, r.Security.InsiderForgeriesAccepted);
            Assert.Equal(0, r.Security.InsiderCommandsExecuted);
            Assert.Equal(0, r.Security.CommandsExecutedTwice);
            Assert.Equal(0, r.Security.ForgedDelivered);
        }

        [Fact]
        public void A_node_restarted_mid_refresh_comes_back_with_its_stored_keys_and_completes()
        {
            // Node 1 loses power right after phase 1 starts and returns 20 s later; node 30 stays down
            // through the whole refresh (it is listed as not acknowledged and keeps the old key).
            Scenario s = Small(extra: """, "faults": { "crashes": [ { "node": 1, "atSeconds": 92, "restartAtSeconds": 112 }, { "node": 30, "atSeconds": 85 } ] }""");
            s.KeyRefresh!.PhaseDeadlineSeconds = 40;
            var sim = new Simulation(s);
            RunResult r = sim.Run();
            KeyRefreshMetrics k = r.KeyRefresh!;
            Assert.True(sim.Nodes[1].Behaviour == NodeBehaviour.Honest && !sim.Nodes[1].IsSink);
            Assert.True(sim.Nodes[30].Behaviour == NodeBehaviour.Honest && !sim.Nodes[30].IsSink);

            Assert.NotNull(k.FinishedSeconds);
            uint down = sim.Nodes[30].Id;
            Assert.Contains(down, k.Phases[0].NotAcknowledged);
            Assert.True(k.Phases[0].DeadlinePassed);
            Assert.All(k.Phases.Skip(1), p => Assert.DoesNotContain(down, p.NotAcknowledged));
            Assert.DoesNotContain(sim.Nodes[1].Id, k.Phases[2].NotAcknowledged);
            Assert.Equal(1, sim.Nodes[1].Core!.NetworkKeys.Current.Index);
            Assert.Equal(0, k.EvictedInjectionsTakenAfter);
            Assert.Equal(0, r.Security.CommandsExecutedTwice);
        }
    }
}
