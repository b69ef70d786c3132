using System;
using System.Globalization;
using System.Text.Json;
using System.Threading;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Provisioning;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Http
{
    /// <summary>
    /// <c>POST /api/nodes/{id}/device-key</c> replaces one node's device key (<see cref="DeviceKeyRotation"/>)
    /// and answers when it ended: 200 done, 504 not acknowledged by the deadline (resumable), 409 refused
    /// or another rotation running, 400 naming a bad field. Bearer token as for every change.
    /// </summary>
    public static class DeviceKeyEndpoints
    {
        public static readonly TimeSpan MaxDeadline = TimeSpan.FromHours(1);

        public static void Map(WebApplication app)
        {
            app.MapPost("/api/nodes/{id}/device-key", async (string id, HttpRequest request, DeviceKeyRotation rotation, ILoggerFactory logs, CancellationToken ct) =>
            {
                if (!uint.TryParse(id, NumberStyles.None, CultureInfo.InvariantCulture, out uint node) || !Protocol.Wire.NodeAddress.IsValidNodeId(node))
                {
                    return KeyRefreshEndpoints.Problem(400, $"id: '{id}' is not a node id");
                }

                string? body = await KeyRefreshEndpoints.ReadBodyAsync(request, ct).ConfigureAwait(false);
                if (body == null)
                {
                    return KeyRefreshEndpoints.Problem(413, "body: too long");
                }

                if (!TryParseDeadline(body, out TimeSpan deadline, out string? error))
                {
                    return KeyRefreshEndpoints.Problem(400, error!);
                }

                logs.CreateLogger("Mesh.Gateway.KeyRefresh").LogInformation("device key rotation of node {Node} requested from HTTP {Remote} (deadline {Deadline} s)",
                    node, request.HttpContext.Connection.RemoteIpAddress, deadline.TotalSeconds);
                DeviceKeyRotationResult result = await rotation.RotateAsync(node, deadline, ct).ConfigureAwait(false);
                int status = result.State switch
                {
                    "done" => 200,
                    "not_acknowledged" => 504,
                    _ => 409,
                };
                return Results.Json(result, GatewayApp.Json, statusCode: status);
            });
        }

        /// <summary>Body: empty, or <c>{"deadline_seconds": n}</c> with 5 ≤ n ≤ 3600.</summary>
        public static bool TryParseDeadline(string body, out TimeSpan deadline, out string? error)
        {
            deadline = DeviceKeyRotation.DefaultDeadline;
            error = null;
            if (string.IsNullOrWhiteSpace(body))
            {
                return true;
            }

            try
            {
                using JsonDocument doc = JsonDocument.Parse(body);
                if (doc.RootElement.ValueKind != JsonValueKind.Object)
                {
                    error = "the body must be a JSON object: {\"deadline_seconds\": n}";
                    return false;
                }

                foreach (JsonProperty p in doc.RootElement.EnumerateObject())
                {
                    if (p.Name != "deadline_seconds")
                    {
                        error = $"unknown field '{p.Name}'; known: deadline_seconds";
                        return false;
                    }

                    if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int seconds) || seconds < 5 || seconds > MaxDeadline.TotalSeconds)
                    {
                        error = $"deadline_seconds: a whole number of seconds, 5 .. {MaxDeadline.TotalSeconds:0} (was {p.Value.GetRawText()})";
                        return false;
                    }

                    deadline = TimeSpan.FromSeconds(seconds);
                }
            }
            catch (JsonException ex)
            {
                error = "the body is not JSON (" + ex.Message + ")";
                return false;
            }

            return true;
        }
    }
}
