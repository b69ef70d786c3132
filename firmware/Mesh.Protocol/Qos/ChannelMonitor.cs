namespace Mesh.Protocol.Qos
{
    /// <summary>
    /// Channel utilisation: the airtime of every frame this node heard (valid or not) or sent, summed in
    /// 1-second buckets over a sliding window of whole seconds. The window at time t is the second t
    /// falls in and the (buckets − 1) seconds before it; utilisation = busy time in it / window length.
    /// A frame counts in the second it was heard or sent, whole.
    /// </summary>
    public sealed class ChannelMonitor
    {
        public const int BucketMs = 1000;

        private readonly int[] _busyUs;
        private long _second;

        /// <param name="windowMs">A multiple of 1000.</param>
        public ChannelMonitor(int windowMs)
        {
            _busyUs = new int[windowMs / BucketMs];
        }

        public int WindowMs
        {
            get { return _busyUs.Length * BucketMs; }
        }

        public void Add(long nowMs, int airtimeUs)
        {
            Advance(nowMs);
            int i = (int)(_second % _busyUs.Length);
            int v = _busyUs[i] + airtimeUs;
            _busyUs[i] = v < 0 || v > BucketMs * 1000 ? BucketMs * 1000 : v; // one second is at most one second busy
        }

        /// <summary>Busy share of the window in permille (0 … 1000).</summary>
        public int Permille(long nowMs)
        {
            // Busy microseconds per millisecond of window is permille.
            return (int)(BusyUs(nowMs) / WindowMs);
        }

        /// <summary>Busy share of the window on the wire scale (beacon, heartbeat block 1): 255 = 100 %.</summary>
        public int Share255(long nowMs)
        {
            return (int)(BusyUs(nowMs) * 255 / ((long)WindowMs * 1000));
        }

        /// <summary>Busy microseconds in the window ending at <paramref name="nowMs"/>.</summary>
        public long BusyUs(long nowMs)
        {
            Advance(nowMs);
            long sum = 0;
            for (int i = 0; i < _busyUs.Length; i++)
            {
                sum += _busyUs[i];
            }

            return sum;
        }

        private void Advance(long nowMs)
        {
            long second = nowMs < 0 ? 0 : nowMs / BucketMs;
            if (second <= _second)
            {
                return;
            }

            long gap = second - _second;
            int clear = gap >= _busyUs.Length ? _busyUs.Length : (int)gap;
            for (int k = 1; k <= clear; k++)
            {
                _busyUs[(int)((_second + k) % _busyUs.Length)] = 0;
            }

            _second = second;
        }
    }
}
