namespace Mesh.NodeApp.Runtime
{
    /// <summary>
    /// The deadline of the board's software watchdog, without its thread: fed by the loop, checked by a
    /// watcher. A call known to block for long (joining WiFi) is announced with <see cref="Allow"/> so the
    /// watcher does not take it for a hung loop; anything longer than announced still trips it.
    /// </summary>
    public sealed class Watchdog
    {
        private readonly object _lock = new object();
        private readonly long _timeoutMs;
        private long _deadlineMs;
        private long _lastFeedMs;

        public Watchdog(long timeoutMs, long nowMs)
        {
            _timeoutMs = timeoutMs;
            Feed(nowMs);
        }

        public long TimeoutMs
        {
            get { return _timeoutMs; }
        }

        public void Feed(long nowMs)
        {
            lock (_lock)
            {
                _lastFeedMs = nowMs;
                _deadlineMs = nowMs + _timeoutMs;
            }
        }

        /// <summary>The caller is about to block for up to <paramref name="blockingMs"/>: the deadline moves past it by one timeout.</summary>
        public void Allow(long nowMs, long blockingMs)
        {
            lock (_lock)
            {
                _lastFeedMs = nowMs;
                _deadlineMs = nowMs + blockingMs + _timeoutMs;
            }
        }

        public bool IsOverdue(long nowMs)
        {
            lock (_lock)
            {
                return nowMs > _deadlineMs;
            }
        }

        /// <summary>Milliseconds since the last feed, for the message logged before a reset.</summary>
        public long SilentForMs(long nowMs)
        {
            lock (_lock)
            {
                return nowMs - _lastFeedMs;
            }
        }
    }
}
