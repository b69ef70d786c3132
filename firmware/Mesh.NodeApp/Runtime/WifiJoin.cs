using Mesh.NodeApp.Hal;

namespace Mesh.NodeApp.Runtime
{
    /// <summary>
    /// Joining WiFi at boot without tripping the watchdog: each attempt is announced to the watchdog for as long
    /// as it may block, a failed attempt is logged with its reason and shown with the error LED pattern, and the
    /// back-off before the next attempt sleeps in slices that feed the watchdog. A bad password or an absent
    /// access point is then a visible, logged retry loop instead of a silent reboot loop.
    /// </summary>
    public static class WifiJoin
    {
        /// <summary>How long one attempt may block (the board's ConnectDhcp cancellation token).</summary>
        public const int AttemptTimeoutMs = 60000;

        public const int BackoffMs = 30000;

        /// <summary>Longest single sleep of the back-off: well inside any watchdog timeout.</summary>
        public const int SliceMs = 1000;

        /// <summary>
        /// Tries to join until it succeeds or <paramref name="maxAttempts"/> failed (0: forever). Returns the
        /// number of the attempt that joined, or 0 when it gave up or has nothing to join (no SSID: logged).
        /// </summary>
        public static int Run(IWifiLink link, string ssid, string password, Watchdog watchdog, IClock clock, IStatusLed led, ILog log, int maxAttempts)
        {
            if (ssid == null || ssid.Length == 0)
            {
                log.Write(LogLevel.Error, "wifi: no network configured: set 'wifi_ssid' and 'wifi_password' in the settings file (hardware/README.md, \"Configure a board\")");
                led.Show(LedPattern.Error);
                return 0;
            }

            for (int attempt = 1; maxAttempts == 0 || attempt <= maxAttempts; attempt++)
            {
                led.Show(LedPattern.Booting);
                log.Write(LogLevel.Info, "wifi: joining '" + ssid + "' (attempt " + attempt + ")");
                watchdog.Allow(clock.NowMs, AttemptTimeoutMs);
                bool joined = link.Join(ssid, password, AttemptTimeoutMs);
                watchdog.Feed(clock.NowMs);
                if (joined)
                {
                    return attempt;
                }

                log.Write(LogLevel.Error, "wifi: cannot join '" + ssid + "' (attempt " + attempt + "): " + link.LastError
                    + "; next attempt in " + (BackoffMs / 1000) + " s");
                led.Show(LedPattern.Error);
                long until = clock.NowMs + BackoffMs;
                while (clock.NowMs < until)
                {
                    long left = until - clock.NowMs;
                    clock.Sleep(left < SliceMs ? (int)left : SliceMs);
                    watchdog.Feed(clock.NowMs);
                }
            }

            return 0;
        }
    }
}
