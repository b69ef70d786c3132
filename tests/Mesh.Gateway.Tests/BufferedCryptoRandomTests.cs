using System.Collections.Generic;
using Mesh.Gateway.Mesh;

namespace Mesh.Gateway.Tests
{
    public class BufferedCryptoRandomTests
    {
        [Fact]
        public void Values_keep_coming_across_refills_and_are_not_repeated_runs()
        {
            var random = new BufferedCryptoRandom();
            var seen = new HashSet<uint>();
            int highBitSet = 0;
            for (int i = 0; i < 2_000; i++) // several 256-value refills
            {
                uint v = random.NextUInt32();
                seen.Add(v);
                highBitSet += (int)(v >> 31);
            }

            // 2,000 uniform 32-bit values collide with probability ~5e-4; a buffer served twice or zeros would repeat at once.
            Assert.True(seen.Count >= 1_998, $"{seen.Count} distinct values of 2,000");
            Assert.InRange(highBitSet, 800, 1_200); // ~1,000 ± 22 (1 sigma); the whole word is random, not only its low bytes
        }
    }
}
