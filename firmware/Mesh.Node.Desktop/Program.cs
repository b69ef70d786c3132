using System;
using System.Collections.Generic;
using System.CommandLine;
using System.Net;
using System.Threading;
using Mesh.Node.Desktop.Hardware;
using Mesh.Node.Desktop.Sensors;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Runtime;
using Mesh.NodeApp.Sensors;
using Mesh.NodeApp.Settings;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Forwarding;

namespace Mesh.Node.Desktop
{
    /// <summary>
    /// mesh-node: settings from a file (the board's format, <c>name = value</c>) overridden by options,
    /// then the same node application as the boards, over UDP multicast.
    /// </summary>
    public static class Program
    {
        public static int Main(string[] args)
        {
            var config = new Option<string?>("--config") { Description = "Settings file (name = value lines, as on a board); created with --save" };
            var save = new Option<bool>("--save") { Description = "Write the merged settings back to --config" };
            var quiet = new Option<bool>("--quiet") { Description = "Only warnings and errors" };
            var iface = new Option<string>("--interface") { Description = "Local address for the multicast group", DefaultValueFactory = _ => "127.0.0.1" };
            var ttl = new Option<int>("--ttl") { Description = "Multicast TTL (0 keeps frames on this machine)", DefaultValueFactory = _ => 1 };
            var i2cBus = new Option<int?>("--i2c-bus") { Description = "Linux I2C bus number (/dev/i2c-N) to look for BME280/BMP280, SHT3x and AHT20 sensors on" };
            var set = new Option<string[]>("--set") { Description = "Any setting as name=value (repeatable), e.g. --set gossip_p=0.6", AllowMultipleArgumentsPerToken = false };

            // Shorthands for the common settings; each is validated exactly as the settings file is.
            var shorthands = new List<(Option<string?> Option, string Setting)>
            {
                (new Option<string?>("--id") { Description = "Node id (node_id); 0 or absent: a random one, kept in --config" }, "node_id"),
                (new Option<string?>("--key") { Description = "Network key, 32 or 64 hex digits (key)" }, "key"),
                (new Option<string?>("--device-key") { Description = "This node's device key from the gateway's registry, 32 or 64 hex digits (device_key); mesh-gateway provision writes it into a --config file" }, "device_key"),
                (new Option<string?>("--network") { Description = "Network id (network_id)" }, "network_id"),
                (new Option<string?>("--role") { Description = "sensor, relay, bridge or edge (role)" }, "role"),
                (new Option<string?>("--policy") { Description = "flooding, gossip, managed or structured (policy; default structured, as boards and the gateway)" }, "policy"),
                (new Option<string?>("--report-interval") { Description = "Seconds between readings, 0 = none (report_interval)" }, "report_interval"),
                (new Option<string?>("--group") { Description = "UDP multicast group (udp_group)" }, "udp_group"),
                (new Option<string?>("--port") { Description = "UDP port (udp_port)" }, "udp_port"),
            };

            var root = new RootCommand("mesh-node: a Mesh node on this computer (UDP multicast on the LAN; simulated or Linux I2C sensors)")
            {
                config, save, quiet, iface, ttl, i2cBus, set,
            };
            foreach (var s in shorthands)
            {
                root.Options.Add(s.Option);
            }

            root.SetAction(parse =>
            {
                var errors = new List<string>();
                var log = new ConsoleLog("[mesh-node]", parse.GetValue(quiet));
                string? path = parse.GetValue(config);
                var store = new SettingsStore(new FileConfigStore(path), log);
                NodeSettings settings = store.Load(new NodeSettings { Radio = RadioMode.Udp, Policy = PolicySettings.Structured(2) });
                foreach (var s in shorthands)
                {
                    string? v = parse.GetValue(s.Option);
                    if (v != null && NodeSettingsText.Apply(s.Setting, v.Trim(), settings) is string e)
                    {
                        errors.Add(s.Option.Name + ": " + e);
                    }
                }

                foreach (string pair in parse.GetValue(set) ?? Array.Empty<string>())
                {
                    int eq = pair.IndexOf('=');
                    string? e = eq <= 0 ? "expected name=value" : NodeSettingsText.Apply(pair[..eq].Trim().ToLowerInvariant(), pair[(eq + 1)..].Trim(), settings);
                    if (e != null)
                    {
                        errors.Add("--set " + (eq > 0 ? pair[..eq] : pair) + ": " + e);
                    }
                }

                if (settings.Key == null)
                {
                    errors.Add("--key: a network key is required (32 or 64 hex digits), on the command line or as 'key = ...' in --config");
                }

                if (settings.DeviceKey == null)
                {
                    log.Write(LogLevel.Warning, "no device key (device_key, --device-key): this node relays but sends no readings and obeys no command; provision it with mesh-gateway provision");
                }

                if (!IPAddress.TryParse(parse.GetValue(iface), out IPAddress? address))
                {
                    errors.Add("--interface: '" + parse.GetValue(iface) + "' is not an IP address");
                }

                if (errors.Count > 0)
                {
                    foreach (string e in errors)
                    {
                        Console.Error.WriteLine("mesh-node: " + e);
                    }

                    return 2;
                }

                if (settings.NodeId == 0)
                {
                    settings.NodeId = (uint)Random.Shared.Next(0x100, 0x00FF0000); // below the gateways' 0xFF0000 range
                    log.Write(LogLevel.Info, "no node id given: using " + settings.NodeId + (path != null ? " (kept in " + path + ")" : ""));
                }

                if (parse.GetValue(save) || path != null)
                {
                    store.Save(settings);
                }

                var udp = new UdpMeshOptions
                {
                    Group = IPAddress.Parse(settings.UdpGroup),
                    Port = settings.UdpPort,
                    Interface = address!,
                    TimeToLive = parse.GetValue(ttl),
                };
                if (udp.Validate() is string udpError)
                {
                    Console.Error.WriteLine("mesh-node: " + udpError);
                    return 2;
                }

                var nodeLog = new ConsoleLog("[" + settings.NodeId + "]", parse.GetValue(quiet));
                ISensor[] sensors = SensorDiscovery.Find(parse.GetValue(i2cBus), settings, nodeLog);
                using var host = new NodeHost(settings, settings.NodeId, udp, sensors, store, nodeLog);
                using var cancel = new CancellationTokenSource();
                Console.CancelKeyPress += (_, e) =>
                {
                    e.Cancel = true;
                    cancel.Cancel();
                };
                WaitHandle.WaitAny(new[] { cancel.Token.WaitHandle, host.Stopped.WaitHandle });
                // Exit code 3 tells a supervisor (systemd Restart=on-failure) that a reboot was asked for.
                return host.RebootRequested ? 3 : 0;
            });

            return root.Parse(args).Invoke();
        }
    }
}
