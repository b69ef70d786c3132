using System;
using System.Collections.Generic;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Mesh.Protocol.Security;

namespace Mesh.Protocol.Desktop.Keys
{
    /// <summary>
    /// Device keys derived from one secret: K_dev(node) = HMAC-SHA256(secret, "Mesh v2 device" | node id
    /// (u32 LE))[0..16). For the simulator and the demo only, where thousands of nodes are provisioned
    /// at once and nothing is at stake: whoever holds the secret holds every device key, which is
    /// exactly what real provisioning avoids (the gateway's registry generates each key at random).
    /// Keys are made on first use and cached.
    /// </summary>
    public sealed class DerivedDeviceKeys : IDeviceKeyDirectory
    {
        private readonly byte[] _secret;
        private readonly ICryptoProvider _crypto;
        private readonly Dictionary<uint, DeviceKey> _cache = new();
        private readonly object _gate = new();

        public DerivedDeviceKeys(byte[] secret, ICryptoProvider crypto)
        {
            _secret = (byte[])secret.Clone();
            _crypto = crypto;
        }

        /// <summary>The secret bytes of <paramref name="node"/>'s device key (to write a node's settings).</summary>
        public byte[] SecretOf(uint node)
        {
            byte[] input = new byte[18];
            "Mesh v2 device"u8.CopyTo(input);
            BinaryPrimitives.WriteUInt32LittleEndian(input.AsSpan(14), node);
            return HMACSHA256.HashData(_secret, input).AsSpan(0, 16).ToArray();
        }

        public DeviceKey KeyOf(uint node)
        {
            lock (_gate)
            {
                if (!_cache.TryGetValue(node, out DeviceKey? key))
                {
                    key = new DeviceKey(node, SecretOf(node), 0, _crypto);
                    _cache[node] = key;
                }

                return key;
            }
        }

        public DeviceKey? Find(uint node, int index) => index == 0 && NodeAddressOk(node) ? KeyOf(node) : null;

        public DeviceKey? Current(uint node) => NodeAddressOk(node) ? KeyOf(node) : null;

        private static bool NodeAddressOk(uint node) => Mesh.Protocol.Wire.NodeAddress.IsValidNodeId(node);
    }
}
