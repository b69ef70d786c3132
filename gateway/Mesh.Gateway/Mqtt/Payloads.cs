using System;
using System.Buffers;
using System.Text.Json;
using Mesh.Gateway.Model;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>JSON bodies of the messages the gateway publishes (gateway/README.md, "MQTT topics").</summary>
    public static class Payloads
    {
        [ThreadStatic]
        private static ArrayBufferWriter<byte>? t_buffer;

        [ThreadStatic]
        private static Utf8JsonWriter? t_writer;

        private static byte[] Write(Action<Utf8JsonWriter> body)
        {
            ArrayBufferWriter<byte> buffer = t_buffer ??= new ArrayBufferWriter<byte>(512);
            buffer.ResetWrittenCount();
            // One writer per thread, reset for each payload (a payload per reading: no writer allocated for each).
            Utf8JsonWriter w = t_writer ??= new Utf8JsonWriter(buffer, Json.WriterOptions);
            w.Reset(buffer);
            w.WriteStartObject();
            body(w);
            w.WriteEndObject();
            w.Flush();
            return buffer.WrittenSpan.ToArray();
        }

        /// <summary>{"value","unit","timestamp","node","network","sequence","hops","rssi"}.</summary>
        public static byte[] Reading(SensorReading r) => Write(w =>
        {
            w.WriteNumber("value", r.Value);
            w.WriteString("unit", r.Unit);
            w.WriteString("timestamp", r.Timestamp.UtcDateTime);
            w.WriteNumber("node", r.Node);
            w.WriteNumber("network", r.Network);
            w.WriteNumber("sequence", r.Sequence);
            w.WriteNumber("hops", r.Hops);
            w.WriteNumber("rssi", r.Rssi);
        });

        public static byte[] Status(NodeHeartbeat h) => Write(w =>
        {
            w.WriteNumber("node", h.Node);
            w.WriteString("role", h.Role);
            w.WriteString("policy", h.Policy);
            w.WriteNumber("uptime_s", h.UptimeSeconds);
            w.WriteString("timestamp", h.Timestamp.UtcDateTime);
            w.WriteNumber("hops", h.Hops);
            w.WriteNumber("rssi", h.Rssi);
            w.WriteStartArray("neighbours");
            foreach (NeighbourLink n in h.Neighbours)
            {
                w.WriteStartObject();
                w.WriteNumber("node", n.Node);
                w.WriteNumber("rssi", n.Rssi);
                w.WriteNumber("quality", n.Quality);
                w.WriteEndObject();
            }

            w.WriteEndArray();
            if (h.NeighboursKnown is int known)
            {
                w.WriteNumber("neighbours_known", known);
            }
        });

        public static byte[] CommandResult(CommandOutcome o) => Write(w =>
        {
            w.WriteNumber("node", o.Node);
            w.WriteString("command", o.Command);
            w.WriteNumber("id", o.CommandId);
            w.WriteString("state", o.State switch
            {
                CommandState.Acknowledged => "acknowledged",
                CommandState.TimedOut => "timed_out",
                _ => "rejected",
            });
            w.WriteString("status", o.Status);
            w.WriteString("sent", o.SentAt.UtcDateTime);
            w.WriteString("completed", o.CompletedAt.UtcDateTime);
            w.WriteNumber("round_trip_ms", Math.Round((o.CompletedAt - o.SentAt).TotalMilliseconds, 1));
            if (o.Error != null)
            {
                w.WriteString("error", o.Error);
            }
        });

        /// <summary>The result for a command refused before it had a node to go to (malformed topic): same fields as <see cref="CommandResult"/>, node null.</summary>
        public static byte[] Rejection(string command, string status, string error, DateTimeOffset at) => Write(w =>
        {
            w.WriteNull("node");
            w.WriteString("command", command);
            w.WriteNumber("id", 0);
            w.WriteString("state", "rejected");
            w.WriteString("status", status);
            w.WriteString("sent", at.UtcDateTime);
            w.WriteString("completed", at.UtcDateTime);
            w.WriteNumber("round_trip_ms", 0);
            w.WriteString("error", error);
        });

        public static byte[] Text(uint node, string text) => Write(w =>
        {
            w.WriteNumber("node", node);
            w.WriteString("text", text);
            w.WriteString("timestamp", DateTime.UtcNow);
        });

        public static byte[] Utf8(string s) => System.Text.Encoding.UTF8.GetBytes(s);

        /// <summary>Reads the two fields a reading's deduplication needs from a published payload.</summary>
        public static bool TryReadOriginSequence(ReadOnlySequence<byte> payload, out uint node, out uint sequence)
        {
            node = 0;
            sequence = 0;
            try
            {
                var reader = new Utf8JsonReader(payload);
                bool haveNode = false, haveSequence = false;
                if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
                {
                    return false;
                }

                while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                {
                    if (reader.ValueTextEquals("node"u8))
                    {
                        reader.Read();
                        haveNode = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out node);
                    }
                    else if (reader.ValueTextEquals("sequence"u8))
                    {
                        reader.Read();
                        haveSequence = reader.TokenType == JsonTokenType.Number && reader.TryGetUInt32(out sequence);
                    }
                    else
                    {
                        reader.Read();
                        reader.TrySkip();
                    }
                }

                return haveNode && haveSequence;
            }
            catch (JsonException)
            {
                return false;
            }
        }
    }
}
