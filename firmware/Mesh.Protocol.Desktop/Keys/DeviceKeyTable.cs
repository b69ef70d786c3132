using System;
using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol.Security;

namespace Mesh.Protocol.Desktop.Keys
{
    /// <summary>
    /// A gateway's in-memory device key directory: every key it holds per node (a node keeps its old key
    /// until a device key rotation is acknowledged, so two may be live). Thread-safe: the registry adds
    /// keys while the mesh loop looks them up.
    /// </summary>
    public sealed class DeviceKeyTable : IDeviceKeyDirectory
    {
        private readonly object _gate = new();
        private readonly Dictionary<uint, DeviceKey[]> _keys = new();
        private readonly Dictionary<uint, DeviceKey> _current = new();

        public int Count
        {
            get { lock (_gate) { return _current.Count; } }
        }

        /// <summary>Adds (or replaces the key with the same index of) a node's key; <paramref name="current"/> makes it the one commands use.</summary>
        public void Add(DeviceKey key, bool current = true)
        {
            lock (_gate)
            {
                var list = _keys.TryGetValue(key.Owner, out DeviceKey[]? old) ? old.Where(k => k.Index != key.Index).ToList() : new List<DeviceKey>();
                list.Add(key);
                _keys[key.Owner] = list.ToArray();
                if (current || !_current.ContainsKey(key.Owner))
                {
                    _current[key.Owner] = key;
                }
            }
        }

        /// <summary>Forgets every key of <paramref name="node"/> (an evicted node).</summary>
        public void Remove(uint node)
        {
            lock (_gate)
            {
                _keys.Remove(node);
                _current.Remove(node);
            }
        }

        /// <summary>Drops a node's keys other than <paramref name="keepIndex"/> (a rotation completed).</summary>
        public void Retire(uint node, int keepIndex)
        {
            lock (_gate)
            {
                if (_keys.TryGetValue(node, out DeviceKey[]? list))
                {
                    _keys[node] = list.Where(k => k.Index == keepIndex).ToArray();
                }
            }
        }

        public bool Contains(uint node)
        {
            lock (_gate) { return _current.ContainsKey(node); }
        }

        public DeviceKey? Find(uint node, int index)
        {
            lock (_gate)
            {
                if (_keys.TryGetValue(node, out DeviceKey[]? list))
                {
                    foreach (DeviceKey k in list)
                    {
                        if (k.Index == index)
                        {
                            return k;
                        }
                    }
                }

                return null;
            }
        }

        public DeviceKey? Current(uint node)
        {
            lock (_gate) { return _current.TryGetValue(node, out DeviceKey? k) ? k : null; }
        }
    }
}
