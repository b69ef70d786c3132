namespace Mesh.Protocol.Qos
{
    /// <summary>
    /// PROTOCOL.md, "Congestion control", own-report spacing: an integral controller. A node measures only
    /// what its radio decodes, and on a saturated channel most busy time is collisions it never sees, so
    /// the measured utilisation stops rising just above the threshold (load-sweep-200: ~20 % at 10 × the
    /// load the channel carries). A spacing proportional to the excess therefore stays small exactly when
    /// the channel is lost; this one keeps growing while the excess persists and shrinks once it is gone,
    /// so the mesh settles where utilisation sits at the threshold, whatever the compression of the signal.
    ///
    /// Once per step (the utilisation window): if u′ &gt; θ the factor grows × 3/2 (at most
    /// <see cref="MaxFactorPermille"/>); if u′ &lt; 3θ/4 it shrinks × 4/5 (never below 1000); in between it holds.
    /// u′ is the utilisation less the airtime of frames this node refused for fair share since the previous
    /// step (per millisecond elapsed): a babbler's excess, which spacing honest reports cannot reduce, must
    /// not make its neighbours fall silent.
    /// </summary>
    public sealed class ReportSpacing
    {
        public const int MaxFactorPermille = 16000;

        private readonly int _stepMs;
        private int _factor = 1000;
        private long _lastStepMs = long.MinValue;
        private long _refusedAirUs;

        /// <param name="stepMs">Time between steps: the utilisation window, so consecutive steps see fresh windows.</param>
        public ReportSpacing(int stepMs)
        {
            _stepMs = stepMs;
        }

        /// <summary>The current factor in permille (1000 … <see cref="MaxFactorPermille"/>).</summary>
        public int FactorPermille
        {
            get { return _factor; }
        }

        /// <summary>A frame of <paramref name="airtimeUs"/> heard and refused for fair share.</summary>
        public void AddRefused(int airtimeUs)
        {
            _refusedAirUs += airtimeUs;
        }

        /// <summary>
        /// Steps the controller when a step is due (the first call only starts the clock) and returns the
        /// factor. <paramref name="utilisationPermille"/> is the channel monitor's figure now.
        /// </summary>
        public int Step(long nowMs, int utilisationPermille, int thresholdPermille)
        {
            if (_lastStepMs == long.MinValue)
            {
                _lastStepMs = nowMs;
                _refusedAirUs = 0;
                return _factor;
            }

            long elapsed = nowMs - _lastStepMs;
            if (elapsed < _stepMs)
            {
                return _factor;
            }

            // Busy microseconds per millisecond elapsed is permille.
            long refused = _refusedAirUs / elapsed;
            long u = utilisationPermille - (refused > utilisationPermille ? utilisationPermille : refused);
            _lastStepMs = nowMs;
            _refusedAirUs = 0;

            if (u > thresholdPermille)
            {
                long f = (long)_factor * 3 / 2;
                _factor = f > MaxFactorPermille ? MaxFactorPermille : (int)f;
            }
            else if (u * 4 < (long)thresholdPermille * 3)
            {
                int f = _factor * 4 / 5;
                _factor = f < 1000 ? 1000 : f;
            }

            return _factor;
        }
    }
}
