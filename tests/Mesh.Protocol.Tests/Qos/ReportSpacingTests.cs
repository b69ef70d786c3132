using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Tests.Harness;

namespace Mesh.Protocol.Tests.Qos
{
    /// <summary>
    /// PROTOCOL.md, "Congestion control", own-report spacing: the integral controller's known answers,
    /// and at node level that a busy channel spaces a node's reports further and further while a
    /// babbler's refused frames do not.
    /// </summary>
    public class ReportSpacingTests
    {
        private const int Theta = 120;

        [Fact]
        public void Above_the_threshold_the_factor_grows_by_half_each_window_up_to_16()
        {
            var s = new ReportSpacing(10_000);
            Assert.Equal(1000, s.Step(0, 500, Theta)); // the first call starts the clock
            int[] expected = { 1500, 2250, 3375, 5062, 7593, 11389, 16000, 16000 };
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], s.Step((i + 1) * 10_000L, 121, Theta));
            }
        }

        [Fact]
        public void It_steps_at_most_once_a_window()
        {
            var s = new ReportSpacing(10_000);
            s.Step(0, 500, Theta);
            Assert.Equal(1000, s.Step(9_999, 500, Theta));
            Assert.Equal(1500, s.Step(10_000, 500, Theta));
            Assert.Equal(1500, s.Step(19_999, 500, Theta));
            Assert.Equal(2250, s.Step(20_000, 500, Theta));
        }

        [Theory]
        [InlineData(120, 3375)] // at the threshold: holds
        [InlineData(90, 3375)]  // at 3θ/4: holds
        [InlineData(89, 2700)]  // below 3θ/4: × 4/5
        [InlineData(0, 2700)]
        public void Between_three_quarters_of_the_threshold_and_the_threshold_it_holds_below_it_shrinks(int utilisation, int factor)
        {
            var s = new ReportSpacing(10_000);
            s.Step(0, 0, Theta);
            s.Step(10_000, 500, Theta);
            s.Step(20_000, 500, Theta);
            Assert.Equal(3375, s.Step(30_000, 500, Theta));
            Assert.Equal(factor, s.Step(40_000, utilisation, Theta));
        }

        [Fact]
        public void It_shrinks_back_to_1_and_no_further()
        {
            var s = new ReportSpacing(10_000);
            s.Step(0, 0, Theta);
            s.Step(10_000, 500, Theta);
            int[] expected = { 1200, 1000, 1000 };
            for (int i = 0; i < expected.Length; i++)
            {
                Assert.Equal(expected[i], s.Step((i + 2) * 10_000L, 0, Theta));
            }
        }

        [Fact]
        public void Airtime_refused_for_fair_share_is_taken_off_the_utilisation()
        {
            var s = new ReportSpacing(10_000);
            s.Step(0, 0, Theta);
            // 1.5 s of refused airtime in 10 s is 150 permille: 200 − 150 = 50, below 3θ/4 — no growth.
            for (int i = 0; i < 1000; i++)
            {
                s.AddRefused(1_500);
            }

            Assert.Equal(1000, s.Step(10_000, 200, Theta));

            // The refused airtime counts once: the next window, with none refused, 200 is over θ.
            Assert.Equal(1500, s.Step(20_000, 200, Theta));
        }

        [Fact]
        public void A_busy_channel_spaces_a_nodes_reports_and_a_babblers_refused_frames_do_not()
        {
            // The same neighbour sends 100 readings a second for three minutes; once with the listener's
            // fair share wide enough to relay them all (a busy honest channel), once at the default share.
            int relayed = SpacingAfterNoise(fairSharePerMinute: 6000);
            int refused = SpacingAfterNoise(fairSharePerMinute: 6);

            Assert.True(relayed >= 4000, $"a busy channel left the report spacing at {relayed} permille");
            Assert.True(refused <= 1500, $"a babbler's refused frames spaced an honest node's reports to {refused} permille");
        }

        private static int SpacingAfterNoise(int fairSharePerMinute)
        {
            const uint Noisy = 1;
            const uint Listener = 2;
            var mesh = new InMemoryMesh();
            NodeConfig noisy = InMemoryMesh.Config(Noisy, NodeRole.Sensor);
            noisy.DutyCyclePermille = 1000;
            noisy.TransmitQueueSize = 64;
            mesh.Add(noisy);
            NodeConfig listener = InMemoryMesh.Config(Listener, NodeRole.Sensor);
            listener.ReportIntervalMs = 1_000;
            listener.FairShareFramesPerMinute = fairSharePerMinute;
            listener.FairShareBurst = 255;
            mesh.Add(listener);
            mesh.Link(Noisy, Listener);

            var set = new ReadingSet();
            for (long t = 0; t < 180_000; t += 10)
            {
                set.Clear();
                set.AddRaw(Quantity.Temperature, (int)(t % 5000));
                mesh[Noisy].SendReadings(set, mesh.Now);
                mesh.RunFor(10);
            }

            return mesh[Listener].Counters.ReportSpacingPermille;
        }
    }
}
