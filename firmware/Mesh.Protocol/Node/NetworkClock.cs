namespace Mesh.Protocol.Node
{
    /// <summary>
    /// The node's estimate of network time, in seconds, and the freshness rule built on it. Every frame
    /// carries its origin's network time under both MICs. A node starts from the time its driver
    /// persisted (or the wall clock, on a gateway) and moves forward to the newest time it hears in an
    /// authenticated frame (max-synchronisation: clocks only ever move forward, so they converge on the
    /// fastest honest clock — gateways, whose clocks are real). A frame whose time is more than the
    /// freshness window behind the node's clock is refused as stale, whatever the replay tables still
    /// remember, which bounds how long a captured frame stays replayable once its origin has been
    /// evicted from them (PROTOCOL.md, "Freshness").
    /// </summary>
    public sealed class NetworkClock
    {
        private readonly uint _windowSeconds;
        private long _baseMs;
        private uint _baseSeconds;

        public NetworkClock(uint initialSeconds, uint windowSeconds, long nowMs)
        {
            _windowSeconds = windowSeconds;
            _baseSeconds = initialSeconds;
            _baseMs = nowMs;
        }

        public uint WindowSeconds
        {
            get { return _windowSeconds; }
        }

        /// <summary>Whether the node has a network time at all (0 means never configured nor heard).</summary>
        public bool IsSet
        {
            get { return _baseSeconds != 0; }
        }

        public uint Now(long nowMs)
        {
            long s = _baseSeconds + (nowMs - _baseMs) / 1000;
            return s > uint.MaxValue ? uint.MaxValue : (uint)s;
        }

        /// <summary>Whether a frame stamped <paramref name="frameSeconds"/> is older than the window allows.</summary>
        public bool IsStale(uint frameSeconds, long nowMs)
        {
            return frameSeconds < StaleBelow(nowMs);
        }

        /// <summary>The oldest time a frame may carry and still be fresh: frames stamped below it are stale (0 while the node has no time).</summary>
        public uint StaleBelow(long nowMs)
        {
            if (!IsSet)
            {
                return 0;
            }

            uint now = Now(nowMs);
            return now > _windowSeconds ? now - _windowSeconds : 0;
        }

        /// <summary>Adopts the time of an authenticated frame if it is ahead of ours.</summary>
        public void Observe(uint frameSeconds, long nowMs)
        {
            if (frameSeconds > Now(nowMs))
            {
                _baseSeconds = frameSeconds;
                _baseMs = nowMs;
            }
        }
    }
}
