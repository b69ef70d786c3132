using System.Threading;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Runtime;
#if !NO_ESP32_LIBRARY
using nanoFramework.Hardware.Esp32;
#endif
using nanoFramework.Runtime.Native;

namespace Mesh.Board.Platform
{
    /// <summary>
    /// Reboot, the clock and a software watchdog: if the node loop stops feeding it for
    /// <see cref="TimeoutMs"/> (a thread wedged in a driver, an exception storm), the board restarts rather than
    /// sit silent. Calls known to block longer (the WiFi join) announce themselves on <see cref="Watchdog"/>.
    /// </summary>
    internal sealed class BoardControl : IDeviceControl, IClock
    {
        public const long TimeoutMs = 30000;

        private readonly ILog _log;
        private readonly Watchdog _watchdog;

        public BoardControl(ILog log)
        {
            _log = log;
            _watchdog = new Watchdog(TimeoutMs, NowMs);
            new Thread(Watch).Start();
        }

#if NO_ESP32_LIBRARY
        // The relay image leaves nanoFramework.Hardware.Esp32 out (its runtime tables take ~1.5 KB of the C3's heap):
        // the wall clock, made monotonic. The watchdog thread below reads it every 5 s, as MonotonicClock requires.
        private static readonly MonotonicClock Clock = new MonotonicClock();

        /// <summary>Milliseconds since the first reading, from the wall clock with SNTP's steps taken out (<see cref="MonotonicClock"/>).</summary>
        public static long NowMs
        {
            get { return Clock.Read(System.DateTime.UtcNow.Ticks / System.TimeSpan.TicksPerMillisecond); }
        }
#else
        /// <summary>Milliseconds since boot from the ESP32's 64-bit microsecond timer: monotonic, unaffected by SNTP.</summary>
        public static long NowMs
        {
            get { return (long)(HighResTimer.GetCurrent() / 1000UL); }
        }
#endif

        long IClock.NowMs
        {
            get { return NowMs; }
        }

        public Watchdog Watchdog
        {
            get { return _watchdog; }
        }

        public void Sleep(int milliseconds)
        {
            Thread.Sleep(milliseconds);
        }

        public void Reboot()
        {
            Power.RebootDevice();
        }

        public void FeedWatchdog()
        {
            _watchdog.Feed(NowMs);
        }

        private void Watch()
        {
            while (true)
            {
                Thread.Sleep(5000);
                long now = NowMs;
                if (_watchdog.IsOverdue(now))
                {
                    _log.Write(LogLevel.Error, "watchdog: the node loop has been silent for " + _watchdog.SilentForMs(now) + " ms; rebooting");
                    Thread.Sleep(200); // let the line reach the serial port
                    Power.RebootDevice();
                }
            }
        }
    }
}
