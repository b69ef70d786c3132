using System;
using System.Buffers;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using Mesh.Gateway.Model;

namespace Mesh.Gateway.History
{
    /// <summary>The JSON kept in <c>nodes.neighbours</c> and <c>node_events.detail</c>: small objects with snake_case names.</summary>
    internal static class HistoryJson
    {
        public static string Neighbours(IReadOnlyList<NeighbourLink> links)
        {
            return Write(w => WriteNeighbours(w, links));
        }

        public static string Heartbeat(NodeHeartbeat hb)
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("role", hb.Role);
                w.WriteString("policy", hb.Policy);
                w.WriteNumber("uptime", hb.UptimeSeconds);
                w.WriteNumber("hops", hb.Hops);
                w.WriteNumber("rssi", hb.Rssi);
                w.WritePropertyName("neighbours");
                WriteNeighbours(w, hb.Neighbours);
                if (hb.NeighboursKnown is int known)
                {
                    w.WriteNumber("neighboursKnown", known);
                }

                w.WriteEndObject();
            });
        }

        public static string Command(CommandOutcome c)
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("command", c.Command);
                w.WriteNumber("id", c.CommandId);
                w.WriteString("state", StateName(c.State));
                w.WriteString("status", c.Status);
                w.WriteNumber("sent_at", c.SentAt.ToUnixTimeMilliseconds());
                w.WriteNumber("completed_at", c.CompletedAt.ToUnixTimeMilliseconds());
                w.WriteNumber("round_trip_ms", (long)(c.CompletedAt - c.SentAt).TotalMilliseconds);
                if (c.Error != null)
                {
                    w.WriteString("error", c.Error);
                }

                w.WriteEndObject();
            });
        }

        public static string Text(string text)
        {
            return Write(w =>
            {
                w.WriteStartObject();
                w.WriteString("text", text);
                w.WriteEndObject();
            });
        }

        public static string StateName(CommandState state) => state switch
        {
            CommandState.Acknowledged => "acknowledged",
            CommandState.TimedOut => "timed_out",
            CommandState.Rejected => "rejected",
            _ => "unknown",
        };

        /// <summary>Neighbour links from <c>nodes.neighbours</c>; entries that are not well-formed are skipped.</summary>
        public static IReadOnlyList<NeighbourLink> ParseNeighbours(string? json)
        {
            if (string.IsNullOrEmpty(json))
            {
                return Array.Empty<NeighbourLink>();
            }

            using JsonDocument doc = JsonDocument.Parse(json);
            if (doc.RootElement.ValueKind != JsonValueKind.Array)
            {
                return Array.Empty<NeighbourLink>();
            }

            var links = new List<NeighbourLink>(doc.RootElement.GetArrayLength());
            foreach (JsonElement e in doc.RootElement.EnumerateArray())
            {
                if (e.ValueKind == JsonValueKind.Object
                    && e.TryGetProperty("node", out JsonElement node) && node.TryGetUInt32(out uint id)
                    && e.TryGetProperty("rssi", out JsonElement rssi) && rssi.TryGetInt32(out int r)
                    && e.TryGetProperty("quality", out JsonElement quality) && quality.TryGetInt32(out int q))
                {
                    links.Add(new NeighbourLink(id, r, q));
                }
            }

            return links;
        }

        /// <summary>True when <paramref name="json"/> is one JSON object.</summary>
        public static bool IsObject(string json)
        {
            try
            {
                using JsonDocument doc = JsonDocument.Parse(json);
                return doc.RootElement.ValueKind == JsonValueKind.Object;
            }
            catch (JsonException)
            {
                return false;
            }
        }

        private static void WriteNeighbours(Utf8JsonWriter w, IReadOnlyList<NeighbourLink> links)
        {
            w.WriteStartArray();
            foreach (NeighbourLink l in links)
            {
                w.WriteStartObject();
                w.WriteNumber("node", l.Node);
                w.WriteNumber("rssi", l.Rssi);
                w.WriteNumber("quality", l.Quality);
                w.WriteEndObject();
            }

            w.WriteEndArray();
        }

        private static string Write(Action<Utf8JsonWriter> body)
        {
            var buffer = new ArrayBufferWriter<byte>(256);
            using (var w = new Utf8JsonWriter(buffer))
            {
                body(w);
            }

            return Encoding.UTF8.GetString(buffer.WrittenSpan);
        }
    }
}
