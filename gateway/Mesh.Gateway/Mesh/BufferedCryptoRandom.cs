using System;
using System.Security.Cryptography;
using Mesh.Protocol;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// The gateway node's randomness (relay jitter, gossip draws, command ids): the operating system's
    /// cryptographic generator, as <c>DesktopRandom</c>, but fetched 1 KB at a time. <c>DesktopRandom</c> made one
    /// <see cref="RandomNumberGenerator.Fill(Span{byte})"/> call per value, and on Linux each went through OpenSSL,
    /// whose fork check makes a getpid system call every time: ~5 % of the mesh loop's samples at 20,000 frames/s
    /// (a relay is scheduled, then suppressed, for every frame heard on the UDP group). The values are the same
    /// kind of values, only fetched in bulk. Thread-safe (the mesh loop is its only user today).
    /// </summary>
    public sealed class BufferedCryptoRandom : IRandomSource
    {
        private const int Values = 256;
        private readonly uint[] _buffer = new uint[Values];
        private readonly object _lock = new();
        private int _next = Values;

        public uint NextUInt32()
        {
            lock (_lock)
            {
                if (_next == Values)
                {
                    RandomNumberGenerator.Fill(System.Runtime.InteropServices.MemoryMarshal.AsBytes(_buffer.AsSpan()));
                    _next = 0;
                }

                uint value = _buffer[_next];
                _buffer[_next++] = 0; // a value is handed out once and not kept
                return value;
            }
        }
    }
}
