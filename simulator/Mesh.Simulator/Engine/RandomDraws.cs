using System;
using Mesh.Protocol;

namespace Mesh.Simulator.Engine
{
    /// <summary>Continuous draws from the core's integer random source, for the channel and the workload.</summary>
    internal static class RandomDraws
    {
        public static double Unit(IRandomSource r) => r.NextUInt32() / 4294967296.0;

        /// <summary>The same draw from the concrete generator: a direct, inlinable call on the channel's hot path.</summary>
        public static double Unit(XorShiftRandom r) => r.NextUInt32() / 4294967296.0;

        public static double Gaussian(IRandomSource r)
        {
            double u1 = (r.NextUInt32() + 1.0) / 4294967297.0;
            double u2 = r.NextUInt32() / 4294967296.0;
            return Math.Sqrt(-2 * Math.Log(u1)) * Math.Cos(2 * Math.PI * u2);
        }
    }
}
