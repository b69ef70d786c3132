using Mesh.Protocol;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Radio
{
    /// <summary>
    /// Gilbert–Elliott bursty loss: one good/bad state per directed link (by its index in the link
    /// table), stepped once for every frame that reaches the receiver uncorrupted. Every link starts in
    /// the good state; when links are rebuilt (mobility) the states start over.
    /// </summary>
    public sealed class BurstLoss
    {
        private readonly GilbertElliottSettings _s;
        private bool[] _bad;

        public BurstLoss(GilbertElliottSettings settings, int linkCount)
        {
            _s = settings;
            _bad = new bool[linkCount];
        }

        public void Reset(int linkCount)
        {
            _bad = new bool[linkCount];
        }

        /// <summary>Whether this frame on <paramref name="link"/> is lost; then the link's state moves on.</summary>
        public bool Lost(int link, IRandomSource random)
        {
            bool bad = _bad[link];
            double loss = bad ? _s.LossInBad : _s.LossInGood;
            bool lost = loss > 0 && (loss >= 1 || RandomDraws.Unit(random) < loss);
            _bad[link] = bad ? RandomDraws.Unit(random) >= _s.BadToGood : RandomDraws.Unit(random) < _s.GoodToBad;
            return lost;
        }
    }
}
