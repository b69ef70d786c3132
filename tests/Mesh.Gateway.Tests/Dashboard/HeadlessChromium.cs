using System;
using System.Diagnostics;
using System.IO;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;

namespace Mesh.Gateway.Tests.Dashboard
{
    /// <summary>
    /// Debian's real Chromium, headless, driven over the Chrome DevTools Protocol
    /// (https://chromedevtools.github.io/devtools-protocol/) on a loopback WebSocket: navigate, evaluate
    /// JavaScript, take screenshots. Only the handful of commands the dashboard test needs; no virtual time
    /// (it never advances while the page holds an EventSource open), so waits are polls on the real page.
    /// </summary>
    public sealed class HeadlessChromium : IAsyncDisposable
    {
        private readonly Process _process;
        private readonly string _profile;
        private readonly ClientWebSocket _socket = new();
        private int _nextId;

        private HeadlessChromium(Process process, string profile)
        {
            _process = process;
            _profile = profile;
        }

        public static string FindExecutable()
        {
            foreach (string candidate in new[] { "/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome" })
            {
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            throw new InvalidOperationException("chromium is not installed (Debian package 'chromium'; .ci/run installs it)");
        }

        public static async Task<HeadlessChromium> LaunchAsync(int width = 1400, int height = 1000)
        {
            string profile = TempDirectory.Create("chromium");
            var start = new ProcessStartInfo(FindExecutable())
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            };
            foreach (string arg in new[]
            {
                "--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--no-first-run",
                "--disable-extensions", "--disable-background-networking", "--disable-sync", "--mute-audio",
                "--remote-debugging-address=127.0.0.1", "--remote-debugging-port=0",
                "--user-data-dir=" + profile, $"--window-size={width},{height}", "about:blank",
            })
            {
                start.ArgumentList.Add(arg);
            }

            Process process = Process.Start(start) ?? throw new InvalidOperationException("chromium did not start");
            process.ErrorDataReceived += (_, _) => { };
            process.OutputDataReceived += (_, _) => { };
            process.BeginErrorReadLine();
            process.BeginOutputReadLine();
            var browser = new HeadlessChromium(process, profile);
            try
            {
                await browser.ConnectAsync();
                return browser;
            }
            catch
            {
                await browser.DisposeAsync();
                throw;
            }
        }

        /// <summary>Chromium writes its DevTools port to DevToolsActivePort in the profile; connect to the first page's socket.</summary>
        private async Task ConnectAsync()
        {
            string portFile = Path.Combine(_profile, "DevToolsActivePort");
            DateTime deadline = DateTime.UtcNow.AddSeconds(60);
            int port = 0;
            while (port == 0)
            {
                if (_process.HasExited)
                {
                    throw new InvalidOperationException($"chromium exited with code {_process.ExitCode} before opening DevTools");
                }

                if (DateTime.UtcNow > deadline)
                {
                    throw new TimeoutException("chromium did not open its DevTools port within 60 s");
                }

                if (File.Exists(portFile) && int.TryParse(File.ReadAllLines(portFile) is { Length: > 0 } lines ? lines[0] : "", out int p))
                {
                    port = p;
                }
                else
                {
                    await Task.Delay(100);
                }
            }

            using var http = new System.Net.Http.HttpClient { Timeout = TimeSpan.FromSeconds(30) };
            string? ws = null;
            while (ws == null)
            {
                JsonArray targets = JsonNode.Parse(await http.GetStringAsync($"http://127.0.0.1:{port}/json/list"))!.AsArray();
                foreach (JsonNode? t in targets)
                {
                    if ((string?)t!["type"] == "page")
                    {
                        ws = (string?)t["webSocketDebuggerUrl"];
                        break;
                    }
                }

                if (ws == null)
                {
                    if (DateTime.UtcNow > deadline)
                    {
                        throw new TimeoutException("chromium has no page target");
                    }

                    await Task.Delay(100);
                }
            }

            await _socket.ConnectAsync(new Uri(ws), CancellationToken.None);
            await SendAsync("Page.enable");
            await SendAsync("Runtime.enable");
        }

