namespace Mesh.NodeApp.Runtime
{
    /// <summary>
    /// Milliseconds since start, never going back, from a wall clock that SNTP steps: the clock of an image that
    /// leaves out nanoFramework.Hardware.Esp32 (and with it the monotonic HighResTimer) to save its runtime tables
    /// (the ESP32-C3 relay image, hardware/README.md). The ESP32's wall clock (gettimeofday) starts near 1970 and is
    /// set when SNTP first answers after the WiFi join, a jump of decades, then corrected by steps of milliseconds.
    /// A reading behind the previous one, or more than <see cref="MaxStepMs"/> ahead of it, is a step of the wall
    /// clock, not time passing: it moves the base and adds nothing. Only a step no larger than MaxStepMs forward can
    /// pass for time, which a node tolerates (its timers fire that much early once). The board's watchdog thread reads
    /// the clock every 5 s, so real time never goes unread for longer than MaxStepMs. Safe from several threads.
    /// </summary>
    public sealed class MonotonicClock
    {
        /// <summary>The largest forward step taken as time passing: 12 readings of the watchdog thread's 5-s period.</summary>
        public const long MaxStepMs = 60000;

        private readonly object _lock = new object();
        private long _lastWallMs;
        private long _nowMs;
        private bool _started;

        /// <summary>Milliseconds since the first reading, given the wall clock now in milliseconds.</summary>
        public long Read(long wallMs)
        {
            lock (_lock)
            {
                if (_started)
                {
                    long step = wallMs - _lastWallMs;
                    if (step > 0 && step <= MaxStepMs)
                    {
                        _nowMs += step;
                    }
                }

                _started = true;
                _lastWallMs = wallMs;
                return _nowMs;
            }
        }
    }
}
