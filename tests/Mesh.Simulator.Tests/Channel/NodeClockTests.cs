using Mesh.Simulator.Engine;

namespace Mesh.Simulator.Tests.Channel
{
    /// <summary>A drifting board clock and its inverse: when the core asks to be woken at a local millisecond.</summary>
    public class NodeClockTests
    {
        [Theory]
        [InlineData(0, 0)]
        [InlineData(20, 123.4)]
        [InlineData(-20, 999.9)]
        [InlineData(1000, 500)]
        public void Wake_time_is_the_first_microsecond_the_clock_reads_that_millisecond(double ppm, double offsetUs)
        {
            var clock = new NodeClock(ppm, offsetUs);
            foreach (long ms in new long[] { 1, 2, 999, 60_000, 3_600_000, 86_400_000 })
            {
                long t = clock.SimUsAt(ms);
                Assert.True(clock.LocalMs(t) >= ms);
                Assert.True(t == 0 || clock.LocalMs(t - 1) < ms);
            }
        }

        [Fact]
        public void A_remembered_wake_time_is_the_clock_s_answer()
        {
            var node = new SimNode { Clock = new NodeClock(-35, 321.5) };
            foreach (long ms in new long[] { 5, 5, 7, 60_000, 5, 60_000, 60_000, 86_400_000 })
            {
                Assert.Equal(node.Clock.SimUsAt(ms), node.WakeUsAt(ms));
            }
        }

        [Fact]
        public void A_fast_clock_gains_its_drift()
        {
            var clock = new NodeClock(100, 0);
            Assert.Equal(3_600_360, clock.LocalMs(3_600_000_000)); // 100 ppm of an hour: 360 ms
        }
    }
}
