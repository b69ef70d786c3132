namespace Mesh.Protocol
{
    /// <summary>
    /// xorshift64* (Vigna, "An experimental exploration of Marsaglia's xorshift generators", 2016):
    /// small, fast and identical on every platform, so a seed reproduces a run bit for bit. Not for keys.
    /// </summary>
    public sealed class XorShiftRandom : IRandomSource
    {
        private ulong _state;

        public XorShiftRandom(ulong seed)
        {
            // SplitMix64 finaliser turns any seed, including 0, into a non-zero well-mixed state.
            ulong z = seed + 0x9E3779B97F4A7C15UL;
            z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9UL;
            z = (z ^ (z >> 27)) * 0x94D049BB133111EBUL;
            z ^= z >> 31;
            _state = z == 0 ? 0x9E3779B97F4A7C15UL : z;
        }

        public uint NextUInt32()
        {
            ulong x = _state;
            x ^= x >> 12;
            x ^= x << 25;
            x ^= x >> 27;
            _state = x;
            return (uint)((x * 0x2545F4914F6CDD1DUL) >> 32);
        }
    }

    public static class RandomExtensions
    {
        /// <summary>A value in [0, bound) (bound &gt; 0); Lemire's multiply-shift, bias below 2^-32.</summary>
        public static int NextBelow(IRandomSource random, int bound)
        {
            if (bound <= 1)
            {
                return 0;
            }

            return (int)(((ulong)random.NextUInt32() * (ulong)bound) >> 32);
        }
    }
}
