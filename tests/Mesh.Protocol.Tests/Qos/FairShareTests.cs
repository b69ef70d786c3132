using Mesh.Protocol.Qos;

namespace Mesh.Protocol.Tests.Qos
{
    /// <summary>PROTOCOL.md, "Per-origin fair share": exact token arithmetic (1 frame = 60000 units; r frames a minute add r units a millisecond).</summary>
    public class FairShareTests
    {
        private const uint A = 0x10;
        private const uint B = 0x11;

        [Fact]
        public void A_new_origin_starts_with_a_full_burst_and_refills_exactly_at_the_rate()
        {
            var share = new FairShare(4, 6, 8, 10, 0);
            for (int i = 0; i < 8; i++)
            {
                Assert.True(share.TryTake(A, 0), "token " + i);
            }

            Assert.False(share.TryTake(A, 0));
            Assert.Equal(0, share.UnitsOf(A, 0));

            // 6 a minute: one token every 10 s exactly, 6 units per millisecond.
            Assert.Equal(9_999 * 6, share.UnitsOf(A, 9_999));
            Assert.False(share.TryTake(A, 9_999));
            Assert.True(share.TryTake(A, 10_000));
            Assert.Equal(0, share.UnitsOf(A, 10_000));
            Assert.Equal(2_500 * 6, share.UnitsOf(A, 12_500));

            // Never above the burst: after an hour the bucket holds 8 frames, no more.
            Assert.Equal(8 * FairShare.UnitsPerFrame, share.UnitsOf(A, 3_600_000));
        }

        [Fact]
        public void Throttled_frames_are_counted_per_origin_and_the_most_throttled_is_reported_once()
        {
            var share = new FairShare(4, 6, 2, 10, 0);
            for (int i = 0; i < 5; i++)
            {
                share.TryTake(A, 0); // 2 pass, 3 throttled
                share.TryTake(B, 0);
            }

            share.TryTake(B, 0); // B: 4 throttled
            Assert.Equal(B, share.TakeMostThrottledSinceBeacon(out int n));
            Assert.Equal(4, n);
            Assert.Equal(0u, share.TakeMostThrottledSinceBeacon(out n));
            Assert.Equal(0, n);

            // The heartbeat's window is separate from the beacon's.
            Assert.Equal(B, share.TakeMostThrottledSinceReport(out n));
            Assert.Equal(4, n);
        }

        [Fact]
        public void A_gateway_origin_gets_the_multiplier_on_depth_and_rate()
        {
            var share = new FairShare(4, 6, 8, 10, 0);
            share.NoteGateway(A, 0);
            Assert.True(share.IsGateway(A));
            for (int i = 0; i < 80; i++)
            {
                Assert.True(share.TryTake(A, 0), "token " + i);
            }

            Assert.False(share.TryTake(A, 0));
            Assert.False(share.TryTake(A, 999));
            Assert.True(share.TryTake(A, 1_000)); // 60 a minute: one a second
        }

        [Fact]
        public void A_full_table_replaces_the_fullest_bucket_so_a_depleted_origin_stays_throttled()
        {
            var share = new FairShare(2, 6, 8, 10, 0);
            for (int i = 0; i < 9; i++)
            {
                share.TryTake(A, 0); // A depleted
            }

            share.TryTake(B, 0); // B: 7 left
            // A stream of new origins always takes B's slot (the fullest), never A's.
            for (uint o = 0x100; o < 0x110; o++)
            {
                Assert.True(share.TryTake(o, 0));
                Assert.Equal(0, share.UnitsOf(A, 0));
            }

            Assert.Equal(-1, share.UnitsOf(B, 0));
            Assert.False(share.TryTake(A, 0));
        }
    }
}
