using System;
using System.Collections.Generic;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Http;
using Mesh.Gateway.Provisioning;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>
    /// Key management over MQTT, beside <c>POST /api/keys/refresh</c> and <c>POST /api/nodes/{id}/device-key</c>:
    /// <list type="bullet">
    /// <item><c>&lt;prefix&gt;/&lt;network&gt;/&lt;gateway node&gt;/cmd/keys-refresh</c> with the HTTP body
    /// (<c>{"evict": [ids], "deadline_seconds": n}</c>, optional): a network key refresh, addressed to the
    /// gateway itself as a node (other gateways on the broker leave it alone). Its result topic gets
    /// <c>started</c> (or <c>refused</c>) at once, then <c>done</c> or <c>stalled</c> at its end.</item>
    /// <item><c>&lt;prefix&gt;/&lt;network&gt;/&lt;node&gt;/cmd/device-key</c> with <c>{"deadline_seconds": n}</c>:
    /// that node's device key rotation; one result when it ended.</item>
    /// </list>
    /// Like every command topic they are refused when retained. Whoever may publish on the command topics
    /// may evict nodes: give the broker an ACL (gateway/README.md), as for reboot.
    /// </summary>
    public sealed class MqttKeyCommands
    {
        public const string RefreshName = "keys-refresh";
        public const string DeviceKeyName = "device-key";

        private readonly KeyRefreshService _refresh;
        private readonly DeviceKeyRotation _rotation;
        private readonly uint _gatewayNode;
        private readonly TimeSpan _pollEvery;

        public MqttKeyCommands(KeyRefreshService refresh, DeviceKeyRotation rotation, uint gatewayNode, TimeSpan? pollEvery = null)
        {
            _refresh = refresh;
            _rotation = rotation;
            _gatewayNode = gatewayNode;
            _pollEvery = pollEvery ?? TimeSpan.FromSeconds(1);
        }

        public static bool Handles(string name) => name is RefreshName or DeviceKeyName;

        /// <summary>Runs the command; <paramref name="publish"/> sends a JSON result to the command's result topic.</summary>
        public async Task RunAsync(uint node, string name, string body, Action<byte[]> publish, ILogger log, CancellationToken ct)
        {
            if (name == DeviceKeyName)
            {
                if (!DeviceKeyEndpoints.TryParseDeadline(body, out TimeSpan deadline, out string? error))
                {
                    log.LogWarning("MQTT command {Name} for node {Node} rejected: {Error}", name, node, error);
                    publish(Result(node, name, "invalid", error!, null));
                    return;
                }

                log.LogInformation("device key rotation of node {Node} requested over MQTT (deadline {Deadline} s)", node, deadline.TotalSeconds);
                DeviceKeyRotationResult r = await _rotation.RotateAsync(node, deadline, ct).ConfigureAwait(false);
                publish(Result(node, name, r.State, r.Message, r));
                return;
            }

            if (node != _gatewayNode)
            {
                return; // another gateway's refresh
            }

            if (!KeyRefreshEndpoints.TryParse(body, out List<uint> evict, out TimeSpan phaseDeadline, out string? bad))
            {
                log.LogWarning("MQTT command {Name} for gateway {Node} rejected: {Error}", name, node, bad);
                publish(Result(node, name, "invalid", bad!, null));
                return;
            }

            log.LogInformation("key refresh requested over MQTT (evict {Evict}, deadline {Deadline} s)", evict.Count == 0 ? "none" : string.Join(", ", evict), phaseDeadline.TotalSeconds);
            (int status, string message) = _refresh.Start(evict, phaseDeadline);
            if (status != 202)
            {
                publish(Result(node, name, "refused", message, _refresh.Status()));
                return;
            }

            publish(Result(node, name, "started", message, _refresh.Status()));
            while (!ct.IsCancellationRequested)
            {
                await Task.Delay(_pollEvery, ct).ConfigureAwait(false);
                KeyRefreshStatus s = _refresh.Status();
                if (s.State is "done" or "stalled")
                {
                    string end = s.State == "done"
                        ? (s.NotAnswered.Count == 0 ? "every node switched to network key " + s.NewIndex : "done; cut off (provision again): " + string.Join(", ", s.NotAnswered))
                        : "stalled: " + s.Stalled + " (publish the command again to resume)";
                    publish(Result(node, name, s.State, end, s));
                    return;
                }
            }
        }

        private static byte[] Result(uint node, string command, string state, string message, object? detail) =>
            JsonSerializer.SerializeToUtf8Bytes(new Dictionary<string, object?>
            {
                ["node"] = node,
                ["command"] = command,
                ["state"] = state,
                ["message"] = message,
                ["detail"] = detail,
                ["at"] = DateTimeOffset.UtcNow.UtcDateTime,
            }, GatewayApp.Json);
    }
}
