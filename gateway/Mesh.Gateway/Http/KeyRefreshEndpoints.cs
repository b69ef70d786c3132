using System;
using System.Collections.Generic;
using System.IO;
using System.Text;
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
    /// <c>POST /api/keys/refresh</c> starts a network key refresh (optionally evicting nodes) on the running
    /// gateway, which holds the mesh link; <c>GET /api/keys/refresh</c> shows its progress. POST needs the
    /// bearer token like every request that changes something (<see cref="RequestGuard"/>).
    /// </summary>
    public static class KeyRefreshEndpoints
    {
        private const int MaxBody = 4096;

        public static void Map(WebApplication app)
        {
            app.MapGet("/api/keys/refresh", (KeyRefreshService refresh) => Results.Json(refresh.Status(), GatewayApp.Json));

            app.MapPost("/api/keys/refresh", async (HttpRequest request, KeyRefreshService refresh, ILoggerFactory logs, CancellationToken ct) =>
            {
                string? body = await ReadBodyAsync(request, ct).ConfigureAwait(false);
                if (body == null)
                {
                    return Problem(413, $"body: at most {MaxBody} characters");
                }

                if (!TryParse(body, out List<uint> evict, out TimeSpan deadline, out string? error))
                {
                    return Problem(400, error!);
                }

                logs.CreateLogger("Mesh.Gateway.KeyRefresh").LogInformation("key refresh requested from HTTP {Remote} (evict {Evict}, deadline {Deadline} s)",
                    request.HttpContext.Connection.RemoteIpAddress, evict.Count == 0 ? "none" : string.Join(", ", evict), deadline.TotalSeconds);
                (int status, string message) = refresh.Start(evict, deadline);
                return status == 202
                    ? Results.Json(new { message, status = refresh.Status() }, GatewayApp.Json, statusCode: 202)
                    : Problem(status, message);
            });
        }

        /// <summary>The request body as text, or null when it is longer than <see cref="MaxBody"/> characters.</summary>
        internal static async System.Threading.Tasks.Task<string?> ReadBodyAsync(HttpRequest request, CancellationToken ct)
        {
            var buffer = new char[MaxBody + 1];
            int read = 0;
            using (var reader = new StreamReader(request.Body, Encoding.UTF8))
            {
                int n;
                while (read < buffer.Length && (n = await reader.ReadAsync(buffer.AsMemory(read), ct).ConfigureAwait(false)) > 0)
                {
                    read += n;
                }
            }

            return read > MaxBody ? null : new string(buffer, 0, read);
        }

        /// <summary>Body: empty, or <c>{"evict": [13, 14], "deadline_seconds": 600}</c> (both optional).</summary>
        public static bool TryParse(string body, out List<uint> evict, out TimeSpan deadline, out string? error)
        {
            evict = new List<uint>();
            deadline = KeyRefreshService.DefaultDeadline;
            error = null;
            if (string.IsNullOrWhiteSpace(body))
            {
                return true;
            }

            JsonElement root;
            try
            {
                using JsonDocument doc = JsonDocument.Parse(body);
                root = doc.RootElement.Clone();
            }
            catch (JsonException ex)
            {
                error = "the body is not JSON (" + ex.Message + ")";
                return false;
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                error = "the body must be a JSON object: {\"evict\": [node, ...], \"deadline_seconds\": n}";
                return false;
            }

            foreach (JsonProperty p in root.EnumerateObject())
            {
                switch (p.Name)
                {
                    case "evict":
                        if (p.Value.ValueKind != JsonValueKind.Array)
                        {
                            error = "evict: a list of node ids";
                            return false;
                        }

                        foreach (JsonElement e in p.Value.EnumerateArray())
                        {
                            if (e.ValueKind != JsonValueKind.Number || !e.TryGetUInt32(out uint node) || !Protocol.Wire.NodeAddress.IsValidNodeId(node))
                            {
                                error = $"evict: '{e.GetRawText()}' is not a node id";
                                return false;
                            }

                            if (!evict.Contains(node))
                            {
                                evict.Add(node);
                            }
                        }

                        break;

                    case "deadline_seconds":
                        if (p.Value.ValueKind != JsonValueKind.Number || !p.Value.TryGetInt32(out int seconds) || seconds <= 0)
                        {
                            error = $"deadline_seconds: a whole number of seconds (was {p.Value.GetRawText()})";
                            return false;
                        }

                        deadline = TimeSpan.FromSeconds(seconds);
                        break;

                    default:
                        error = $"unknown field '{p.Name}'; known: evict, deadline_seconds";
                        return false;
                }
            }

            return true;
        }

        internal static IResult Problem(int status, string detail) => Results.Json(new { error = detail }, GatewayApp.Json, statusCode: status);
    }
}
