using System.Collections.Generic;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Security;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// The simulated gateways' device-key directory: every node's key derived from the network key
    /// (<see cref="DerivedDeviceKeys"/>), minus the nodes the operator evicted (an evictedInsider's
    /// registry entry is marked evicted and its key removed, PROTOCOL.md "Key refresh and eviction").
    /// A node's own key is still <see cref="KeyOf"/>: eviction takes the key from the gateway, not from the thief.
    /// </summary>
    public sealed class GatewayKeyDirectory : IDeviceKeyDirectory
    {
        private readonly DerivedDeviceKeys _keys;
        private readonly HashSet<uint> _evicted = new();

        public GatewayKeyDirectory(DerivedDeviceKeys keys)
        {
            _keys = keys;
        }

        public byte[] SecretOf(uint node) => _keys.SecretOf(node);

        public DeviceKey KeyOf(uint node) => _keys.KeyOf(node);

        /// <summary>Removes a node's key from every gateway's directory.</summary>
        public void Evict(uint node) => _evicted.Add(node);

        public DeviceKey? Find(uint node, int index) => _evicted.Contains(node) ? null : _keys.Find(node, index);

        public DeviceKey? Current(uint node) => _evicted.Contains(node) ? null : _keys.Current(node);
    }
}
