using System;
using System.CommandLine;
using System.Globalization;
using System.IO;
using System.Linq;
using Mesh.Gateway.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Demo
{
    /// <summary>mesh-gateway-demo: `demo` runs the gateway on a simulated mesh; `bench` measures the gateway's throughput beside raw MQTTnet's.</summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var root = new RootCommand("mesh-gateway-demo: the Mesh gateway on a simulated mesh (demo), and its throughput benchmark (bench)");

            var nodes = new Option<int>("--nodes") { Description = "Simulated nodes (including the one the gateway plays)", DefaultValueFactory = _ => 25 };
            var seed = new Option<ulong>("--seed") { Description = "Seed of the simulated mesh", DefaultValueFactory = _ => 7 };
            var demo = new Command("demo", "Start a simulated mesh in real time, the gateway, its embedded MQTT broker and the dashboard; Ctrl+C stops. " +
                "Gateway settings can be overridden as for mesh-gateway run (--Http:Urls=http://127.0.0.1:9090 --Mqtt:Embedded:Port=1884 --Udp:Port=47300)")
            {
                nodes, seed,
            };
            demo.TreatUnmatchedTokensAsErrors = false;
            demo.SetAction(parse =>
            {
                int n = parse.GetValue(nodes);
                if (n < 2 || n > 2000)
                {
                    Console.Error.WriteLine($"mesh-gateway-demo: --nodes must be 2..2000 (was {n})");
                    return 2;
                }

                return RunDemo(parse.UnmatchedTokens.ToArray(), n, parse.GetValue(seed));
            });

            var rate = new Option<int>("--rate") { Description = "Readings per second offered", DefaultValueFactory = _ => 1000 };
            var seconds = new Option<double>("--seconds") { Description = "How long to offer them (after the warm-up)", DefaultValueFactory = _ => 5 };
            var warmup = new Option<double>("--warmup") { Description = "Seconds of the same load first, not measured (JIT, caches, connections)", DefaultValueFactory = _ => 3 };
            var origins = new Option<int>("--origins") { Description = "Sensor nodes the readings come from", DefaultValueFactory = _ => 200 };
            var bench = new Command("bench", "Measure readings/s from UDP frames in to MQTT messages at a live subscriber of the embedded broker " +
                "(latency p50/p99, loss), beside a raw MQTTnet publisher on the same broker in the same run")
            {
                rate, seconds, warmup, origins,
            };
            bench.SetAction(parse => GatewayBenchmark.Run(parse.GetValue(rate), parse.GetValue(seconds), parse.GetValue(warmup), parse.GetValue(origins), Console.Out));

            root.Subcommands.Add(demo);
            root.Subcommands.Add(bench);
            return root.Parse(args).Invoke();
        }

        private static int RunDemo(string[] configArgs, int nodes, ulong seed)
        {
            // Throwaway state, removed on exit: the demo's mesh is new every time.
            string state = Path.Combine(Path.GetTempPath(), "mesh-gateway-demo-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            try
            {
                return GatewayRunner.Run(new RunRequest
                {
                    ConfigArgs = configArgs,
                    Overrides = DemoMesh.GatewaySettings(state, Protocol.Desktop.Transport.UdpMeshOptions.DefaultPort),
                    AllowWeakKey = true,
                    Check = o => !o.Udp.Enabled || o.Udp.TimeToLive != 0
                        ? "the demo mesh lives on loopback UDP with TTL 0; do not override Udp:Enabled or Udp:TimeToLive"
                        : null,
                    AddServices = (builder, o) =>
                    {
                        var scenario = DemoMesh.CreateScenario(nodes, seed);
                        builder.Services.AddHostedService(sp => new DemoMesh(scenario, DemoMesh.Udp(o.Udp.Port), sp.GetRequiredService<ILogger<DemoMesh>>()));
                    },
                    Name = "mesh-gateway-demo",
                    Banner = "Mesh demo is running. Ctrl+C stops it.",
                    StateNote = " (removed when the demo stops)",
                });
            }
            finally
            {
                if (Directory.Exists(state))
                {
                    Directory.Delete(state, recursive: true);
                }
            }
        }
    }
}
