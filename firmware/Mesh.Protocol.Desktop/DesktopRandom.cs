using System;
using System.Buffers.Binary;
using System.Security.Cryptography;

namespace Mesh.Protocol.Desktop
{
    /// <summary>
    /// Unpredictable randomness for real deployments (gateway, desktop nodes). Simulations and tests use
    /// the seeded <see cref="XorShiftRandom"/> instead.
    /// </summary>
    public sealed class DesktopRandom : IRandomSource
    {
        public uint NextUInt32()
        {
            Span<byte> bytes = stackalloc byte[4];
            RandomNumberGenerator.Fill(bytes);
            return BinaryPrimitives.ReadUInt32LittleEndian(bytes);
        }
    }
}
