using System;
using System.Collections.Generic;
using System.IO;
using Mesh.Gateway.Http;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace Mesh.Gateway.Hosting
{
    /// <summary>What <see cref="GatewayRunner.Run"/> starts: `mesh-gateway run`, or the demo (which adds its simulated mesh).</summary>
    public sealed class RunRequest
    {
        /// <summary>--Section:Key=value arguments (and anything else the configuration reads).</summary>
        public string[] ConfigArgs { get; init; } = Array.Empty<string>();

        /// <summary>Settings given by the program, below environment variables and arguments.</summary>
        public Dictionary<string, string?> Overrides { get; init; } = new();

        /// <summary>Only the demo: its published key is accepted.</summary>
        public bool AllowWeakKey { get; init; }

        /// <summary>A program-specific check of the loaded options; returns an error or null.</summary>
        public Func<GatewayOptions, string?>? Check { get; init; }

        /// <summary>Extra services (the demo's simulated mesh).</summary>
        public Action<WebApplicationBuilder, GatewayOptions>? AddServices { get; init; }

        public string Name { get; init; } = "mesh-gateway";

        public string Banner { get; init; } = "mesh-gateway is running. Ctrl+C stops it.";

        public string StateNote { get; init; } = "";
    }

    /// <summary>
    /// Loads and validates the configuration, builds the gateway and runs it until Ctrl+C. Every problem a
    /// person can fix ends in one line on stderr and exit code 2; failures of the machine, 1.
    /// </summary>
    public static class GatewayRunner
    {
        public static int Run(RunRequest request)
        {
            WebApplicationBuilder builder;
            try
            {
                builder = GatewayApp.CreateBuilder(request.ConfigArgs, request.Overrides);
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException)
            {
                // A malformed appsettings.json or argument: one line naming the file and position, not a stack trace.
                Console.Error.WriteLine($"{request.Name}: configuration: " + ex.Message + (ex.InnerException is { } inner ? " " + inner.Message : ""));
                return 2;
            }

            GatewayOptions options = OptionsLoader.Load(builder.Configuration, out IReadOnlyList<string> errors, request.AllowWeakKey);
            if (errors.Count == 0 && request.Check?.Invoke(options) is { } problem)
            {
                errors = new[] { problem };
            }

            if (errors.Count > 0)
            {
                foreach (string e in errors)
                {
                    Console.Error.WriteLine($"{request.Name}: configuration: " + e);
                }

                return 2;
            }

            request.AddServices?.Invoke(builder, options);
            try
            {
                using WebApplication app = GatewayApp.Build(builder, options);
                app.Lifetime.ApplicationStarted.Register(() => PrintWhereToLook(options, request, app.Services.GetRequiredService<HttpToken>()));
                app.Run();
                return 0;
            }
            catch (StartupException ex)
            {
                Console.Error.WriteLine($"{request.Name}: " + ex.Message);
                return 2;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                Console.Error.WriteLine($"{request.Name}: could not start: " + ex.Message);
                return 1;
            }
        }

        private static void PrintWhereToLook(GatewayOptions o, RunRequest request, HttpToken token)
        {
            string url = o.Http.Urls.Split(';')[0].TrimEnd('/');
            string host = o.Mqtt.IsEmbedded ? o.Mqtt.Embedded.LocalConnectAddress : o.Mqtt.Host;
            int port = o.Mqtt.IsEmbedded ? o.Mqtt.Embedded.Port : o.Mqtt.Port;
            string broker = $"{host}:{port}" + (o.Mqtt.IsEmbedded ? " (embedded)" : "");
            Console.WriteLine();
            Console.WriteLine(request.Banner);
            Console.WriteLine($"  dashboard    {url}/");
            Console.WriteLine($"  HTTP API     {url}/api/nodes   {url}/api/readings?node=2&quantity=temperature   {url}/metrics");
            Console.WriteLine($"  MQTT broker  {broker}");
            Console.WriteLine($"  watch it     mosquitto_sub -h {host} -p {port} -t '{o.Mqtt.TopicPrefix}/#' -v");
            Console.WriteLine($"  command      mosquitto_pub -h {host} -p {port} -t '{o.Mqtt.TopicPrefix}/{o.Mesh.NetworkId}/2/cmd/identify' -m '{{\"seconds\":5}}'");
            Console.WriteLine($"  HTTP command curl -H \"Authorization: Bearer $(cat {token.Path})\" -H 'Content-Type: application/json' -d '{{\"seconds\":5}}' {url}/api/nodes/2/commands/identify");
            Console.WriteLine($"  state        {o.State.Directory}{request.StateNote}");
            if (token.Created)
            {
                // Shown this once; afterwards it is only in the (private) file.
                Console.WriteLine($"  HTTP token   {token.Value} (new; kept in {token.Path}, readable by this user only)");
            }

            Console.WriteLine();
        }
    }
}
