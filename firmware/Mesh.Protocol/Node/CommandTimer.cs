namespace Mesh.Protocol.Node
{
    /// <summary>
    /// The commander's retransmission timer, after RFC 6298 (TCP's RTO): a smoothed round trip and its
    /// mean deviation, from commands acknowledged at their first attempt only (Karn's rule: a retry's ack
    /// cannot be matched to one send). Timeout = SRTT + 4 × RTTVAR, held between
    /// <c>CommandMinTimeoutMs</c> and <c>CommandTimeoutMs</c>; before any sample it is
    /// <c>CommandTimeoutMs</c>. A fixed 4 s first timeout made one lost directed frame cost 4 s where the
    /// round trip is ~150 ms (200-node mesh: command ack p99 4.2 s). Integer milliseconds, as RFC 6298 §2
    /// with alpha = 1/8 and beta = 1/4.
    /// </summary>
    public sealed class CommandTimer
    {
        private readonly int _minMs;
        private readonly int _maxMs;
        private int _srttMs;
        private int _rttvarMs;
        private bool _sampled;

        public CommandTimer(long minMs, long maxMs)
        {
            _maxMs = maxMs > int.MaxValue / 8 ? int.MaxValue / 8 : (int)maxMs;
            _minMs = minMs > _maxMs ? _maxMs : (int)minMs;
        }

        /// <summary>How long to wait for the first attempt's acknowledgement.</summary>
        public int TimeoutMs
        {
            get
            {
                if (!_sampled)
                {
                    return _maxMs;
                }

                long rto = (long)_srttMs + 4L * _rttvarMs;
                return rto < _minMs ? _minMs : rto > _maxMs ? _maxMs : (int)rto;
            }
        }

        public int SmoothedRoundTripMs
        {
            get { return _srttMs; }
        }

        /// <summary>A round trip measured on a command acknowledged at its first attempt.</summary>
        public void Sample(long roundTripMs)
        {
            int r = roundTripMs < 0 ? 0 : roundTripMs > _maxMs ? _maxMs : (int)roundTripMs;
            if (!_sampled)
            {
                _srttMs = r;
                _rttvarMs = r / 2;
                _sampled = true;
                return;
            }

            int deviation = _srttMs > r ? _srttMs - r : r - _srttMs;
            _rttvarMs = (3 * _rttvarMs + deviation) / 4;
            _srttMs = (7 * _srttMs + r) / 8;
        }
    }
}
