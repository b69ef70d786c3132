using Mesh.Protocol.Qos;

namespace Mesh.Protocol.Tests.Qos
{
    /// <summary>PROTOCOL.md, "Channel utilisation" and "Congestion control": the estimate for a known airtime pattern, and the integer rules.</summary>
    public class ChannelAndCongestionTests
    {
        [Fact]
        public void Airtime_is_overhead_plus_bytes_times_the_per_byte_time()
        {
            var airtime = new Airtime(900, 8);
            Assert.Equal(900 + 250 * 8, airtime.Of(250));
            Assert.Equal(900, airtime.Of(0));
        }

        [Fact]
        public void Utilisation_of_100_ms_busy_every_second_is_10_percent_and_slides_out_second_by_second()
        {
            var channel = new ChannelMonitor(10_000);
            for (long s = 0; s < 10; s++)
            {
                channel.Add(s * 1000 + 500, 60_000);
                channel.Add(s * 1000 + 900, 40_000);
            }

            Assert.Equal(100, channel.Permille(9_999));
            Assert.Equal(25, channel.Share255(9_999)); // 1 s of 10 s on the 255 scale: 25.5, rounded down
            Assert.Equal(1_000_000, channel.BusyUs(9_999));

            // At 15.0 s the window is seconds 6 … 15: four busy seconds remain.
            Assert.Equal(40, channel.Permille(15_000));
            Assert.Equal(0, channel.Permille(20_000));
        }

        [Fact]
        public void One_second_is_never_more_than_one_second_busy()
        {
            var channel = new ChannelMonitor(2_000);
            for (int i = 0; i < 10; i++)
            {
                channel.Add(0, 300_000);
            }

            Assert.Equal(500, channel.Permille(999));
        }

        [Theory]
        [InlineData(0, 1000)]
        [InlineData(250, 1000)]
        [InlineData(251, 1004)]
        [InlineData(400, 1600)]
        [InlineData(500, 2000)]
        [InlineData(1000, 4000)]
        public void Delays_are_multiplied_by_1_plus_u_minus_theta_over_theta_at_most_4(int utilisation, int factor)
        {
            Assert.Equal(factor, Congestion.FactorPermille(utilisation, 250));
        }

        [Theory]
        [InlineData(8, 250, 8)]   // at the threshold: unchanged
        [InlineData(8, 400, 7)]   // ⌈8 × 600 / 750⌉ = ⌈6.4⌉
        [InlineData(8, 500, 6)]   // ⌈5.33⌉
        [InlineData(8, 700, 4)]   // ⌈8 × 300 / 750⌉ = ⌈3.2⌉
        [InlineData(8, 900, 2)]   // ⌈1.07⌉ = 2
        [InlineData(8, 1000, 2)]  // 0, raised to the minimum 2
        [InlineData(1, 1000, 1)]  // the minimum never raises a hop limit
        [InlineData(32, 625, 16)] // ⌈32 × 375 / 750⌉
        public void Broadcast_hop_limits_scale_with_1_minus_u_over_1_minus_theta_rounded_up_never_below_the_minimum(int hopLimit, int utilisation, int scaled)
        {
            Assert.Equal(scaled, Congestion.ScaledHopLimit(hopLimit, utilisation, 250, 2));
        }
    }
}
