namespace Mesh.Protocol.Routing
{
    /// <summary>
    /// The Trickle algorithm (RFC 6206) pacing one node's beacons: an interval I from Imin doubling up to
    /// Imax; in each interval a transmission point t drawn uniformly from [I/2, I); at t the node transmits
    /// unless it heard at least k consistent beacons in the interval; an inconsistency resets I to Imin.
    /// Sans I/O: the node polls it with the time and it answers whether to transmit.
    /// </summary>
    public sealed class TrickleTimer
    {
        private readonly long _imin;
        private readonly long _imax;
        private readonly int _k;
        private bool _forced;
        private long _promptAt = long.MaxValue;
        private long _answerAt = long.MaxValue;
        private int _answerHeard;
        private long _interval;
        private long _start;
        private long _fireAt;
        private int _heard;
        private bool _fired;

        public TrickleTimer(long iminMs, long imaxMs, int k)
        {
            _imin = iminMs;
            _imax = imaxMs;
            _k = k;
            _interval = iminMs;
        }

        public long IntervalMs
        {
            get { return _interval; }
        }

        /// <summary>The next time <see cref="Poll"/> has something to do.</summary>
        public long NextMs
        {
            get
            {
                long next = _fired ? _start + _interval : _fireAt;
                if (_answerAt < next)
                {
                    next = _answerAt;
                }

                return _promptAt < next ? _promptAt : next;
            }
        }

        /// <summary>Starts with the smallest interval (a node that has just booted has news).</summary>
        public void Start(long nowMs, IRandomSource random)
        {
            _interval = _imin;
            Begin(nowMs, random);
        }

        /// <summary>An inconsistency (RFC 6206 §4.2 rule 6): back to Imin, unless already there.</summary>
        public void Reset(long nowMs, IRandomSource random)
        {
            if (_interval != _imin)
            {
                _interval = _imin;
                Begin(nowMs, random);
            }
        }

        /// <summary>A consistent beacon was heard (RFC 6206 §4.2 rule 3).</summary>
        public void HeardConsistent()
        {
            if (_heard < int.MaxValue)
            {
                _heard++;
            }

            if (_answerHeard < int.MaxValue)
            {
                _answerHeard++;
            }
        }

        /// <summary>The next beacon is sent even if k consistent beacons are heard meanwhile (the backbone needs this node's new neighbour list).</summary>
        public void Unsuppress()
        {
            _forced = true;
        }

        /// <summary>
        /// One beacon soon, at a point drawn from [Imin/2, Imin), whatever was heard, the interval left as it is: news that a single beacon may carry (a cost that fell, or rose a little), where a reset would make the node beacon
        /// at Imin, 2 Imin, 4 Imin … again. A prompt already pending keeps its time.
        /// </summary>
        public void Prompt(long nowMs, IRandomSource random)
        {
            if (_promptAt != long.MaxValue)
            {
                return;
            }

            _promptAt = SoonAfter(nowMs, random);
        }

        /// <summary>
        /// A neighbour without a route asked for one (its route-less beacon, or an upward frame it had to
        /// flood): one beacon at a point drawn from [Imin/2, Imin), unless k consistent beacons are heard first
        /// — another neighbour's answer serves it as well as ours — and Trickle's interval left as it is. A
        /// reset answered too, then went on beaconing at Imin, 2 Imin, 4 Imin … in every neighbourhood a
        /// route-less node was heard in (city-1000: nine resets in ten). An answer pending takes no second one,
        /// and any beacon this node sends meanwhile is the answer; the asker asks again while it has no route.
        /// </summary>
        public void Answer(long nowMs, IRandomSource random)
        {
            if (_answerAt != long.MaxValue)
            {
                return;
            }

            _answerAt = SoonAfter(nowMs, random);
            _answerHeard = 0;
        }

        /// <summary>A point drawn from [Imin/2, Imin) after <paramref name="nowMs"/>: when a prompt or an answer is sent.</summary>
        private long SoonAfter(long nowMs, IRandomSource random)
        {
            long half = _imin / 2;
            return nowMs + half + RandomExtensions.NextBelow(random, half > int.MaxValue ? int.MaxValue : (int)half);
        }

        /// <summary>Whether an answer to a route-less neighbour is still to be sent (or suppressed).</summary>
        public bool Answering
        {
            get { return _answerAt != long.MaxValue; }
        }

        /// <summary>Whether a prompted beacon is still to be sent.</summary>
        public bool Prompted
        {
            get { return _promptAt != long.MaxValue; }
        }

        /// <summary>Advances the timer to <paramref name="nowMs"/>; true when the node should transmit its beacon now.</summary>
        public bool Poll(long nowMs, IRandomSource random)
        {
            bool transmit = false;
            if (nowMs >= _promptAt)
            {
                _promptAt = long.MaxValue;
                transmit = true;
            }

            if (nowMs >= _answerAt)
            {
                _answerAt = long.MaxValue;
                transmit = transmit || _answerHeard < _k;
            }

            if (!_fired && nowMs >= _fireAt)
            {
                _fired = true;
                transmit = transmit || _forced || _heard < _k;
                _forced = false;
            }

            if (transmit)
            {
                // The beacon asked for now answers a pending plea too (if the duty share skips it, the next
                // plea is answered). A pending prompt is kept: it carries news decided after this beacon.
                _answerAt = long.MaxValue;
            }

            if (_fired && nowMs >= _start + _interval)
            {
                long doubled = _interval * 2;
                _interval = doubled > _imax ? _imax : doubled;
                Begin(nowMs, random);
            }

            return transmit;
        }

        private void Begin(long nowMs, IRandomSource random)
        {
            _start = nowMs;
            long half = _interval / 2;
            _fireAt = nowMs + half + RandomExtensions.NextBelow(random, half > int.MaxValue ? int.MaxValue : (int)half);
            _heard = 0;
            _fired = false;
        }
    }
}
