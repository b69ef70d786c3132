namespace Mesh.Protocol.Qos
{
    /// <summary>
    /// PROTOCOL.md, "Duty cycle": the airtime this node sent, in ten buckets per window (W/10 each). A
    /// frame is allowed only if the airtime in the current bucket and the ten before it, plus its own,
    /// is within the budget (permille × W). Any window of length W lies within some eleven consecutive
    /// buckets, so no window of length W ever holds more than the budget; the price is that a bucket's
    /// airtime is released up to W/10 later than a per-frame record would.
    /// </summary>
    public sealed class DutyCycle
    {
        public const int BucketsPerWindow = 10;
        private const int Buckets = BucketsPerWindow + 1;

        private readonly int[] _sentUs = new int[Buckets]; // a tenth of at most a day: fits
        private readonly long _bucketMs;
        private readonly long _budgetUs;
        private readonly bool _unlimited;
        private long _head; // absolute index (time / bucket length) of the newest bucket

        public DutyCycle(int permille, long windowMs)
        {
            _bucketMs = windowMs / BucketsPerWindow;
            _budgetUs = permille * windowMs; // permille × W ms × 1000 µs/ms / 1000
            _unlimited = permille >= 1000;
        }

        public long BudgetUs
        {
            get { return _budgetUs; }
        }

        /// <summary>Records a frame of <paramref name="airtimeUs"/> sent at <paramref name="nowMs"/>.</summary>
        public void Spend(long nowMs, int airtimeUs)
        {
            long k = nowMs < 0 ? 0 : nowMs / _bucketMs;
            if (k > _head)
            {
                long gap = k - _head;
                int clear = gap >= Buckets ? Buckets : (int)gap;
                for (int i = 1; i <= clear; i++)
                {
                    _sentUs[(int)((_head + i) % Buckets)] = 0;
                }

                _head = k;
            }

            int at = (int)(_head % Buckets);
            long v = (long)_sentUs[at] + airtimeUs;
            _sentUs[at] = v > int.MaxValue ? int.MaxValue : (int)v;
        }

        /// <summary>Airtime sent in the eleven buckets that end with the one <paramref name="atMs"/> falls in.</summary>
        public long SentUs(long atMs)
        {
            long k = atMs < 0 ? 0 : atMs / _bucketMs;
            long from = k - BucketsPerWindow;
            if (_head - BucketsPerWindow > from)
            {
                from = _head - BucketsPerWindow;
            }

            long to = k < _head ? k : _head;
            long sum = 0;
            for (long j = from; j <= to; j++)
            {
                if (j >= 0)
                {
                    sum += _sentUs[(int)(j % Buckets)];
                }
            }

            return sum;
        }

        /// <summary>
        /// True when a frame of <paramref name="airtimeUs"/> fits the budget less a reserve of
        /// <paramref name="reservePermille"/> of it (always true without a limit).
        /// </summary>
        public bool AllowsKeeping(long nowMs, int airtimeUs, int reservePermille)
        {
            return _unlimited || SentUs(nowMs) + airtimeUs <= _budgetUs - _budgetUs * reservePermille / 1000;
        }

        public bool Allows(long nowMs, int airtimeUs)
        {
            return _unlimited || SentUs(nowMs) + airtimeUs <= _budgetUs;
        }

        /// <summary>The earliest time at or after <paramref name="fromMs"/> a frame of <paramref name="airtimeUs"/> is allowed.</summary>
        public long AvailableAt(long fromMs, int airtimeUs)
        {
            if (Allows(fromMs, airtimeUs))
            {
                return fromMs;
            }

            // Budget returns only when a bucket leaves the window, at a bucket boundary; after eleven
            // boundaries every bucket sent so far has left.
            long k = fromMs < 0 ? 0 : fromMs / _bucketMs;
            for (int i = 1; i <= Buckets; i++)
            {
                long t = (k + i) * _bucketMs;
                if (Allows(t, airtimeUs))
                {
                    return t;
                }
            }

            return (k + Buckets) * _bucketMs;
        }

        /// <summary>Share of the budget used, 255 = all (heartbeat block 1); 0 when unlimited.</summary>
        public int UsedShare255(long nowMs)
        {
            if (_unlimited)
            {
                return 0;
            }

            long v = SentUs(nowMs) * 255 / _budgetUs;
            return v > 255 ? 255 : (int)v;
        }
    }
}
