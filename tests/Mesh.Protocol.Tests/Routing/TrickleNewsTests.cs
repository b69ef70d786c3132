using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// What news does to Trickle (PROTOCOL.md "Structured routing", Trickle): a route gained or lost, or a cost
    /// that rose by half or more, resets the interval; a cost that fell, or rose by less, sends one beacon soon
    /// (a prompt) and leaves the interval as it was; a route-less neighbour's plea is answered by one beacon soon
    /// unless k others are heard first, the interval kept.
    /// </summary>
    public class TrickleNewsTests
    {
        private const long Imin = 1_000;
        private const long Imax = 512_000;

        private static TrickleTimer Settled(IRandomSource random, out long now)
        {
            var t = new TrickleTimer(Imin, Imax, 1);
            now = 0;
            t.Start(now, random);
            while (t.IntervalMs < 64_000)
            {
                now += 100;
                t.Poll(now, random);
            }

            return t;
        }

        /// <summary>Gateway 1 - 2 - 3 - 4 after five minutes: node 3 routes through 2, its Trickle at a long interval.</summary>
        private static InMemoryMesh SettledLine(out StructuredRouting r3)
        {
            var mesh = LineWithGateway(3);
            mesh.RunFor(300_000);
            r3 = mesh[3].Routing!;
            Assert.Equal(2u, r3.Gradient.Parent);
            Assert.True(r3.Trickle.IntervalMs >= 64_000, $"node 3's Trickle settled ({r3.Trickle.IntervalMs} ms)");
            return mesh;
        }

        /// <summary>Node 2 (an insider here, node 3's parent) beacons <paramref name="cost"/> and <paramref name="hops"/>; node 3 takes it.</summary>
        private static void ParentAdvertises(InMemoryMesh mesh, uint sequence, int cost, int hops, uint parent, uint gateway)
        {
            byte[] beacon = Forge(MessageType.Beacon, 2, NodeAddress.Broadcast, sequence, mesh[3].NetworkTime(mesh.Now),
                BeaconPayload(false, cost, hops, parent, gateway, (1, 255), (3, 255)), mesh.Key);
            mesh.Inject(2, beacon);
            mesh.RunFor(10);
        }

        /// <summary>Whether node 3 sent a beacon after <paramref name="fromMs"/> and within Imin of it.</summary>
        private static bool Node3BeaconedWithinImin(InMemoryMesh mesh, long fromMs) =>
            mesh.Log.Any(t => t.Node == 3 && t.Type == MessageType.Beacon && t.TimeMs > fromMs && t.TimeMs <= fromMs + Imin + 10);

        [Fact]
        public void A_prompt_sends_one_beacon_within_imin_even_when_suppressed_and_keeps_the_interval()
        {
            var random = new XorShiftRandom(5);
            TrickleTimer t = Settled(random, out long now);
            long interval = t.IntervalMs;
            long promptedAt = now;
            t.Prompt(now, random);
            t.Prompt(now + 10, random); // a second prompt while one is pending changes nothing
            t.HeardConsistent();
            t.HeardConsistent(); // k = 1: the interval's own beacon is suppressed, the prompt is not

            var sent = new System.Collections.Generic.List<long>();
            while (now < promptedAt + Imin)
            {
                now += 10;
                if (t.Poll(now, random))
                {
                    sent.Add(now);
                }
            }

            long only = Assert.Single(sent);
            Assert.InRange(only, promptedAt + Imin / 2, promptedAt + Imin);
            Assert.False(t.Prompted);
            Assert.True(t.IntervalMs >= interval, $"interval {t.IntervalMs} ms after a prompt, {interval} ms before");
        }

        [Fact]
        public void An_answer_is_one_beacon_within_imin_unless_k_consistent_beacons_are_heard_first_and_keeps_the_interval()
        {
            var random = new XorShiftRandom(7);
            TrickleTimer t = Settled(random, out long now);
            long interval = t.IntervalMs;
            t.HeardConsistent(); // k = 1: the interval's own beacon is suppressed; the answer counts only what comes after it
            long askedAt = now;
            t.Answer(now, random);
            t.Answer(now + 10, random); // a second plea while the answer is pending changes nothing
            Assert.True(t.Answering);

            var sent = new System.Collections.Generic.List<long>();
            while (now < askedAt + Imin)
            {
                now += 10;
                if (t.Poll(now, random))
                {
                    sent.Add(now);
                }
            }

            long only = Assert.Single(sent);
            Assert.InRange(only, askedAt + Imin / 2, askedAt + Imin);
            Assert.False(t.Answering);
            Assert.True(t.IntervalMs >= interval, $"interval {t.IntervalMs} ms after an answer, {interval} ms before");

            // Another neighbour answered first (k = 1 consistent beacon heard): ours is not sent.
            askedAt = now;
            t.Answer(now, random);
            t.HeardConsistent();
            sent.Clear();
            while (now < askedAt + Imin)
            {
                now += 10;
                if (t.Poll(now, random))
                {
                    sent.Add(now);
                }
            }

            Assert.Empty(sent);
            Assert.False(t.Answering);
            Assert.True(t.IntervalMs >= interval);
        }

        [Fact]
        public void A_beacon_sent_for_another_reason_after_a_plea_is_its_answer()
        {
            var random = new XorShiftRandom(8);
            TrickleTimer t = Settled(random, out long now);
            t.HeardConsistent(); // the interval's own beacon suppressed (k = 1)
            t.Prompt(now, random); // minor news of this node's own: a beacon in [Imin/2, Imin) from now
            now += Imin - 10;
            long askedAt = now;
            t.Answer(now, random); // due at least Imin/2 later, after the prompt's beacon

            int sent = 0;
            while (now < askedAt + 2 * Imin)
            {
                now += 10;
                if (t.Poll(now, random))
                {
                    sent++;
                }
            }

            Assert.Equal(1, sent);
            Assert.False(t.Answering);
            Assert.False(t.Prompted);
        }

        /// <summary>
        /// A route-less beacon is a plea (PROTOCOL.md *Beacons*): a routed neighbour answers it with one beacon and
        /// keeps its interval. A reset, as before stop 34, answered too and then beaconed at 1, 2, 4 … s.
        /// </summary>
        [Fact]
        public void A_route_less_neighbour_is_answered_with_one_beacon_and_the_interval_kept()
        {
            var mesh = SettledLine(out StructuredRouting r3);
            long settled = r3.Trickle.IntervalMs;
            long pleadedAt = mesh.Now;
            byte[] plea = Forge(MessageType.Beacon, 4, NodeAddress.Broadcast, mesh[4].NextSequence + 50, mesh[3].NetworkTime(mesh.Now),
                BeaconPayload(false, Beacon.NoCost, Beacon.NoHops, 0, 0), mesh.Key);
            mesh.Inject(4, plea);
            mesh.RunFor(10);
            Assert.True(r3.Trickle.Answering, "node 3 did not take the route-less beacon for a plea");

            mesh.RunFor(4 * Imin);
            Assert.Single(mesh.Log, t => t.Node == 3 && t.Type == MessageType.Beacon && t.TimeMs > pleadedAt);
            Assert.True(Node3BeaconedWithinImin(mesh, pleadedAt), "the answer came later than Imin");
            Assert.True(r3.Trickle.IntervalMs >= settled, $"a plea left node 3's interval at {r3.Trickle.IntervalMs} ms (was {settled})");
        }

        [Fact]
        public void A_reset_goes_back_to_imin()
        {
            var random = new XorShiftRandom(6);
            TrickleTimer t = Settled(random, out long now);
            t.Reset(now, random);
            Assert.Equal(Imin, t.IntervalMs);
        }

        [Fact]
        public void A_cost_rise_resets_trickle_and_the_fall_back_prompts_one_beacon()
        {
            var mesh = SettledLine(out StructuredRouting r3);
            int costBefore = r3.Gradient.Cost;

            // Node 2 advertises a far higher cost, still with a route: node 3's own cost rises by more than half
            // and it keeps its route (4 is its child, 2 its only way up). Bad news: Trickle resets.
            uint seq = mesh[2].NextSequence + 50;
            ParentAdvertises(mesh, seq, 200, 1, 1, 1);
            Assert.True(r3.Gradient.Cost >= costBefore + GradientTable.SignificantCostChange, $"cost {costBefore} -> {r3.Gradient.Cost}");
            Assert.True(r3.Gradient.HasRoute);
            Assert.Equal(Imin, r3.Trickle.IntervalMs);
            int raised = r3.Gradient.Cost;

            // Some time later node 2 advertises its true cost again: node 3's cost falls back. Good news: one
            // prompt beacon, the interval kept.
            mesh.RunFor(20_000);
            long intervalAtFall = r3.Trickle.IntervalMs;
            Assert.True(intervalAtFall >= 8 * Imin, $"Trickle only at {intervalAtFall} ms 20 s after the reset");
            long fellAt = mesh.Now;
            ParentAdvertises(mesh, seq + 1, 16, 1, 1, 1);
            Assert.True(r3.Gradient.Cost + GradientTable.SignificantCostChange <= raised && r3.Gradient.HasRoute, $"cost {raised} -> {r3.Gradient.Cost}");
            mesh.RunFor(Imin);
            Assert.True(Node3BeaconedWithinImin(mesh, fellAt), "no prompt beacon after the fall");
            Assert.True(r3.Trickle.IntervalMs >= intervalAtFall, $"a fall in cost left node 3's interval at {r3.Trickle.IntervalMs} ms (was {intervalAtFall})");
        }

        [Fact]
        public void A_small_cost_rise_prompts_one_beacon_and_keeps_the_interval()
        {
            var mesh = SettledLine(out StructuredRouting r3);
            long settled = r3.Trickle.IntervalMs;
            int c3 = r3.Gradient.Cost;
            int c2 = r3.Gradient.AdvertisedCost(2, mesh.Now); // what node 3 holds for its parent

            // Node 2 advertises a little more: node 3's cost rises by news (at least 16 and a quarter) but by
            // less than half its cost. Minor news: one prompt beacon, the interval kept.
            int rise = System.Math.Max(GradientTable.SignificantCostChange, c3 / GradientTable.RelativeCostChange) + 8; // the new sample also improves the link estimate a little
            Assert.True(rise < c3 / GradientTable.RelativeBadNews, $"a rise of {rise} on a cost of {c3} is not small here");
            // Node 2's next sequence number: a gap would lower node 3's estimate of the link (and raise its cost more).
            long injected = mesh.Now;
            ParentAdvertises(mesh, mesh[2].NextSequence, c2 + rise, 1, 1, 1);
            Assert.InRange(r3.Gradient.Cost, c3 + GradientTable.SignificantCostChange, c3 + (c3 / GradientTable.RelativeBadNews) - 1);
            mesh.RunFor(Imin);
            Assert.True(Node3BeaconedWithinImin(mesh, injected), "no prompt beacon after the small rise");
            Assert.True(r3.Trickle.IntervalMs >= settled, $"a small rise left node 3's interval at {r3.Trickle.IntervalMs} ms (was {settled})");
        }

        [Fact]
        public void A_lost_route_resets_trickle()
        {
            var mesh = SettledLine(out StructuredRouting r3);
            ParentAdvertises(mesh, mesh[2].NextSequence + 50, Beacon.NoCost, Beacon.NoHops, 0, 0);
            Assert.False(r3.Gradient.HasRoute);
            Assert.Equal(Imin, r3.Trickle.IntervalMs);
        }
    }
}
