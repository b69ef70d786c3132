using System;
using Mesh.Gateway.Mesh;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>
    /// Stores in this gateway's registry what another gateway's commands changed in its core, as the node
    /// application stores it on a board (firmware/Mesh.NodeApp/Runtime/NodeRunner.cs, SettingsChanged): the
    /// command counters, a key refresh step (phase 1 the new key, 2 sending under it, 3 it is the network key;
    /// <see cref="KeyRefreshStore.FollowedRefresh"/>), and this gateway's own new device key. Report interval
    /// and forwarding policy are not stored: a gateway takes those from its configuration. Keys are never logged.
    /// </summary>
    public sealed class CommandedSettings : ICommandedSettings, IDisposable
    {
        private readonly KeyRefreshStore _keys;
        private readonly CommandCounterStore _counters;
        private readonly string _registryPath;
        private readonly uint _self;
        private readonly TimeProvider _time;
        private readonly ILogger _log;

        /// <param name="keys">Shared with the key refresh service, which locks it around every use.</param>
        public CommandedSettings(KeyRefreshStore keys, CommandCounterStore counters, string registryPath, uint self, TimeProvider time, ILogger log)
        {
            _keys = keys;
            _counters = counters;
            _registryPath = registryPath;
            _self = self;
            _time = time;
            _log = log;
        }

        public void Persist(MeshEvent e)
        {
            byte[] p = e.Payload;
            switch ((SettingsChange)p[0])
            {
                case SettingsChange.CommandCounter:
                    _counters.Save(LittleEndian.ReadUInt32(p, 1), LittleEndian.ReadUInt32(p, 5));
                    break;

                case SettingsChange.NetworkKey:
                    NetworkKeyStep(p[1], p[2], p[3], p);
                    break;

                case SettingsChange.DeviceKey:
                    byte[] key = new byte[p[2]];
                    Array.Copy(p, 3, key, 0, key.Length);
                    using (var registry = new NodeRegistry(_registryPath))
                    {
                        registry.ReplaceDeviceKey(_self, key, p[1]);
                    }

                    _log.LogInformation("this gateway's device key was replaced by command (index {Index}); stored in the registry", p[1]);
                    break;

                default:
                    _log.LogInformation("a command changed this gateway's {Setting} until it restarts (a gateway takes it from its configuration)", (SettingsChange)p[0]);
                    break;
            }
        }

        private void NetworkKeyStep(int index, int phase, int keyLength, byte[] p)
        {
            lock (_keys)
            {
                if (phase == NetworkKeyRing.PhaseDistributed && keyLength > 0)
                {
                    byte[] key = new byte[keyLength];
                    Array.Copy(p, 4, key, 0, keyLength);
                    _keys.FollowDistributed(index, key);
                    _log.LogInformation("key refresh driven by another gateway: network key index {Index} received (phase 1) and stored", index);
                }
                else if (phase == NetworkKeyRing.PhaseSwitched && _keys.FollowSwitched(index))
                {
                    _log.LogInformation("key refresh driven by another gateway: this gateway sends under network key index {Index} (phase 2)", index);
                }
                else if (phase == NetworkKeyRing.PhaseRevoke && _keys.FollowRevoked(index, _time.GetUtcNow()))
                {
                    _log.LogInformation("key refresh driven by another gateway: network key index {Index} only, stored as the network key (phase 3; Mesh:Key is no longer used)", index);
                }
                else
                {
                    // A retry of a step already stored (phase 3 of a finished refresh), or a phase for a key never received.
                    _log.LogInformation("key refresh driven by another gateway: phase {Phase} of network key index {Index}; nothing to store", phase, index);
                }
            }
        }

        public void Dispose() => _counters.Dispose();
    }
}
