using System;
using System.Collections.Generic;
using Mesh.Protocol.Security;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// The crypto seam of key refresh runs (Simulation.KeyRefresh.cs).
    /// </summary>
    public sealed partial class Simulation
    {
        /// <summary>One MAC (memoised) and one cipher object per distinct key, shared by every core.</summary>
        private sealed class SharedKeyCrypto : ICryptoProvider
        {
            private readonly ICryptoProvider _inner;
            private readonly Dictionary<string, IMac> _macs = new();
            private readonly Dictionary<string, IBlockCipher> _ciphers = new();

            public SharedKeyCrypto(ICryptoProvider inner)
            {
                _inner = inner;
            }

            public IBlockCipher CreateAes128(byte[] key)
            {
                string k = Convert.ToHexString(key);
                if (!_ciphers.TryGetValue(k, out IBlockCipher? c))
                {
                    c = _inner.CreateAes128(key);
                    _ciphers[k] = c;
                }

                return c;
            }

            public IMac CreateHmacSha256(byte[] key)
            {
                string k = Convert.ToHexString(key);
                if (!_macs.TryGetValue(k, out IMac? m))
                {
                    m = _inner.CreateHmacSha256(key);
                    _macs[k] = m;
                }

                return m;
            }
        }
    }
}
