using Mesh.NodeApp.Runtime;
using Xunit;

namespace Mesh.Node.Tests.Board
{
    /// <summary>The relay image's clock over the wall clock: time passes with it, SNTP's steps do not.</summary>
    public class MonotonicClockTests
    {
        [Fact]
        public void Time_passing_on_the_wall_clock_passes_on_the_node_clock()
        {
            var clock = new MonotonicClock();
            Assert.Equal(0, clock.Read(5_000));
            Assert.Equal(1_000, clock.Read(6_000));
            Assert.Equal(6_000, clock.Read(11_000));
        }

        [Fact]
        public void The_first_sntp_answer_a_jump_of_decades_adds_nothing()
        {
            var clock = new MonotonicClock();
            clock.Read(10_000);
            long before = clock.Read(15_000);
            long jumped = clock.Read(1_796_000_000_000); // 1970 + seconds after boot → late 2026
            Assert.Equal(before, jumped);
            Assert.Equal(before + 5_000, clock.Read(1_796_000_005_000));
        }

        [Fact]
        public void A_wall_clock_set_back_never_moves_the_node_clock_back()
        {
            var clock = new MonotonicClock();
            clock.Read(100_000);
            Assert.Equal(20_000, clock.Read(120_000));
            Assert.Equal(20_000, clock.Read(119_000)); // SNTP corrected the clock 1 s back
            Assert.Equal(25_000, clock.Read(124_000)); // and time runs on from the new base
        }

        [Fact]
        public void A_step_forward_no_larger_than_the_limit_passes_for_time_and_a_larger_one_does_not()
        {
            var clock = new MonotonicClock();
            clock.Read(0);
            Assert.Equal(MonotonicClock.MaxStepMs, clock.Read(MonotonicClock.MaxStepMs));
            Assert.Equal(MonotonicClock.MaxStepMs, clock.Read(2 * MonotonicClock.MaxStepMs + 1));
        }
    }
}
