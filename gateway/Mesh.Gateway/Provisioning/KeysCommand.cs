using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using System.Net.Http;
using System.Net.Http.Headers;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>
    /// `mesh-gateway keys refresh [--evict ID ...] [--deadline 10m]` and `mesh-gateway keys status`: a client
    /// of the running gateway's <c>/api/keys/refresh</c> (the gateway holds the mesh link, so it does the
    /// refresh). It finds the gateway and its HTTP token the way `run` does (Http:Urls, the state folder),
    /// and by default follows the refresh to its end, printing each phase.
    /// </summary>
    public static class KeysCommand
    {
        public static Command Create()
        {
            var evict = new Option<uint[]>("--evict") { Description = "Node to evict (repeat for several): marked evicted, left out of the refresh, cut off after phase 3", AllowMultipleArgumentsPerToken = true };
            var deadline = new Option<string?>("--deadline") { Description = "How long each phase retries nodes that have not answered: 90s, 10m, 2h (default 10m)" };
            var noWait = new Option<bool>("--no-wait") { Description = "Return once the refresh started instead of following it to its end" };
            var url = new Option<string?>("--url") { Description = "The gateway's HTTP address (default: the first of Http:Urls)" };
            var refresh = new Command("refresh", "Refresh the network key on the running gateway, evicting nodes (PROTOCOL.md, Key refresh and eviction). " +
                "Exit code 0: done, every node switched; 3: done, the nodes listed missed it and are cut off; 1: stalled or refused; 2: bad arguments")
            {
                evict, deadline, noWait, url,
            };
            refresh.TreatUnmatchedTokensAsErrors = false;
            refresh.SetAction(parse => Refresh(parse.UnmatchedTokens, parse.GetValue(evict) ?? Array.Empty<uint>(), parse.GetValue(deadline), !parse.GetValue(noWait),
                parse.GetValue(url), Console.Out, Console.Error));

            var statusUrl = new Option<string?>("--url") { Description = "The gateway's HTTP address (default: the first of Http:Urls)" };
            var status = new Command("status", "Show the progress of the current (or last) key refresh") { statusUrl };
            status.TreatUnmatchedTokensAsErrors = false;
            status.SetAction(parse => Status(parse.UnmatchedTokens, parse.GetValue(statusUrl), Console.Out, Console.Error));

            var node = new Option<uint>("--node") { Description = "The node whose device key is replaced", Required = true };
            var rotateDeadline = new Option<string?>("--deadline") { Description = "How long to retry a node that does not answer: 90s, 10m (default 2m, at most 1h)" };
            var rotateUrl = new Option<string?>("--url") { Description = "The gateway's HTTP address (default: the first of Http:Urls)" };
            var rotate = new Command("rotate-device", "Replace one node's device key on the running gateway (command 8): a copy of the old key " +
                "can then neither read the node's readings nor command it. Exit code 0: done; 1: not acknowledged (ask again to resume) or refused; 2: bad arguments")
            {
                node, rotateDeadline, rotateUrl,
            };
            rotate.TreatUnmatchedTokensAsErrors = false;
            rotate.SetAction(parse => RotateDevice(parse.UnmatchedTokens, parse.GetValue(node), parse.GetValue(rotateDeadline), parse.GetValue(rotateUrl), Console.Out, Console.Error));

            return new Command("keys", "Network key refresh and eviction, and device key rotation, driven through the running gateway. Settings as for run (--state-dir is --State:Directory=...)")
            {
                refresh, status, rotate,
            };
        }

        /// <summary>Parses 90, 90s, 10m, 2h into a duration; null if malformed.</summary>
        public static TimeSpan? ParseDuration(string text)
        {
            text = text.Trim();
            if (text.Length == 0)
            {
                return null;
            }

            char unit = char.ToLowerInvariant(text[^1]);
            double scale = unit switch { 's' => 1, 'm' => 60, 'h' => 3600, _ => 0 };
            string number = scale == 0 ? text : text[..^1];
            if (!double.TryParse(number, NumberStyles.AllowDecimalPoint, CultureInfo.InvariantCulture, out double value) || value <= 0)
            {
                return null;
            }

            return TimeSpan.FromSeconds(value * (scale == 0 ? 1 : scale));
        }

        public static int Refresh(IReadOnlyList<string> configArgs, IReadOnlyCollection<uint> evict, string? deadline, bool follow, string? url, TextWriter stdout, TextWriter stderr,
            TimeSpan? pollEvery = null)
        {
            TimeSpan? span = deadline == null ? KeyRefreshService.DefaultDeadline : ParseDuration(deadline);
            if (span == null)
            {
                stderr.WriteLine($"mesh-gateway keys refresh: --deadline '{deadline}': a duration like 90s, 10m or 2h");
                return 2;
            }

            if (Connect(configArgs, url, "refresh", stderr) is not HttpClient http)
            {
                return 2;
            }

            using (http)
            {
                string body = JsonSerializer.Serialize(new Dictionary<string, object> { ["evict"] = evict, ["deadline_seconds"] = (int)Math.Ceiling(span.Value.TotalSeconds) });
                if (!Send(http, HttpMethod.Post, body, "refresh", stderr, out JsonElement started))
                {
                    return 1;
                }

                stdout.WriteLine(started.GetProperty("message").GetString());
                if (!follow)
                {
                    return 0;
                }

                string last = "";
                while (true)
                {
                    Thread.Sleep(pollEvery ?? TimeSpan.FromSeconds(2));
                    if (!Send(http, HttpMethod.Get, null, "refresh", stderr, out JsonElement s))
                    {
                        return 1;
                    }

                    string line = Describe(s);
                    if (line != last)
                    {
                        stdout.WriteLine(line);
                        last = line;
                    }

                    string state = s.GetProperty("state").GetString()!;
                    if (state == "done")
                    {
                        // 3: done, but some nodes missed it and are cut off (they need provisioning again).
                        return s.GetProperty("notAnswered").GetArrayLength() == 0 ? 0 : 3;
                    }

                    if (state is "stalled" or "idle")
                    {
                        return 1;
                    }
                }
            }
        }

        public static int RotateDevice(IReadOnlyList<string> configArgs, uint node, string? deadline, string? url, TextWriter stdout, TextWriter stderr)
        {
            TimeSpan? span = deadline == null ? DeviceKeyRotation.DefaultDeadline : ParseDuration(deadline);
            if (span == null || span.Value < TimeSpan.FromSeconds(5) || span.Value > Http.DeviceKeyEndpoints.MaxDeadline)
            {
                stderr.WriteLine($"mesh-gateway keys rotate-device: --deadline '{deadline}': a duration from 5s to 1h, like 90s or 10m");
                return 2;
            }

            if (Connect(configArgs, url, "rotate-device", stderr) is not HttpClient http)
            {
                return 2;
            }

            using (http)
            {
                http.Timeout = span.Value + TimeSpan.FromSeconds(30); // the gateway answers when the rotation ended
                string body = JsonSerializer.Serialize(new Dictionary<string, object> { ["deadline_seconds"] = (int)Math.Ceiling(span.Value.TotalSeconds) });
                stdout.WriteLine($"replacing node {node}'s device key (retrying for up to {span.Value.TotalSeconds:0} s) …");
                if (!Send(http, HttpMethod.Post, body, "rotate-device", stderr, out JsonElement result, $"api/nodes/{node}/device-key"))
                {
                    return 1;
                }

                stdout.WriteLine(result.GetProperty("message").GetString());
                return 0;
            }
        }

        public static int Status(IReadOnlyList<string> configArgs, string? url, TextWriter stdout, TextWriter stderr)
        {
            if (Connect(configArgs, url, "status", stderr) is not HttpClient http)
            {
                return 2;
            }

            using (http)
            {
                if (!Send(http, HttpMethod.Get, null, "status", stderr, out JsonElement s))
                {
                    return 1;
                }

                stdout.WriteLine(Describe(s));
                return 0;
            }
        }

        /// <summary>One line: state, phase, who acknowledged, who has not.</summary>
        public static string Describe(JsonElement s)
        {
            string state = s.GetProperty("state").GetString()!;
            if (state == "idle")
            {
                return $"no key refresh yet; the gateway sends under network key index {s.GetProperty("gatewayKeyIndex").GetInt32()}";
            }

            var t = new StringBuilder();
            t.Append("key refresh #").Append(s.GetProperty("refresh").GetInt64()).Append(' ').Append(state);
            t.Append(": index ").Append(s.GetProperty("oldIndex").GetInt32()).Append(" -> ").Append(s.GetProperty("newIndex").GetInt32());
            if (state != "done")
            {
                t.Append(", phase ").Append(s.GetProperty("phase").GetInt32());
            }

            JsonElement[] nodes = s.GetProperty("nodes").EnumerateArray().ToArray();
            int needed = state == "done" ? 3 : s.GetProperty("phase").GetInt32();
            t.Append(", ").Append(nodes.Count(n => n.GetProperty("ackedPhase").GetInt32() >= needed)).Append('/').Append(nodes.Length).Append(" node(s) acknowledged");
            uint[] missing = s.GetProperty("notAnswered").EnumerateArray().Select(e => e.GetUInt32()).ToArray();
            if (missing.Length > 0)
            {
                t.Append(state == "done" ? "; cut off (provision again): " : "; waiting for: ").Append(string.Join(", ", missing));
            }

            uint[] evicted = s.GetProperty("evicted").EnumerateArray().Select(e => e.GetUInt32()).ToArray();
            if (evicted.Length > 0)
            {
                t.Append("; evicted: ").Append(string.Join(", ", evicted));
            }

            if (s.TryGetProperty("stalled", out JsonElement why) && why.ValueKind == JsonValueKind.String)
            {
                t.Append("; stalled: ").Append(why.GetString()).Append(" (mesh-gateway keys refresh resumes it)");
            }

            return t.ToString();
        }

        /// <summary>An HTTP client for the gateway's API with its bearer token, from the gateway's own configuration; null after reporting why not.</summary>
        private static HttpClient? Connect(IReadOnlyList<string> configArgs, string? url, string verb, TextWriter stderr)
        {
            WebApplicationBuilder builder = GatewayApp.CreateBuilder(configArgs.ToArray(), null);
            GatewayOptions options = OptionsLoader.Load(builder.Configuration, out IReadOnlyList<string> errors);
            foreach (string e in errors)
            {
                stderr.WriteLine($"mesh-gateway keys {verb}: configuration: " + e);
            }

            if (errors.Count > 0)
            {
                return null;
            }

            string tokenPath = StateFolder.TokenPath(options);
            if (!File.Exists(tokenPath))
            {
                stderr.WriteLine($"mesh-gateway keys {verb}: no HTTP token at {tokenPath}: is the gateway running with this state folder (--State:Directory=...)?");
                return null;
            }

            string address = (url ?? options.Http.Urls.Split(';', StringSplitOptions.RemoveEmptyEntries)[0]).TrimEnd('/');
            // A gateway listening on every address is reached on loopback.
            address = address.Replace("://0.0.0.0", "://127.0.0.1").Replace("://[::]", "://[::1]").Replace("://*", "://127.0.0.1").Replace("://+", "://127.0.0.1");
            var http = new HttpClient { BaseAddress = new Uri(address + "/"), Timeout = TimeSpan.FromSeconds(30) };
            http.DefaultRequestHeaders.Authorization = new AuthenticationHeaderValue("Bearer", File.ReadAllText(tokenPath).Trim());
            return http;
        }

        private static bool Send(HttpClient http, HttpMethod method, string? body, string verb, TextWriter stderr, out JsonElement answer, string path = "api/keys/refresh")
        {
            answer = default;
            try
            {
                using var request = new HttpRequestMessage(method, path);
                if (body != null)
                {
                    request.Content = new StringContent(body, Encoding.UTF8, "application/json");
                }

                using HttpResponseMessage response = http.Send(request);
                string text = response.Content.ReadAsStringAsync().GetAwaiter().GetResult();
                JsonElement json;
                try
                {
                    json = JsonDocument.Parse(text).RootElement.Clone();
                }
                catch (JsonException)
                {
                    stderr.WriteLine($"mesh-gateway keys {verb}: {http.BaseAddress} answered {(int)response.StatusCode} without JSON: is it a mesh-gateway?");
                    return false;
                }

                if (!response.IsSuccessStatusCode)
                {
                    stderr.WriteLine($"mesh-gateway keys {verb}: {(int)response.StatusCode}: " + (json.TryGetProperty("error", out JsonElement e) ? e.GetString()
                        : json.TryGetProperty("message", out JsonElement m) ? m.GetString() : text));
                    return false;
                }

                answer = json;
                return true;
            }
            catch (Exception ex) when (ex is HttpRequestException or TaskCanceledException)
            {
                stderr.WriteLine($"mesh-gateway keys {verb}: cannot reach the gateway at {http.BaseAddress} ({ex.Message}); the refresh is done by a running gateway");
                return false;
            }
        }
    }
}
