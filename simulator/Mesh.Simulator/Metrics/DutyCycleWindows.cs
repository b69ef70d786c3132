namespace Mesh.Simulator.Metrics
{
    /// <summary>
    /// Each node's busiest window of airtime: fixed windows of one length from time zero (10 s, 1 h),
    /// a transmission split across the windows it spans. Regulatory duty cycles (e.g. 1 % per hour at
    /// 868 MHz) are per window, and a babbler's burst vanishes in a whole-run average. Fixed windows
    /// can split a burst in two, so the maximum is at least half the sliding-window maximum. A window
    /// longer than the run is the run. O(nodes) memory whatever the run's length.
    /// </summary>
    public sealed class DutyCycleWindows
    {
        private readonly long _windowUs;
        private readonly long[] _window;
        private readonly long[] _airtime;
        private readonly long[] _max;

        public DutyCycleWindows(int nodes, long windowUs)
        {
            _windowUs = windowUs;
            _window = new long[nodes];
            _airtime = new long[nodes];
            _max = new long[nodes];
        }

        public void Add(int node, long startUs, long airtimeUs)
        {
            long end = startUs + airtimeUs;
            while (startUs < end)
            {
                long w = startUs / _windowUs;
                long windowEnd = (w + 1) * _windowUs;
                long part = (end < windowEnd ? end : windowEnd) - startUs;
                if (w != _window[node])
                {
                    _window[node] = w;
                    _airtime[node] = 0;
                }

                _airtime[node] += part;
                if (_airtime[node] > _max[node])
                {
                    _max[node] = _airtime[node];
                }

                startUs += part;
            }
        }

        /// <summary>One node's busiest window's airtime, as a percentage of the window (or of the run when shorter).</summary>
        public double PercentOf(int node, long runUs)
        {
            long span = runUs < _windowUs ? runUs : _windowUs;
            return span <= 0 ? 0 : 100.0 * _max[node] / span;
        }

        /// <summary>The busiest node's busiest window: its airtime as a percentage of the window (or of the run when shorter), and the node.</summary>
        public (double Percent, int Node) Max(long runUs)
        {
            long span = runUs < _windowUs ? runUs : _windowUs;
            int node = 0;
            for (int i = 1; i < _max.Length; i++)
            {
                if (_max[i] > _max[node])
                {
                    node = i;
                }
            }

            return (_max.Length == 0 || span <= 0 ? 0 : 100.0 * _max[node] / span, node);
        }
    }
}
