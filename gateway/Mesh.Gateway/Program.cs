using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Mesh.Gateway.Demo;
using Mesh.Gateway.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway
{
    /// <summary>mesh-gateway: `run` serves a real mesh; `demo` brings up a simulated one with everything attached.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var root = new RootCommand("mesh-gateway: joins the Mesh sensor mesh and serves it over MQTT, HTTP and a web dashboard");

            var run = new Command("run", "Run the gateway. Settings come from appsettings.json, MESH_* environment variables " +
                "(MESH_Mqtt__Mode=external) and --Section:Key=value arguments (--Mesh:Key=<32 hex digits> --Mqtt:Mode=external --Mqtt:Host=broker)")
            {
                TreatUnmatchedTokensAsErrors = false,
            };
            var stateDir = new Option<string?>("--state-dir")
            {
                Description = "Folder for the gateway's state (sequence checkpoint, outbox, history, HTTP token); default " + StateFolder.DefaultPath(),
            };
            run.Options.Add(stateDir);
            run.SetAction(parse => Run(parse.UnmatchedTokens.ToArray(), demo: null, parse.GetValue(stateDir)));

            var nodes = new Option<int>("--nodes") { Description = "Simulated nodes (including the one the gateway plays)", DefaultValueFactory = _ => 25 };
            var seed = new Option<ulong>("--seed") { Description = "Seed of the simulated mesh", DefaultValueFactory = _ => 7 };
            var demo = new Command("demo", "Start a simulated mesh in real time, the gateway, its embedded MQTT broker and the dashboard; Ctrl+C stops. " +
                "Gateway settings can be overridden as for run (--Http:Urls=http://127.0.0.1:9090 --Mqtt:Embedded:Port=1884)")
            {
                nodes, seed,
            };
            demo.TreatUnmatchedTokensAsErrors = false;
            demo.SetAction(parse =>
            {
                int n = parse.GetValue(nodes);
                if (n < 2 || n > 2000)
                {
                    Console.Error.WriteLine($"mesh-gateway demo: --nodes must be 2..2000 (was {n})");
                    return 2;
                }

                return Run(parse.UnmatchedTokens.ToArray(), new DemoRequest(n, parse.GetValue(seed)), stateDirectory: null);
            });

            var rate = new Option<int>("--rate") { Description = "Readings per second offered", DefaultValueFactory = _ => 60_000 };
            var seconds = new Option<double>("--seconds") { Description = "How long to offer them", DefaultValueFactory = _ => 5 };
            var origins = new Option<int>("--origins") { Description = "Sensor nodes the readings come from", DefaultValueFactory = _ => 200 };
            var bench = new Command("bench", "Measure readings/s from UDP frames in to MQTT messages at a live subscriber of the embedded broker (latency p50/p99, loss)")
            {
                rate, seconds, origins,
            };
            bench.SetAction(parse =>
            {
                Bench.GatewayBenchmark.Result r = Bench.GatewayBenchmark.RunAsync(parse.GetValue(rate), parse.GetValue(seconds), parse.GetValue(origins), Console.Out, default)
                    .GetAwaiter().GetResult();
                Console.WriteLine($"offered      {r.Sent:N0} readings ({parse.GetValue(rate):N0}/s from {parse.GetValue(origins)} nodes)");
                Console.WriteLine($"received     {r.Received:N0} by the MQTT subscriber; lost {r.Sent - r.Received:N0} ({r.DatagramsDroppedBeforeGateway:N0} of them never reached the gateway's socket)");
                Console.WriteLine($"throughput   {r.ReadingsPerSecond:N0} readings/s over {r.Seconds:F2} s");
                Console.WriteLine($"latency      p50 {r.P50Ms:F2} ms, p99 {r.P99Ms:F2} ms, max {r.MaxMs:F1} ms (UDP send -> subscriber receive)");
                return r.Received == r.Sent ? 0 : 1;
            });

            root.Subcommands.Add(run);
            root.Subcommands.Add(bench);
            root.Subcommands.Add(demo);
            return root.Parse(args).Invoke();
        }

        private sealed record DemoRequest(int Nodes, ulong Seed);

        private static int Run(string[] configArgs, DemoRequest? demo, string? stateDirectory)
        {
            var overrides = new Dictionary<string, string?>();
            if (demo != null)
            {
                // Throwaway state, removed on exit: the demo's mesh is new every time.
                stateDirectory = Path.Combine(Path.GetTempPath(), "mesh-gateway-demo-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
                overrides = DemoMesh.GatewaySettings(stateDirectory, Protocol.Desktop.Transport.UdpMeshOptions.DefaultPort);
            }

            if (stateDirectory != null)
            {
                overrides["State:Directory"] = stateDirectory;
            }

            try
            {
                return RunGateway(configArgs, demo, overrides);
            }
            finally
            {
                if (demo != null && stateDirectory != null && Directory.Exists(stateDirectory))
                {
                    Directory.Delete(stateDirectory, recursive: true);
                }
            }
        }

        private static int RunGateway(string[] configArgs, DemoRequest? demo, Dictionary<string, string?> overrides)
        {
            WebApplicationBuilder builder;
            try
            {
                builder = GatewayApp.CreateBuilder(configArgs, overrides);
            }
            catch (Exception ex) when (ex is InvalidDataException or FormatException)
            {
                // A malformed appsettings.json or argument: one line naming the file and position, not a stack trace.
                Console.Error.WriteLine("mesh-gateway: configuration: " + ex.Message + (ex.InnerException is { } inner ? " " + inner.Message : ""));
                return 2;
            }

            GatewayOptions options = OptionsLoader.Load(builder.Configuration, out IReadOnlyList<string> errors, allowWeakKey: demo != null);
            if (errors.Count > 0)
            {
                foreach (string e in errors)
                {
                    Console.Error.WriteLine("mesh-gateway: configuration: " + e);
                }

                return 2;
            }

            if (demo != null)
            {
                if (!options.Udp.Enabled || options.Udp.TimeToLive != 0)
                {
                    Console.Error.WriteLine("mesh-gateway demo: the demo mesh lives on loopback UDP with TTL 0; do not override Udp:Enabled or Udp:TimeToLive");
                    return 2;
                }

                var scenario = DemoMesh.CreateScenario(demo.Nodes, demo.Seed);
                builder.Services.AddHostedService(sp => new DemoMesh(scenario, DemoMesh.Udp(options.Udp.Port), sp.GetRequiredService<ILogger<DemoMesh>>()));
            }

            try
            {
                using WebApplication app = GatewayApp.Build(builder, options);
                app.Lifetime.ApplicationStarted.Register(() => PrintWhereToLook(options, demo != null, app.Services.GetRequiredService<Http.HttpToken>()));
                app.Run();
                return 0;
            }
            catch (StartupException ex)
            {
                Console.Error.WriteLine("mesh-gateway: " + ex.Message);
                return 2;
            }
            catch (Exception ex) when (ex is InvalidOperationException or IOException or InvalidDataException or UnauthorizedAccessException or System.Net.Sockets.SocketException)
            {
                Console.Error.WriteLine("mesh-gateway: could not start: " + ex.Message);
                return 1;
            }
        }

        private static void PrintWhereToLook(GatewayOptions o, bool demo, Http.HttpToken token)
        {
            string url = o.Http.Urls.Split(';')[0].TrimEnd('/');
            string broker = o.Mqtt.IsEmbedded ? $"127.0.0.1:{o.Mqtt.Embedded.Port} (embedded)" : $"{o.Mqtt.Host}:{o.Mqtt.Port}";
            int port = o.Mqtt.IsEmbedded ? o.Mqtt.Embedded.Port : o.Mqtt.Port;
            string host = o.Mqtt.IsEmbedded ? "127.0.0.1" : o.Mqtt.Host;
            Console.WriteLine();
            Console.WriteLine(demo ? "Mesh demo is running. Ctrl+C stops it." : "mesh-gateway is running. Ctrl+C stops it.");
            Console.WriteLine($"  dashboard    {url}/");
            Console.WriteLine($"  HTTP API     {url}/api/nodes   {url}/api/readings?node=2&quantity=temperature   {url}/metrics");
            Console.WriteLine($"  MQTT broker  {broker}");
            Console.WriteLine($"  watch it     mosquitto_sub -V mqttv5 -h {host} -p {port} -t '{o.Mqtt.TopicPrefix}/#' -v");
            Console.WriteLine($"  command      mosquitto_pub -V mqttv5 -h {host} -p {port} -t '{o.Mqtt.TopicPrefix}/{o.Mesh.NetworkId}/2/cmd/identify' -m '{{\"seconds\":5}}'");
            Console.WriteLine($"  state        {o.State.Directory}{(demo ? " (removed when the demo stops)" : "")}");
            Console.WriteLine($"  HTTP command curl -H \"Authorization: Bearer $(cat {token.Path})\" -H 'Content-Type: application/json' -d '{{\"seconds\":5}}' {url}/api/nodes/2/commands/identify");
            if (token.Created)
            {
                // Shown this once; afterwards it is only in the (private) file.
                Console.WriteLine($"  HTTP token   {token.Value} (new; kept in {token.Path}, readable by this user only)");
            }

            Console.WriteLine();
        }
    }
}
