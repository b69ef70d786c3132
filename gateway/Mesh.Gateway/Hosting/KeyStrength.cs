using System;
using System.Collections.Generic;

namespace Mesh.Gateway.Hosting
{
    /// <summary>
    /// Refuses network keys an attacker would try first: the demo key (published in this repository), and
    /// keys with a visible pattern (all one byte, a counting or stepping sequence, few distinct bytes).
    /// A real key comes from a random source (<c>openssl rand -hex 16</c>); such a key passes with
    /// overwhelming probability (16 random bytes have fewer than 8 distinct values with probability &lt; 1e-9).
    /// </summary>
    public static class KeyStrength
    {
        /// <summary>"mesh-demo-key-01": the key the demo and the simulator's scenarios publish on purpose.</summary>
        public const string DemoKeyHex = "6d6573682d64656d6f2d6b65792d3031";

        /// <summary>Why <paramref name="key"/> must not protect a real mesh, or null when it looks random.</summary>
        public static string? Weakness(byte[] key)
        {
            if (Convert.ToHexString(key).Equals(DemoKeyHex, StringComparison.OrdinalIgnoreCase))
            {
                return "it is the public demo key";
            }

            var distinct = new HashSet<byte>(key);
            if (distinct.Count < 8)
            {
                return $"it has only {distinct.Count} distinct byte values";
            }

            bool stepping = true;
            for (int i = 2; i < key.Length && stepping; i++)
            {
                stepping = (byte)(key[i] - key[i - 1]) == (byte)(key[1] - key[0]);
            }

            return stepping ? "its bytes count up or down in equal steps" : null;
        }
    }
}
