using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Text;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Model;
using Mesh.Gateway.Mqtt;
using Mesh.Protocol.Messages;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Http
{
    /// <summary>The HTTP API (gateway/README.md, "HTTP API"): nodes, readings, topology, commands, live events, metrics, health.</summary>
    public static class ApiEndpoints
    {
        public static void Map(WebApplication app, GatewayOptions options)
        {
            app.MapGet("/api/nodes", (HttpContext context, NodeDirectory d) =>
            {
                // Bounded answers: at most `limit` nodes (default and maximum MaxNodesPerPage) in id order,
                // after node `after`; X-Next-After names where the next page starts when there is one.
                IQueryCollection q = context.Request.Query;
                int limit = MaxNodesPerPage;
                if (q.TryGetValue("limit", out var ls) && (!int.TryParse(ls[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxNodesPerPage))
                {
                    return Problem(400, $"limit: a whole number 1..{MaxNodesPerPage} (was '{ls[0]}')");
                }

                uint after = 0;
                if (q.TryGetValue("after", out var afs) && !TryNode(afs[0]!, out after))
                {
                    return Problem(400, $"after: '{afs[0]}' is not a node id");
                }

                var page = new List<NodeSnapshot>(Math.Min(limit, 256));
                bool more = false;
                foreach (NodeSnapshot n in d.Snapshot().Where(n => n.Node > after).OrderBy(n => n.Node))
                {
                    if (page.Count == limit)
                    {
                        more = true;
                        break;
                    }

                    page.Add(n);
                }

                if (more)
                {
                    context.Response.Headers["X-Next-After"] = page[^1].Node.ToString(CultureInfo.InvariantCulture);
                }

                return Results.Json(page, GatewayApp.Json);
            });

            app.MapGet("/api/nodes/{id}", (string id, NodeDirectory d) =>
                !TryNode(id, out uint node) ? Problem(400, $"node id '{id}' is not a number")
                : d.Find(node) is { } n ? Results.Json(n, GatewayApp.Json)
                : Problem(404, $"node {node} has not been heard"));

            app.MapGet("/api/topology", (NodeDirectory d, MeshGateway mesh, HopLimitHeadroom headroom) =>
            {
                var nodes = new List<object>();
                var links = new List<object>();
                IReadOnlyList<NodeSnapshot> snapshot = d.Snapshot();
                foreach (NodeSnapshot n in snapshot)
                {
                    nodes.Add(new { id = n.Node, role = n.Role, online = n.Online, hops = n.Hops, neighboursKnown = n.NeighboursKnown });
                    foreach (NeighbourLink l in n.Neighbours)
                    {
                        links.Add(new { from = n.Node, to = l.Node, rssi = l.Rssi, quality = l.Quality });
                    }
                }

                int deepest = HopLimitHeadroom.DeepestOnlineHops(snapshot);
                return Results.Json(new
                {
                    gateway = mesh.NodeId,
                    network = mesh.NetworkId,
                    hopLimit = headroom.HopLimit,
                    deepestHops = deepest,
                    hopLimitHeadroom = headroom.HeadroomAt(deepest),
                    nodes,
                    links,
                }, GatewayApp.Json);
            });

            app.MapGet("/api/readings", (HttpRequest request, IServiceProvider sp) =>
            {
                var q = request.Query;
                uint? node = null;
                if (q.TryGetValue("node", out var ns) && ns.Count > 0)
                {
                    if (!TryNode(ns[0]!, out uint n))
                    {
                        return Problem(400, $"node: '{ns[0]}' is not a node id");
                    }

                    node = n;
                }

                if (!TryTime(q, "from", out DateTimeOffset? from, out string? error) || !TryTime(q, "to", out DateTimeOffset? to, out error))
                {
                    return Problem(400, error!);
                }

                int limit = 1000;
                if (q.TryGetValue("limit", out var ls) && (!int.TryParse(ls[0], NumberStyles.None, CultureInfo.InvariantCulture, out limit) || limit < 1 || limit > MaxReadings))
                {
                    return Problem(400, $"limit: a whole number 1..{MaxReadings} (was '{ls[0]}')");
                }

                string? quantity = q.TryGetValue("quantity", out var qs) ? qs[0] : null;
                return HistoryWiring.QueryReadings(sp, node, quantity, from, to, limit) is { } rows
                    ? Results.Json(rows, GatewayApp.Json)
                    : Problem(404, "history is disabled (History:Enabled=false)");
            });

            app.MapPost("/api/nodes/{id}/commands/{name}", async (string id, string name, HttpRequest request, MeshGateway mesh, ILoggerFactory logs, CancellationToken ct) =>
            {
                if (!TryNode(id, out uint node) || !Protocol.Wire.NodeAddress.IsValidNodeId(node))
                {
                    return Problem(400, $"node: '{id}' is not a node id (a decimal number 1..4294967293)");
                }

                // A command's arguments are a few bytes of JSON; read no more than a small bound.
                var buffer = new char[MaxCommandBody + 1];
                int read = 0;
                using (var reader = new StreamReader(request.Body, Encoding.UTF8))
                {
                    int n;
                    while (read < buffer.Length && (n = await reader.ReadAsync(buffer.AsMemory(read), ct).ConfigureAwait(false)) > 0)
                    {
                        read += n;
                    }
                }

                if (read > MaxCommandBody)
                {
                    return Problem(413, $"body: a command body is at most {MaxCommandBody} characters");
                }

                string body = new string(buffer, 0, read);

                if (!CommandArguments.TryParse(name, body, out CommandKind kind, out byte[] args, out string? error))
                {
                    return Problem(400, error!);
                }

                // Who commanded what is the first question after a node misbehaves.
                logs.CreateLogger("Mesh.Gateway.Commands").LogInformation("command {Name} for node {Node} accepted from HTTP {Remote} ({Body} bytes of arguments)",
                    name, node, request.HttpContext.Connection.RemoteIpAddress, args.Length);

                CommandOutcome outcome = await mesh.SendCommandAsync(node, kind, args, ct).ConfigureAwait(false);
                int status = outcome.State switch
                {
                    CommandState.Acknowledged => 200,
                    CommandState.TimedOut => 504,
                    _ when outcome.Status == "node_busy" => 429,
                    _ => 503,
                };
                return Results.Text(Encoding.UTF8.GetString(Payloads.CommandResult(outcome)), "application/json", Encoding.UTF8, status);
            });

            app.MapGet("/api/events", async (HttpContext context, LiveFeed feed, NodeDirectory directory) =>
            {
                context.Response.Headers.ContentType = "text/event-stream";
                context.Response.Headers.CacheControl = "no-cache";
                ChannelReader<string> reader = feed.Subscribe(out Action unsubscribe);
                try
                {
                    // Start with the full picture, then changes.
                    await context.Response.WriteAsync("event: nodes\ndata: " + System.Text.Json.JsonSerializer.Serialize(directory.Snapshot(), GatewayApp.Json) + "\n\n", context.RequestAborted).ConfigureAwait(false);
                    await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    await foreach (string message in reader.ReadAllAsync(context.RequestAborted).ConfigureAwait(false))
                    {
                        await context.Response.WriteAsync(message, context.RequestAborted).ConfigureAwait(false);
                        await context.Response.Body.FlushAsync(context.RequestAborted).ConfigureAwait(false);
                    }
                }
                catch (OperationCanceledException)
                {
                }
                finally
                {
                    unsubscribe();
                }
            });

            app.MapGet("/metrics", (IReadOnlyList<IMetricsSource> sources, NodeDirectory directory, HopLimitHeadroom headroom) =>
            {
                var o = new StringBuilder(4096);
                foreach (IMetricsSource source in sources)
                {
                    source.WriteMetrics(o);
                }

                int online = 0, total = 0;
                IReadOnlyList<NodeSnapshot> nodes = directory.Snapshot();
                foreach (NodeSnapshot n in nodes)
                {
                    total++;
                    online += n.Online ? 1 : 0;
                }

                NodeQosMetrics.Write(o, nodes);
                headroom.WriteMetrics(o, nodes);

                o.Append("# HELP mesh_gateway_nodes Nodes heard, by availability.\n# TYPE mesh_gateway_nodes gauge\n");
                o.Append("mesh_gateway_nodes{state=\"online\"} ").Append(online).Append('\n');
                o.Append("mesh_gateway_nodes{state=\"offline\"} ").Append(total - online).Append('\n');
                return Results.Text(o.ToString(), "text/plain; version=0.0.4; charset=utf-8");
            });

            app.MapGet("/healthz", (MqttConnection mqtt, MeshGateway mesh) =>
            {
                bool ok = mqtt.IsConnected;
                return Results.Json(new
                {
                    status = ok ? "ok" : "degraded",
                    mqtt = ok ? "connected" : "disconnected (readings are kept in the outbox)",
                    node = mesh.NodeId,
                    network = mesh.NetworkId,
                }, GatewayApp.Json, statusCode: ok ? 200 : 503);
            });
        }

        /// <summary>Most rows one /api/readings answer holds (History's query bound); page with from/to for more.</summary>
        public const int MaxReadings = 10_000;

        private const int MaxCommandBody = 4096;

        /// <summary>Most nodes one /api/nodes answer holds; page with ?after=.</summary>
        public const int MaxNodesPerPage = 1000;

        private static IResult Problem(int status, string detail) => Results.Json(new { error = detail }, GatewayApp.Json, statusCode: status);

        private static bool TryNode(string s, out uint node) => uint.TryParse(s, NumberStyles.None, CultureInfo.InvariantCulture, out node);

        private static bool TryTime(IQueryCollection q, string name, out DateTimeOffset? value, out string? error)
        {
            value = null;
            error = null;
            if (!q.TryGetValue(name, out var s) || s.Count == 0 || string.IsNullOrEmpty(s[0]))
            {
                return true;
            }

            if (DateTimeOffset.TryParse(s[0], CultureInfo.InvariantCulture, DateTimeStyles.AssumeUniversal, out DateTimeOffset t))
            {
                value = t;
                return true;
            }

            if (long.TryParse(s[0], NumberStyles.AllowLeadingSign, CultureInfo.InvariantCulture, out long ms))
            {
                // DateTimeOffset spans years 1..9999: -62135596800000 .. 253402300799999 ms.
                if (ms < -62_135_596_800_000 || ms > 253_402_300_799_999)
                {
                    error = $"{name}: {ms} Unix milliseconds is outside years 1..9999";
                    return false;
                }

                value = DateTimeOffset.FromUnixTimeMilliseconds(ms);
                return true;
            }

            error = $"{name}: '{s[0]}' is neither an ISO 8601 time nor Unix milliseconds";
            return false;
        }
    }
}
