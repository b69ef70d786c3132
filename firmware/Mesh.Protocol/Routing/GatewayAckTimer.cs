namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// How long a gateway's child waits for the gateway's hop ack: a decaying maximum of the delays measured
    /// on first attempts (Karn's rule), plus the hop-ack timeout as slack, held between the hop-ack timeout
    /// and timeout + bundle wait (the wait before any sample). A gateway answers a lone frame one bundle
    /// wait later and a frame in a busy stream within tens of milliseconds (its bundles fill and leave):
    /// the child must wait out the first and need not for the second, where a lost bundle would otherwise
    /// hold the frame's slot for the whole wait. A mean (RFC 6298's smoothed round trip) fits neither:
    /// after a busy spell it fell below the bundle wait and every lone frame was retransmitted
    /// (office-25: 504 retransmissions an hour against 60), and so did a maximum decaying by 1/8 per sample
    /// (a lossless 25-node clique: 114 retransmissions for 600 readings). A delay longer than the maximum
    /// takes its place at once; a shorter one pulls it down by 1/64 of the difference, so it falls only
    /// while the gateway answers fast for dozens of frames in a row — its bundles filling up.
    /// </summary>
    public sealed class GatewayAckTimer
    {
        /// <summary>A shorter delay pulls the maximum down by this fraction of the difference (1/64).</summary>
        public const int DecayDivisor = 64;

        private readonly int _maxMs;
        private readonly int _slackMs;
        private int _delayMs;
        private int _backoff;
        private bool _sampled;

        /// <summary>Timeouts in a row double the wait at most this many times (it is capped by the bundle wait anyway).</summary>
        public const int MaxBackoff = 3;

        public GatewayAckTimer(long hopAckTimeoutMs, long bundleMs)
        {
            _slackMs = (int)hopAckTimeoutMs;
            _maxMs = (int)(hopAckTimeoutMs + bundleMs);
            _delayMs = (int)bundleMs; // until measured otherwise, a gateway answers one bundle wait later
        }

        /// <summary>The decaying maximum of the measured delays (the bundle wait before any sample).</summary>
        public int DelayMs
        {
            get { return _delayMs; }
        }

        public int TimeoutMs
        {
            get
            {
                if (!_sampled)
                {
                    return _maxMs;
                }

                // Never below the hop-ack timeout: the delay is at least 0 and the slack is that timeout.
                int t = (_delayMs + _slackMs) << _backoff;
                return t > _maxMs ? _maxMs : t;
            }
        }

        /// <summary>
        /// The wait ran out: the next waits double (RFC 6298 §5.5's back-off) until a first attempt is
        /// answered again (§5.7: the next sample ends it). Retransmitted frames give no samples (Karn's
        /// rule), so without it a child whose maximum fell while the gateway was busy would retransmit every
        /// frame once the gateway was idle again, and never measure the longer delay; doubling the maximum
        /// itself instead kept the waits long at a busy, lossy gateway (3,000 nodes: 94.1 % delivered).
        /// </summary>
        public void TimedOut()
        {
            if (_backoff < MaxBackoff)
            {
                _backoff++;
            }
        }

        /// <summary>The delay from a first attempt's send to the gateway's hop ack for it.</summary>
        public void Sample(long delayMs)
        {
            int d = delayMs < 0 ? 0 : delayMs > _maxMs ? _maxMs : (int)delayMs;
            _sampled = true;
            _backoff = 0;
            if (d >= _delayMs)
            {
                _delayMs = d;
                return;
            }

            _delayMs -= (_delayMs - d + DecayDivisor - 1) / DecayDivisor;
        }
    }
}
