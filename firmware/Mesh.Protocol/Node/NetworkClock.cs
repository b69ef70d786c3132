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

        /// <summary>
        /// How far behind this node's clock a beacon or hop ack may be stamped, beyond its own airtime: one second
        /// for the clocks' whole seconds and one for how far max-synchronised clocks trail the fastest (PROTOCOL.md,
        /// "Freshness", the one-hop leash). Measured: no honest one-hop frame arrived more than 1 s behind.
        /// </summary>
        public const uint OneHopLeashSeconds = 2;

        /// <summary>
        /// Whether a one-hop frame stamped <paramref name="frameSeconds"/>, <paramref name="airtimeUs"/> long on air,
        /// is older than the one-hop leash: sent where this node heard it, it left at most the leash ago (its sender
        /// stamps it as it goes on air), so an older one was played back or carried from elsewhere.
        /// </summary>
        public bool IsLateOneHop(uint frameSeconds, long nowMs, int airtimeUs)
        {
            if (!IsSet)
            {
                return false;
            }

            long oldest = (long)Now(nowMs) - OneHopLeashSeconds - airtimeUs / 1000000;
            return frameSeconds < oldest;
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
