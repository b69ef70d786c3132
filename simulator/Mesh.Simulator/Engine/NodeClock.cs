using System;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// A board's millisecond clock against simulated time: it runs at its own rate (crystal drift, parts
    /// per million) from its own sub-millisecond boot phase. The protocol core only ever sees this clock,
    /// so two nodes' periodic timers slide against each other as on real hardware.
    /// </summary>
    public readonly struct NodeClock
    {
        private readonly double _rate;
        private readonly double _offsetUs;

        public NodeClock(double driftPpm, double offsetUs)
        {
            _rate = 1 + driftPpm * 1e-6;
            _offsetUs = offsetUs;
        }

        /// <summary>The node's clock reading, in whole milliseconds, at simulated time <paramref name="simUs"/>.</summary>
        public long LocalMs(long simUs)
        {
            double rate = _rate == 0 ? 1 : _rate; // default(NodeClock): an ideal clock
            return (long)Math.Floor((simUs * rate + _offsetUs) / 1000);
        }

        /// <summary>The first simulated microsecond at which the clock reads at least <paramref name="localMs"/>.</summary>
        public long SimUsAt(long localMs)
        {
            double rate = _rate == 0 ? 1 : _rate;
            long t = (long)Math.Ceiling((localMs * 1000.0 - _offsetUs) / rate);
            if (t < 0)
            {
                t = 0;
            }

            // Rounding of the division: settle on the exact first microsecond.
            while (LocalMs(t) < localMs)
            {
                t++;
            }

            while (t > 0 && LocalMs(t - 1) >= localMs)
            {
                t--;
            }

            return t;
        }
    }
}
