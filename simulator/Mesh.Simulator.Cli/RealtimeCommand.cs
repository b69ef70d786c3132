using System;
using System.CommandLine;
using System.IO;
using System.Net;
using System.Threading;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Realtime;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Cli
{
    internal static class RealtimeCommand
    {
        public static Command Create()
        {
            var scenarioArg = new Argument<FileInfo>("scenario") { Description = "Scenario JSON file" };
            var group = new Option<string>("--group") { Description = "UDP multicast group of the LAN mesh", DefaultValueFactory = _ => UdpMeshOptions.DefaultGroup };
            var port = new Option<int>("--port") { Description = "UDP port of the LAN mesh", DefaultValueFactory = _ => UdpMeshOptions.DefaultPort };
            var iface = new Option<string>("--interface") { Description = "Local interface address (default loopback)", DefaultValueFactory = _ => "127.0.0.1" };
            var ttl = new Option<int>("--ttl") { Description = "Multicast TTL (0 keeps it on this machine)", DefaultValueFactory = _ => 1 };
            var speed = new Option<double>("--speed") { Description = "Simulated seconds per wall-clock second", DefaultValueFactory = _ => 1.0 };
            var external = new Option<int?>("--external-node") { Description = "Node index replaced by the LAN (default: the first gateway/sink)" };
            var command = new Command("realtime", "Run a scenario against the wall clock, bridging one node (the sink by default) onto the LAN mesh over UDP multicast")
            {
                scenarioArg, group, port, iface, ttl, speed, external,
            };
            command.SetAction(parse =>
            {
                FileInfo file = parse.GetValue(scenarioArg)!;
                Scenario? scenario = CliConsole.Load(file);
                if (scenario == null)
                {
                    return 1;
                }

                var options = new UdpMeshOptions { Port = parse.GetValue(port), TimeToLive = parse.GetValue(ttl) };
                if (!IPAddress.TryParse(parse.GetValue(group), out IPAddress? g) || !IPAddress.TryParse(parse.GetValue(iface), out IPAddress? i))
                {
                    System.Console.Error.WriteLine("mesh-sim: --group/--interface: not IPv4 addresses");
                    return 1;
                }

                options.Group = g;
                options.Interface = i;
                string? problem = options.Validate();
                if (problem != null)
                {
                    System.Console.Error.WriteLine("mesh-sim: " + problem);
                    return 1;
                }

                var sim = new Simulation(scenario, CliConsole.BaseDirectory(file), (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
                int node = parse.GetValue(external) ?? sim.Sinks[0];
                using var udp = new UdpMeshTransport(options);
                var bridge = new RealtimeBridge(sim, udp, node, parse.GetValue(speed));
                using var stop = new CancellationTokenSource();
                System.Console.CancelKeyPress += (_, e) =>
                {
                    e.Cancel = true;
                    stop.Cancel();
                };
                System.Console.WriteLine($"mesh-sim realtime: {sim.Nodes.Count} simulated nodes; node {node} (id {sim.Nodes[node].Id}) is bridged to udp://{options.Group}:{options.Port} via {options.Interface}. Ctrl+C stops.");
                bridge.RunAsync((long)(scenario.DurationSeconds * 1e6), stop.Token).GetAwaiter().GetResult();
                System.Console.WriteLine($"stopped: {bridge.FramesToLan} frames to the LAN, {bridge.FramesFromLan} from it ({bridge.FramesRejected} not mesh frames)");
                return 0;
            });
            return command;
        }
    }
}
