using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Net.Http;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Mesh;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>
    /// The real gateway, composed by <see cref="GatewayApp"/> exactly as `mesh-gateway run` composes it,
    /// on free loopback ports with its state in a temporary directory.
    /// </summary>
    public sealed class TestGateway : IAsyncDisposable
    {
        public const string KeyHex = "3f9a1c7e55b0d2846e1fa9c30b7d5e62"; // random-looking: the gateway refuses patterned keys

        private readonly WebApplication _app;

        private TestGateway(WebApplication app, GatewayOptions options, string directory, int udpPort, LogCapture logs)
        {
            _app = app;
            Options = options;
            Directory = directory;
            UdpPort = udpPort;
            Logs = logs;
            Token = File.ReadAllText(Path.Combine(directory, StateFolder.TokenFileName)).Trim();
            Http = new HttpClient { BaseAddress = new Uri(options.Http.Urls), Timeout = TimeSpan.FromSeconds(30) };
            Http.DefaultRequestHeaders.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", Token);
        }

        /// <summary>Every log line of this gateway (Warning and above, and the accepted-command lines).</summary>
        public LogCapture Logs { get; }

        /// <summary>The HTTP credential the gateway created in its state folder; <see cref="Http"/> sends it.</summary>
        public string Token { get; }

        /// <summary>A JSON body for a command, as the API requires.</summary>
        public static StringContent Json(string json) => new(json, System.Text.Encoding.UTF8, "application/json");

        public GatewayOptions Options { get; }

        public string Directory { get; }

        public int UdpPort { get; }

        public HttpClient Http { get; }

        public IServiceProvider Services => _app.Services;

        public MeshGateway Mesh => Services.GetRequiredService<MeshGateway>();

        public int BrokerPort => Options.Mqtt.IsEmbedded ? Options.Mqtt.Embedded.Port : Options.Mqtt.Port;

        public static Dictionary<string, string?> Defaults(string directory, int udpPort, uint nodeId = 900) => new()
        {
            ["Mesh:Key"] = KeyHex,
            ["Mesh:DeriveDeviceKeys"] = "true", // test sensors are provisioned the way mesh-sim provisions
            ["Mesh:NodeId"] = nodeId.ToString(CultureInfo.InvariantCulture),
            ["Mesh:SequenceFile"] = Path.Combine(directory, "gateway.seq"),
            ["Mesh:CommandTimeoutMs"] = "1000",
            ["Udp:Port"] = udpPort.ToString(CultureInfo.InvariantCulture),
            ["Udp:TimeToLive"] = "0",
            ["Udp:Interface"] = "127.0.0.1",
            ["Mqtt:Embedded:Port"] = Ports.FreeTcp().ToString(CultureInfo.InvariantCulture),
            ["Mqtt:Outbox:Path"] = Path.Combine(directory, "outbox.db"),
            ["Mqtt:ReconnectDelayMs"] = "300",
            ["History:Path"] = Path.Combine(directory, "history.db"),
            ["Http:Urls"] = "http://127.0.0.1:" + Ports.FreeTcp().ToString(CultureInfo.InvariantCulture),
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:Mesh.Gateway.Commands"] = "Information",
            ["State:Directory"] = directory,
        };

        /// <summary>Starts a gateway; <paramref name="configure"/> may change any setting before start.</summary>
        public static async Task<TestGateway> StartAsync(Action<Dictionary<string, string?>>? configure = null, string? directory = null, int? udpPort = null)
        {
            directory ??= TempDirectory.Create("gw");
            int udp = udpPort ?? Ports.UniqueUdp();
            Dictionary<string, string?> settings = Defaults(directory, udp);
            configure?.Invoke(settings);
            WebApplicationBuilder builder = GatewayApp.CreateBuilder(Array.Empty<string>(), settings);
            // Demo-style options: the test sensors are provisioned as mesh-sim provisions (Mesh:DeriveDeviceKeys).
            GatewayOptions options = OptionsLoader.Load(builder.Configuration, out IReadOnlyList<string> errors, allowWeakKey: true);
            if (errors.Count > 0)
            {
                throw new InvalidOperationException("test gateway configuration: " + string.Join("; ", errors));
            }

            var logs = new LogCapture();
            builder.Logging.AddProvider(logs);
            WebApplication app = GatewayApp.Build(builder, options);
            await app.StartAsync();
            return new TestGateway(app, options, directory, udp, logs);
        }

        public async ValueTask DisposeAsync()
        {
            Http.Dispose();
            await _app.StopAsync();
            await _app.DisposeAsync();
        }
    }

    public static class TempDirectory
    {
        public static string Create(string tag)
        {
            string path = Path.Combine(Path.GetTempPath(), "mesh-tests", tag + "-" + Guid.NewGuid().ToString("N")[..8]);
            System.IO.Directory.CreateDirectory(path);
            return path;
        }
    }
}
