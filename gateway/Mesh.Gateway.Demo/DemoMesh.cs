using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Realtime;
using Mesh.Simulator.Scenarios;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Demo
{
    /// <summary>
    /// The demo's mesh: the simulator's real-time mode, in process, on the loopback UDP multicast group
    /// (TTL 0, nothing leaves this machine). Its sink node is replaced by the gateway, which hears the
    /// simulated nodes exactly as it would hear boards in WiFi mode.
    /// </summary>
    public sealed class DemoMesh : BackgroundService
    {
        public const string NetworkKey = Hosting.KeyStrength.DemoKeyHex; // "mesh-demo-key-01": published on purpose; `run` refuses it
        private readonly Scenario _scenario;
        private readonly UdpMeshOptions _udp;
        private readonly ILogger _logger;

        public DemoMesh(Scenario scenario, UdpMeshOptions udp, ILogger<DemoMesh> logger)
        {
            _scenario = scenario;
            _udp = udp;
            _logger = logger;
        }

        /// <summary>A small office floor: a grid of sensors reporting every 10 s, heartbeats every 30 s, structured routing (as boards and the gateway run by default).</summary>
        public static Scenario CreateScenario(int nodes, ulong seed)
        {
            return new Scenario
            {
                Name = "demo",
                Seed = seed,
                DurationSeconds = 365 * 24 * 3600.0,
                Network = new NetworkSettings { Id = 1, Key = NetworkKey, HopLimit = 8, Encrypt = true },
                Topology = new TopologySettings { Kind = "grid", Nodes = nodes, SpacingMeters = 12 },
                Radio = new RadioSettings { Model = "logDistance", PathLossExponent = 3.3, ShadowingSigmaDb = 4, SensitivityDbm = -90 },
                Policy = new PolicyConfig { Kind = "structured", CancelThreshold = 2 },
                Roles = new RoleSettings { Sinks = new List<int> { 0 } },
                Workload = new WorkloadSettings { ReadingIntervalSeconds = 10, HeartbeatIntervalSeconds = 30 },
            };
        }

        /// <summary>Configuration the demo gives the gateway: the demo key, loopback-only UDP, a throwaway state folder.</summary>
        public static Dictionary<string, string?> GatewaySettings(string stateDirectory, int udpPort) => new()
        {
            ["Mesh:NetworkId"] = "1",
            ["Mesh:Key"] = NetworkKey,
            ["Mesh:DeriveDeviceKeys"] = "true",
            ["Mesh:OfflineAfterSeconds"] = "90",
            ["Mesh:FairSharePerMinute"] = "30", // the demo's nodes report every 10 s and beat every 30 s: 8 frames a minute
            ["Udp:Interface"] = "127.0.0.1",
            ["Udp:TimeToLive"] = "0",
            ["Udp:Port"] = udpPort.ToString(CultureInfo.InvariantCulture),
            ["Udp:Relay"] = "true", // the group is the simulated radio around the gateway's seat: its relays matter there
            ["State:Directory"] = stateDirectory,
        };

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            var simulation = new Simulation(_scenario, null, (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds());
            int sink = simulation.Sinks[0];
            using var transport = new UdpMeshTransport(_udp);
            var bridge = new RealtimeBridge(simulation, transport, sink);
            _logger.LogInformation("demo mesh: {Count} simulated nodes in real time on udp://{Group}:{Port} (loopback, TTL 0); the gateway stands in the radio place of simulated node {Sink}",
                simulation.Nodes.Count - 1, _udp.Group, _udp.Port, simulation.Nodes[sink].Id);
            await Task.Yield();
            await bridge.RunAsync((long)(_scenario.DurationSeconds * 1e6), stoppingToken).ConfigureAwait(false);
            _logger.LogInformation("demo mesh stopped: {ToLan} frames to the gateway, {FromLan} from it", bridge.FramesToLan, bridge.FramesFromLan);
        }

        public static UdpMeshOptions Udp(int port) => new()
        {
            Group = IPAddress.Parse(UdpMeshOptions.DefaultGroup),
            Port = port,
            Interface = IPAddress.Loopback,
            TimeToLive = 0,
        };
    }
}
