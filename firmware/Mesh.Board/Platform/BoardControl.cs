using System.Threading;
using Mesh.NodeApp.Hal;
using nanoFramework.Hardware.Esp32;
using nanoFramework.Runtime.Native;

namespace Mesh.Board.Platform
{
    /// <summary>
    /// Reboot and a software watchdog: if the node loop stops feeding it for <see cref="TimeoutMs"/> (a
    /// thread wedged in a driver, an exception storm), the board restarts rather than sit silent.
    /// </summary>
    internal sealed class BoardControl : IDeviceControl
    {
        public const long TimeoutMs = 30000;

        private readonly ILog _log;
        private long _lastFeedMs;

        public BoardControl(ILog log)
        {
            _log = log;
            _lastFeedMs = NowMs;
            new Thread(Watch).Start();
        }

        /// <summary>Milliseconds since boot from the ESP32's 64-bit microsecond timer: monotonic, unaffected by SNTP.</summary>
        public static long NowMs
        {
            get { return (long)(HighResTimer.GetCurrent() / 1000UL); }
        }

        public void Reboot()
        {
            Power.RebootDevice();
        }

        public void FeedWatchdog()
        {
            _lastFeedMs = NowMs;
        }

        private void Watch()
        {
            while (true)
            {
                Thread.Sleep(5000);
                if (NowMs - _lastFeedMs > TimeoutMs)
                {
                    _log.Write(LogLevel.Error, "watchdog: the node loop has been silent for " + (NowMs - _lastFeedMs) + " ms; rebooting");
                    Power.RebootDevice();
                }
            }
        }
    }
}
