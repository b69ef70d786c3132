using System;
using Mesh.Protocol;

namespace Mesh.Board.Platform
{
    /// <summary>
    /// Randomness for the core (jitter, gossip coin flips): nanoFramework's System.Random. These need no
    /// cryptographic quality; keys and nonces never come from here (the protocol derives nonces from
    /// origin and sequence).
    /// </summary>
    internal sealed class HardwareRandom : IRandomSource
    {
        private readonly Random _random = new Random();
        private readonly byte[] _four = new byte[4];

        public uint NextUInt32()
        {
            _random.NextBytes(_four);
            return (uint)(_four[0] | (_four[1] << 8) | (_four[2] << 16) | (_four[3] << 24));
        }
    }
}
