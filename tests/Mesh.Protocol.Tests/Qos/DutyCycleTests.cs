using Mesh.Protocol.Qos;

namespace Mesh.Protocol.Tests.Qos
{
    /// <summary>PROTOCOL.md, "Duty cycle": a budget of permille × W kept in tenths of the window.</summary>
    public class DutyCycleTests
    {
        [Fact]
        public void Ten_percent_of_10_s_is_one_second_of_airtime_and_it_returns_when_its_tenth_leaves()
        {
            var duty = new DutyCycle(100, 10_000);
            Assert.Equal(1_000_000, duty.BudgetUs);
            duty.Spend(0, 300_000);
            duty.Spend(500, 300_000);
            duty.Spend(2_500, 300_000);

            Assert.True(duty.Allows(2_500, 100_000));
            Assert.False(duty.Allows(2_500, 100_001));
            Assert.Equal(229, duty.UsedShare255(2_500)); // 0.9 × 255 = 229.5

            // The 600 ms sent in tenth 0 counts until tenth 11 starts (it is in the eleven tenths that end
            // with the current one until then); the 300 ms of tenth 2 until 13.0 s.
            Assert.Equal(11_000, duty.AvailableAt(2_500, 200_000));
            Assert.False(duty.Allows(10_999, 200_000));
            Assert.True(duty.Allows(11_000, 200_000));
            Assert.Equal(13_000, duty.AvailableAt(2_500, 800_000));
            Assert.Equal(2_500, duty.AvailableAt(2_500, 100_000));
        }

        [Fact]
        public void A_reserve_keeps_part_of_the_budget_back_and_no_limit_keeps_nothing()
        {
            var duty = new DutyCycle(10, 3_600_000); // 1 % an hour: 36 s
            duty.Spend(0, 26_000_000);
            Assert.True(duty.AllowsKeeping(1_000, 1_000_000, 250));  // 27 s of 27 s
            Assert.False(duty.AllowsKeeping(1_000, 1_000_001, 250));
            Assert.True(duty.Allows(1_000, 10_000_000));             // the reserve is still there for own frames
            Assert.True(new DutyCycle(1000, 10_000).AllowsKeeping(0, int.MaxValue, 999));
        }

        [Fact]
        public void No_window_of_length_W_ever_holds_more_than_the_budget()
        {
            var duty = new DutyCycle(100, 10_000);
            var sent = new System.Collections.Generic.List<(long At, int Us)>();
            long t = 0;
            for (int i = 0; i < 5_000; i++)
            {
                t += 7 + i % 13;
                int us = 1_000 + (i * 7919) % 20_000;
                if (duty.Allows(t, us))
                {
                    duty.Spend(t, us);
                    sent.Add((t, us));
                }
            }

            Assert.True(sent.Count > 100);
            for (int a = 0; a < sent.Count; a++)
            {
                long sum = 0;
                for (int b = a; b < sent.Count && sent[b].At < sent[a].At + 10_000; b++)
                {
                    sum += sent[b].Us;
                }

                Assert.True(sum <= duty.BudgetUs, "window from " + sent[a].At + " holds " + sum);
            }
        }

        [Fact]
        public void A_thousand_permille_never_refuses()
        {
            var duty = new DutyCycle(1000, 10_000);
            for (int i = 0; i < 100; i++)
            {
                duty.Spend(0, 1_000_000);
            }

            Assert.True(duty.Allows(0, 1_000_000));
            Assert.Equal(0, duty.UsedShare255(0));
        }
    }
}