        public Task NavigateAsync(string url) => SendAsync("Page.navigate", new JsonObject { ["url"] = url });

        /// <summary>Evaluates <paramref name="expression"/> in the page and returns its value (JSON); page exceptions become test failures.</summary>
        public async Task<JsonNode?> EvaluateAsync(string expression)
        {
            JsonObject result = await SendAsync("Runtime.evaluate", new JsonObject
            {
                ["expression"] = expression,
                ["returnByValue"] = true,
                ["awaitPromise"] = true,
            });
            if (result["exceptionDetails"] is JsonNode ex)
            {
                throw new InvalidOperationException("page script failed: " + ex.ToJsonString());
            }

            return result["result"]?["value"];
        }

        /// <summary>Polls <paramref name="condition"/> (a JavaScript boolean expression) until it is true.</summary>
        public async Task WaitForAsync(string condition, string what, int seconds = 30)
        {
            DateTime deadline = DateTime.UtcNow.AddSeconds(seconds);
            while (true)
            {
                JsonNode? v = await EvaluateAsync("(() => { try { return !!(" + condition + "); } catch (e) { return false; } })()");
                if (v != null && v.GetValue<bool>())
                {
                    return;
                }

                if (DateTime.UtcNow > deadline)
                {
                    string body = (string?)await EvaluateAsync("document.body ? document.body.innerText.slice(0, 2000) : ''") ?? "";
                    throw new TimeoutException($"dashboard: waited {seconds} s for {what} ({condition}); the page shows:\n{body}");
                }

                await Task.Delay(100);
            }
        }

        /// <summary>A PNG of the viewport, or of the given page rectangle (CSS pixels).</summary>
        public async Task<byte[]> ScreenshotAsync(double? x = null, double? y = null, double? width = null, double? height = null)
        {
            var p = new JsonObject { ["format"] = "png" };
            if (x.HasValue)
            {
                p["clip"] = new JsonObject { ["x"] = x, ["y"] = y, ["width"] = width, ["height"] = height, ["scale"] = 1 };
            }

            JsonObject r = await SendAsync("Page.captureScreenshot", p);
            return Convert.FromBase64String((string)r["data"]!);
        }

        private async Task<JsonObject> SendAsync(string method, JsonObject? parameters = null)
        {
            int id = Interlocked.Increment(ref _nextId);
            var message = new JsonObject { ["id"] = id, ["method"] = method, ["params"] = parameters ?? new JsonObject() };
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            await _socket.SendAsync(Encoding.UTF8.GetBytes(message.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
            var buffer = new byte[64 * 1024];
            var text = new MemoryStream();
            while (true)
            {
                WebSocketReceiveResult r = await _socket.ReceiveAsync(buffer, timeout.Token);
                if (r.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException("chromium closed the DevTools connection");
                }

                text.Write(buffer, 0, r.Count);
                if (!r.EndOfMessage)
                {
                    continue;
                }

                JsonObject reply = JsonNode.Parse(text.ToArray())!.AsObject();
                text.SetLength(0);
                if (reply["id"] is JsonNode rid && rid.GetValue<int>() == id)
                {
                    if (reply["error"] is JsonNode error)
                    {
                        throw new InvalidOperationException($"DevTools {method} failed: {error.ToJsonString()}");
                    }

                    return reply["result"]?.AsObject() ?? new JsonObject();
                }

                // Anything else is an event (console, network, ...): not needed here.
            }
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_socket.State == WebSocketState.Open)
                {
                    using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                    await _socket.CloseAsync(WebSocketCloseStatus.NormalClosure, null, cts.Token);
                }
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException)
            {
            }

            _socket.Dispose();
            try
            {
                if (!_process.HasExited)
                {
                    _process.Kill(entireProcessTree: true);
                    await _process.WaitForExitAsync(new CancellationTokenSource(TimeSpan.FromSeconds(10)).Token);
                }
            }
            catch (Exception ex) when (ex is InvalidOperationException or OperationCanceledException)
            {
            }

            _process.Dispose();
            try
            {
                Directory.Delete(_profile, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
