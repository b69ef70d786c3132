using System.Collections.Generic;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Runtime;

namespace Mesh.Node.Tests.Board
{
    /// <summary>
    /// The board's WiFi join against its 30 s software watchdog (the board's BoardControl checks
    /// <see cref="Watchdog.IsOverdue"/> from its own thread). A fake clock stands in for time; the fake link and
    /// the clock check the watchdog at every simulated second, as the watcher thread would.
    /// </summary>
    public class WifiJoinTests
    {
        private const long WatchdogTimeoutMs = 30000;

        private sealed class FakeClock : IClock
        {
            public long NowMs { get; set; }

            public Watchdog? Watched { get; set; }

            public List<long> Overdue { get; } = new();

            public int LongestSleepMs { get; private set; }

            public void Sleep(int milliseconds)
            {
                LongestSleepMs = System.Math.Max(LongestSleepMs, milliseconds);
                Advance(milliseconds);
            }

            /// <summary>Moves time on one second at a time, noting every instant the watcher would have rebooted.</summary>
            public void Advance(long ms)
            {
                long end = NowMs + ms;
                while (NowMs < end)
                {
                    NowMs = System.Math.Min(end, NowMs + 1000);
                    if (Watched != null && Watched.IsOverdue(NowMs))
                    {
                        Overdue.Add(NowMs);
                    }
                }
            }
        }

        /// <summary>Each attempt blocks for its scripted time (like ConnectDhcp until its token), then succeeds or fails.</summary>
        private sealed class SlowLink : IWifiLink
        {
            private readonly FakeClock _clock;
            private readonly Queue<(long BlockMs, bool Joins)> _attempts = new();

            public SlowLink(FakeClock clock, params (long, bool)[] attempts)
            {
                _clock = clock;
                foreach (var a in attempts)
                {
                    _attempts.Enqueue(a);
                }
            }

            public int Calls { get; private set; }

            public string LastError { get; private set; } = "";

            public bool Join(string ssid, string password, int timeoutMs)
            {
                Calls++;
                var (blockMs, joins) = _attempts.Dequeue();
                _clock.Advance(System.Math.Min(blockMs, timeoutMs));
                LastError = joins ? "" : "ConnectionFailed (no access point answered)";
                return joins;
            }
        }

        private static (FakeClock Clock, Watchdog Watchdog) Start()
        {
            var clock = new FakeClock { NowMs = 5000 };
            var watchdog = new Watchdog(WatchdogTimeoutMs, clock.NowMs);
            clock.Watched = watchdog;
            return (clock, watchdog);
        }

        [Fact]
        public void A_join_that_blocks_for_the_whole_60_s_attempt_does_not_trip_the_30_s_watchdog()
        {
            var (clock, watchdog) = Start();
            var link = new SlowLink(clock, (59000, true));
            var led = new RecordingLed();

            int attempt = WifiJoin.Run(link, "home", "secret", watchdog, clock, led, new RecordingLog(), 0);

            Assert.Equal(1, attempt);
            Assert.Empty(clock.Overdue);
            Assert.False(watchdog.IsOverdue(clock.NowMs + WatchdogTimeoutMs - 1)); // fed when the join returned
        }

        [Fact]
        public void Failed_joins_are_logged_shown_with_the_error_pattern_and_retried_after_a_back_off_that_feeds_the_watchdog()
        {
            var (clock, watchdog) = Start();
            var link = new SlowLink(clock, (60000, false), (60000, false), (12000, true));
            var led = new RecordingLed();
            var log = new RecordingLog();

            int attempt = WifiJoin.Run(link, "home", "secret", watchdog, clock, led, log, 0);

            Assert.Equal(3, attempt);
            Assert.Empty(clock.Overdue);
            Assert.True(clock.LongestSleepMs <= WifiJoin.SliceMs);
            Assert.Equal(2, led.Shown.FindAll(p => p == LedPattern.Error).Count);
            Assert.Equal(LedPattern.Booting, led.Shown[^1]); // the last attempt, which joined
            Assert.Contains("cannot join 'home' (attempt 1): ConnectionFailed", log.All);
            Assert.Contains("next attempt in 30 s", log.All);
            Assert.DoesNotContain("secret", log.All);
            Assert.Equal(5000 + 60000 + 30000 + 60000 + 30000 + 12000, clock.NowMs);
        }

        [Fact]
        public void A_join_that_hangs_past_its_announced_time_still_trips_the_watchdog()
        {
            var (clock, watchdog) = Start();
            watchdog.Allow(clock.NowMs, WifiJoin.AttemptTimeoutMs);
            clock.Advance(WifiJoin.AttemptTimeoutMs + WatchdogTimeoutMs + 2000);
            Assert.NotEmpty(clock.Overdue);
            Assert.Equal(5000 + WifiJoin.AttemptTimeoutMs + WatchdogTimeoutMs + 1000, clock.Overdue[0]);
        }

        [Fact]
        public void Giving_up_after_the_allowed_attempts_returns_0_and_leaves_the_error_pattern()
        {
            var (clock, watchdog) = Start();
            var link = new SlowLink(clock, (1000, false), (1000, false));
            var led = new RecordingLed();
            Assert.Equal(0, WifiJoin.Run(link, "home", "pw", watchdog, clock, led, new RecordingLog(), 2));
            Assert.Equal(2, link.Calls);
            Assert.Equal(LedPattern.Error, led.Shown[^1]);
            Assert.Empty(clock.Overdue);
        }

        [Fact]
        public void No_SSID_is_reported_at_once_instead_of_trying()
        {
            var (clock, watchdog) = Start();
            var link = new SlowLink(clock);
            var led = new RecordingLed();
            var log = new RecordingLog();
            Assert.Equal(0, WifiJoin.Run(link, "", "", watchdog, clock, led, log, 0));
            Assert.Equal(0, link.Calls);
            Assert.Equal(LedPattern.Error, Assert.Single(led.Shown));
            Assert.Contains("wifi_ssid", log.All);
        }
    }
}
