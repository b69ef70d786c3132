using System;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Model;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Security;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>How a device key rotation ended (<c>POST /api/nodes/{id}/device-key</c>, <c>mesh-gateway keys rotate-device</c>).</summary>
    public sealed record DeviceKeyRotationResult(uint Node, string State, int KeyIndex, int Attempts, string Message);

    /// <summary>
    /// Replaces one node's device key (PROTOCOL.md, "Key refresh and eviction": command 8), for a board
    /// whose key may have leaked (a settings file copied, a board away for repair) without re-flashing it.
    /// <list type="number">
    /// <item>The registry stores a fresh random key under the next index beside the current one
    /// (<see cref="NodeRegistry.BeginDeviceKeyRotation"/>), and the gateway's directory accepts frames
    /// under both from then on: the node switches the moment it executes the command, before its ack
    /// (sent under the old key) reaches the gateway, and the ack may be lost.</item>
    /// <item>Command 8 (index, key) sealed with the current key. If it times out, the next attempt is
    /// sealed with the new key: a node that executed it but whose ack was lost holds only the new key now,
    /// and executing the same key again is harmless. Attempts alternate until the deadline.</item>
    /// <item>On an ok acknowledgement the new key becomes the node's key in the registry and the directory,
    /// and the old one is forgotten: anyone holding it can no longer read the node's readings nor command it.</item>
    /// </list>
    /// Not acknowledged by the deadline: both keys stay accepted and the registry keeps the rotation, so
    /// asking again resumes it with the same new key.
    /// </summary>
    public sealed class DeviceKeyRotation
    {
        public static readonly TimeSpan DefaultDeadline = TimeSpan.FromMinutes(2);

        private readonly MeshGateway _mesh;
        private readonly DeviceKeyTable? _table;
        private readonly string _registryFile;
        private readonly ILogger _log;
        private readonly SemaphoreSlim _one = new(1, 1);

        public DeviceKeyRotation(MeshGateway mesh, IDeviceKeyDirectory directory, string registryFile, ILoggerFactory logs)
        {
            _mesh = mesh;
            _table = directory as DeviceKeyTable;
            _registryFile = registryFile;
            _log = logs.CreateLogger("Mesh.Gateway.KeyRefresh");
        }

        /// <summary>Runs one rotation to its end; one at a time per gateway (the registry is one file).</summary>
        public async Task<DeviceKeyRotationResult> RotateAsync(uint node, TimeSpan deadline, CancellationToken ct)
        {
            if (_table == null)
            {
                return new DeviceKeyRotationResult(node, "refused", -1, 0,
                    "device keys are derived from the network key (Mesh:DeriveDeviceKeys, demo only): there is no registry key to replace");
            }

            if (!await _one.WaitAsync(0, ct).ConfigureAwait(false))
            {
                return new DeviceKeyRotationResult(node, "busy", -1, 0, "another device key rotation is running; try again when it ends");
            }

            try
            {
                byte[] key;
                int index;
                using (var registry = new NodeRegistry(_registryFile))
                {
                    try
                    {
                        (key, index) = registry.BeginDeviceKeyRotation(node);
                    }
                    catch (InvalidOperationException e)
                    {
                        return new DeviceKeyRotationResult(node, "refused", -1, 0, e.Message);
                    }
                }

                DeviceKey? old = _table.Current(node);
                var next = new DeviceKey(node, key, index, DesktopCrypto.Instance);
                if (old == null)
                {
                    return new DeviceKeyRotationResult(node, "refused", -1, 0, $"node {node} has no device key loaded in this gateway (provisioned after it started? restart it)");
                }

                _table.Add(next, current: false);
                _log.LogInformation("device key rotation: node {Node}, key index {Old} -> {New}", node, old.Index, index);

                byte[] args = new byte[1 + key.Length];
                args[0] = (byte)index;
                key.CopyTo(args, 1);
                using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
                timeout.CancelAfter(deadline);
                int attempts = 0;
                string last = "not sent";
                try
                {
                    while (true)
                    {
                        // Odd attempts under the old key, even ones under the new (the ack may have been lost).
                        bool underNew = attempts % 2 == 1;
                        _table.Add(underNew ? next : old, current: true);
                        attempts++;
                        CommandOutcome o = await _mesh.SendCommandAsync(node, CommandKind.SetDeviceKey, args, timeout.Token).ConfigureAwait(false);
                        last = o.State == CommandState.Acknowledged ? o.Status : o.State.ToString().ToLowerInvariant() + (o.Error == null ? "" : ": " + o.Error);
                        if (o.State == CommandState.Acknowledged && o.Status == "ok")
                        {
                            using (var registry = new NodeRegistry(_registryFile))
                            {
                                registry.CompleteDeviceKeyRotation(node);
                            }

                            _table.Add(next, current: true);
                            _table.Retire(node, index);
                            _log.LogInformation("device key rotation: node {Node} now uses key index {New} ({Attempts} attempt(s)); the old key is forgotten", node, index, attempts);
                            return new DeviceKeyRotationResult(node, "done", index, attempts, $"node {node} uses device key {index}; the old key is forgotten");
                        }

                        if (o.State != CommandState.TimedOut)
                        {
                            // A refusal (invalid argument, unsupported: a node without crypto) will not change by retrying.
                            _table.Add(old, current: true);
                            return new DeviceKeyRotationResult(node, "refused", old.Index, attempts, $"node {node} answered {last}; it keeps device key {old.Index}");
                        }
                    }
                }
                catch (OperationCanceledException) when (!ct.IsCancellationRequested)
                {
                    // Deadline: keep both keys; commands go under the old one, which a node that never got the
                    // command still holds. Asking again resumes with the same new key.
                    _table.Add(old, current: true);
                    _log.LogWarning("device key rotation: node {Node} did not acknowledge within {Deadline} s ({Attempts} attempt(s), last: {Last}); both keys stay accepted",
                        node, deadline.TotalSeconds, attempts, last);
                    return new DeviceKeyRotationResult(node, "not_acknowledged", old.Index, attempts,
                        $"node {node} did not acknowledge its new device key within {deadline.TotalSeconds:0} s (last attempt: {last}); both keys stay accepted — ask again to resume");
                }
            }
            finally
            {
                _one.Release();
            }
        }
    }
}
