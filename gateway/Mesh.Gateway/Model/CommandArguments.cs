using System;
using System.Buffers.Binary;
using System.Globalization;
using System.Text.Json;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Model
{
    /// <summary>
    /// Turns a command as people send it (a name and a small JSON body, over MQTT or HTTP) into the
    /// protocol's command kind and argument bytes (PROTOCOL.md, "Commands"). Errors say which field is wrong.
    /// </summary>
    public static class CommandArguments
    {
        public static readonly string[] Names = { "ping", "identify", "reboot", "set_report_interval", "set_forwarding_policy" };

        /// <param name="body">JSON object, a bare number (seconds), or empty.</param>
        public static bool TryParse(string name, string? body, out CommandKind kind, out byte[] args, out string? error)
        {
            args = Array.Empty<byte>();
            error = null;
            kind = default;
            JsonElement? json = null;
            if (!string.IsNullOrWhiteSpace(body))
            {
                try
                {
                    using JsonDocument doc = JsonDocument.Parse(body);
                    json = doc.RootElement.Clone();
                }
                catch (JsonException ex)
                {
                    error = $"{name}: the body is not JSON ({ex.Message})";
                    return false;
                }
            }

            switch (name)
            {
                case "ping":
                    kind = CommandKind.Ping;
                    return true;
                case "reboot":
                    kind = CommandKind.Reboot;
                    return true;
                case "identify":
                    kind = CommandKind.Identify;
                    if (!Seconds(json, 5, 1, ushort.MaxValue, name, out long blink, out error))
                    {
                        return false;
                    }

                    args = new byte[2];
                    BinaryPrimitives.WriteUInt16LittleEndian(args, (ushort)blink);
                    return true;
                case "set_report_interval":
                    kind = CommandKind.SetReportInterval;
                    if (json == null)
                    {
                        error = "set_report_interval: needs {\"seconds\": n} (0 stops reporting)";
                        return false;
                    }

                    if (!Seconds(json, 0, 0, 7 * 24 * 3600, name, out long seconds, out error))
                    {
                        return false;
                    }

                    args = new byte[4];
                    BinaryPrimitives.WriteUInt32LittleEndian(args, (uint)seconds);
                    return true;
                case "set_forwarding_policy":
                    kind = CommandKind.SetForwardingPolicy;
                    if (!Policy(json, out PolicySettings? policy, out error))
                    {
                        return false;
                    }

                    args = new byte[PolicySettings.EncodedSize];
                    policy!.Write(args, 0);
                    return true;
                default:
                    error = $"unknown command '{name}'; known: {string.Join(", ", Names)}";
                    return false;
            }
        }

        private static bool Seconds(JsonElement? json, long fallback, long min, long max, string name, out long value, out string? error)
        {
            error = null;
            value = fallback;
            if (json is JsonElement e)
            {
                JsonElement v = e;
                if (e.ValueKind == JsonValueKind.Object && !e.TryGetProperty("seconds", out v))
                {
                    error = $"{name}: expected a \"seconds\" field";
                    return false;
                }

                if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out value))
                {
                    error = $"{name}: seconds must be a whole number (was {Shown(v)})";
                    return false;
                }
            }

            if (value < min || value > max)
            {
                error = $"{name}: seconds must be between {min} and {max} (was {value.ToString(CultureInfo.InvariantCulture)})";
                return false;
            }

            return true;
        }

        /// <summary>The offending value as sent, shortened: an error message is no place for a megabyte.</summary>
        private static string Shown(JsonElement v)
        {
            string raw = v.GetRawText();
            return raw.Length <= 40 ? raw : raw[..40] + "…";
        }

        /// <summary>An optional numeric field; present but not a number is an error naming it.</summary>
        private static bool Number(JsonElement e, string field, double fallback, out double value, out string? error)
        {
            value = fallback;
            error = null;
            if (!e.TryGetProperty(field, out JsonElement v))
            {
                return true;
            }

            if (v.ValueKind != JsonValueKind.Number || !v.TryGetDouble(out value))
            {
                error = $"set_forwarding_policy: {field} must be a number";
                return false;
            }

            return true;
        }

        /// <summary>An optional whole-number field within [min, max]; 1.5, "2" or 1e30 are errors naming it.</summary>
        private static bool Whole(JsonElement e, string field, long fallback, long min, long max, out long value, out string? error)
        {
            value = fallback;
            error = null;
            if (!e.TryGetProperty(field, out JsonElement v))
            {
                return true;
            }

            if (v.ValueKind != JsonValueKind.Number || !v.TryGetInt64(out value) || value < min || value > max)
            {
                error = $"set_forwarding_policy: {field} must be a whole number {min}..{max} (was {Shown(v)})";
                return false;
            }

            return true;
        }

        private static bool Policy(JsonElement? json, out PolicySettings? policy, out string? error)
        {
            policy = null;
            error = null;
            if (json is not JsonElement e || e.ValueKind != JsonValueKind.Object || !e.TryGetProperty("policy", out JsonElement kind) || kind.ValueKind != JsonValueKind.String)
            {
                error = "set_forwarding_policy: needs {\"policy\": \"flooding\" | \"gossip\" | \"managed\" | \"structured\", ...}";
                return false;
            }

            switch (kind.GetString())
            {
                case "flooding":
                    policy = PolicySettings.Flooding();
                    return true;
                case "gossip":
                    if (!Number(e, "p", 0.7, out double p, out error) || !Whole(e, "k", 1, 0, 15, out long k, out error))
                    {
                        return false;
                    }

                    if (p <= 0 || p > 1)
                    {
                        error = $"set_forwarding_policy: p must be 0 < p <= 1 (was {p.ToString(CultureInfo.InvariantCulture)})";
                        return false;
                    }

                    policy = PolicySettings.Gossip(p, (int)k);
                    return true;
                case "managed":
                    if (!Whole(e, "cancel_threshold", 2, 1, 15, out long c, out error))
                    {
                        return false;
                    }

                    policy = PolicySettings.Managed((int)c);
                    return true;
                case "structured":
                    if (!Whole(e, "cancel_threshold", 2, 1, 15, out long sc, out error))
                    {
                        return false;
                    }

                    policy = PolicySettings.Structured((int)sc);
                    return true;
                default:
                    error = $"set_forwarding_policy: policy must be flooding, gossip, managed or structured (was '{kind.GetString()}')";
                    return false;
            }
        }
    }
}
