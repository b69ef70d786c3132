using System;
using System.Collections.Generic;
using System.Globalization;
using System.Net;
using Mesh.Protocol.Forwarding;

namespace Mesh.Gateway.Hosting
{
    /// <summary>
    /// Everything the gateway reads from configuration (appsettings.json, MESH_* environment variables,
    /// command-line --Section:Key=value). <see cref="Validate"/> names each bad setting, so start-up can
    /// stop with a message a person can act on.
    /// </summary>
    public sealed class GatewayOptions
    {
        public MeshSettings Mesh { get; set; } = new();

        public UdpSettings Udp { get; set; } = new();

        public SerialSettings Serial { get; set; } = new();

        public MqttSettings Mqtt { get; set; } = new();

        public HistorySettings History { get; set; } = new();

        public HttpSettings Http { get; set; } = new();

        public StateSettings State { get; set; } = new();

        /// <summary>Every problem found, each naming its setting; empty when the options are usable.</summary>
        public IReadOnlyList<string> Validate()
        {
            var errors = new List<string>();
            Mesh.Validate(errors);
            Udp.Validate(errors);
            Serial.Validate(errors);
            if (!Udp.Enabled && !Serial.Enabled)
            {
                errors.Add("Udp:Enabled and Serial:Enabled are both false: the gateway needs at least one way into the mesh");
            }

            Mqtt.Validate(errors);
            History.Validate(errors);
            Http.Validate(errors);
            return errors;
        }

        internal static void Port(List<string> errors, string name, int value)
        {
            if (value < 1 || value > 65535)
            {
                errors.Add($"{name} must be a TCP/UDP port between 1 and 65535 (was {value})");
            }
        }
    }

    public sealed class MeshSettings
    {
        public ushort NetworkId { get; set; } = 1;

        /// <summary>The gateway's own node id in the mesh (role bridge).</summary>
        public uint NodeId { get; set; } = 0x00FF0001;

        /// <summary>The network key as 32 or 64 hex digits (16 or 32 bytes). Required; never logged.</summary>
        public string Key { get; set; } = "";

        /// <summary>
        /// The node registry (SQLite): every provisioned node's device key. Readings, heartbeats and acks
        /// of nodes not in it cannot be opened, and commands cannot be sealed to them.
        /// </summary>
        public string RegistryFile { get; set; } = "mesh-nodes.db";

        /// <summary>
        /// Demo and simulator only: derive every node's device key from the network key, as mesh-sim
        /// provisions its nodes, instead of the registry. Whoever has the network key then has every
        /// device key; `run` refuses it (only mesh-gateway-demo allows it).
        /// </summary>
        public bool DeriveDeviceKeys { get; set; }

        /// <summary>
        /// flooding, gossip, managed or structured: how the gateway relays frames it hears. Structured by default:
        /// the gateway is then a root of the gradient (cost 0) that structured boards climb to, and boards of the
        /// other policies ignore its beacons and hop acks (simulator/README, "Mixed policies": farm-200 managed
        /// with a structured gateway delivered 5,448/5,451 readings against 5,442/5,451 at the same cost).
        /// </summary>
        public string Policy { get; set; } = "structured";

        public int HopLimit { get; set; } = 8;

        public bool Encrypt { get; set; } = true;

        /// <summary>Frames the gateway queues for one next hop leave together in one radio frame (NodeConfig.BundleFrames, PROTOCOL.md "Bundles"); false while the mesh still has boards built before bundles.</summary>
        public bool BundleFrames { get; set; } = true;

        /// <summary>File holding the gateway's sequence checkpoint so a restart never reuses sequence numbers (relative: in the state folder).</summary>
        public string? SequenceFile { get; set; } = "mesh-gateway.seq";

        /// <summary>A node is shown offline when no heartbeat or reading has arrived for this long.</summary>
        public int OfflineAfterSeconds { get; set; } = 900;

        public int CommandTimeoutMs { get; set; } = 4000;

        public int CommandMaxAttempts { get; set; } = 3;

        /// <summary>
        /// Frames a minute the gateway relays for one origin (PROTOCOL.md, per-origin fair share): set it to
        /// what the mesh's boards use, about twice what one node sends (readings + heartbeats) a minute.
        /// </summary>
        public int FairSharePerMinute { get; set; } = 6;

        /// <summary>Most nodes kept in memory; past it the least recently heard are forgotten (and their discovery configs withdrawn).</summary>
        public int MaxNodes { get; set; } = 10_000;

        /// <summary>Commands waiting for one node at most; more are refused at once (HTTP 429) so a dead node cannot take every slot.</summary>
        public int MaxPendingCommandsPerNode { get; set; } = 4;

        /// <summary>Acknowledges, once, that a missing sequence file is intended (a new gateway on an old state folder).</summary>
        public bool AllowFreshSequence { get; set; }

        /// <summary>Set by `demo` only: the demo runs on its published key and derived device keys. Not a setting.</summary>
        internal bool AllowWeakKey { get; set; }

        internal void Validate(List<string> errors)
        {
            if (!Protocol.Wire.NodeAddress.IsValidNodeId(NodeId))
            {
                errors.Add($"Mesh:NodeId {NodeId} is not a valid node id (1 .. 0xFFFFFFFD)");
            }

            string? keyProblem = Protocol.Security.KeyHex.Check(Key);
            if (keyProblem != null && keyProblem.StartsWith("is a weak key", StringComparison.Ordinal))
            {
                errors.Add($"Mesh:Key is refused because it {keyProblem}: anyone could guess it. Generate the network's key with `openssl rand -hex 16`");
            }
            else if (keyProblem != null)
            {
                errors.Add(string.IsNullOrEmpty(Key)
                    ? "Mesh:Key is required: the network key as 32 or 64 hex digits"
                    : $"Mesh:Key {keyProblem} (the value is not shown)");
            }
            else if (!AllowWeakKey && KeyStrength.Weakness(TryParseKey(Key)!) is { } weakness)
            {
                errors.Add($"Mesh:Key is refused because {weakness}: anyone could guess it and command the mesh. " +
                    "Generate the network's key with `openssl rand -hex 16` and give every node the same one (the demo key works only in `mesh-gateway demo`)");
            }

            if (DeriveDeviceKeys && !AllowWeakKey)
            {
                errors.Add("Mesh:DeriveDeviceKeys is for mesh-gateway-demo and the simulator only (anyone with the network key would have every device key); " +
                    "provision real nodes with `mesh-gateway provision --node <id> --out <file>`");
            }

            if (PolicySettingsFor(Policy) == null)
            {
                errors.Add($"Mesh:Policy must be flooding, gossip, managed or structured (was '{Policy}')");
            }

            if (HopLimit < 1 || HopLimit > 32)
            {
                errors.Add($"Mesh:HopLimit must be between 1 and 32 (was {HopLimit})");
            }

            if (OfflineAfterSeconds < 10)
            {
                errors.Add($"Mesh:OfflineAfterSeconds must be at least 10 (was {OfflineAfterSeconds})");
            }

            if (MaxNodes < 2 || MaxNodes > 1_000_000)
            {
                errors.Add($"Mesh:MaxNodes must be 2..1000000 (was {MaxNodes})");
            }

            if (MaxPendingCommandsPerNode < 1 || MaxPendingCommandsPerNode > 16)
            {
                errors.Add($"Mesh:MaxPendingCommandsPerNode must be 1..16 (was {MaxPendingCommandsPerNode})");
            }

            if (FairSharePerMinute < 1 || FairSharePerMinute > 6000)
            {
                errors.Add($"Mesh:FairSharePerMinute must be 1..6000 (was {FairSharePerMinute})");
            }

            if (CommandTimeoutMs < 100 || CommandMaxAttempts < 1 || CommandMaxAttempts > 10)
            {
                errors.Add($"Mesh:CommandTimeoutMs must be >= 100 and Mesh:CommandMaxAttempts 1..10 (were {CommandTimeoutMs}, {CommandMaxAttempts})");
            }
        }

        /// <summary>The key bytes, in the one key format every part of Mesh uses (Protocol.Security.KeyHex); null when invalid.</summary>
        public static byte[]? TryParseKey(string? hex) => hex == null ? null : Protocol.Security.KeyHex.Parse(hex);

        public static PolicySettings? PolicySettingsFor(string name) => name switch
        {
            "flooding" => PolicySettings.Flooding(),
            "gossip" => PolicySettings.Gossip(0.7, 1),
            "managed" => PolicySettings.Managed(2),
            "structured" => PolicySettings.Structured(2),
            _ => null,
        };
    }

    public sealed class UdpSettings
    {
        public bool Enabled { get; set; } = true;

        public string Group { get; set; } = Protocol.Desktop.Transport.UdpMeshOptions.DefaultGroup;

        public int Port { get; set; } = Protocol.Desktop.Transport.UdpMeshOptions.DefaultPort;

        /// <summary>Local interface address to join the group on. Loopback keeps the mesh on this machine.</summary>
        public string Interface { get; set; } = "127.0.0.1";

        /// <summary>Multicast TTL: 0 stays on this host, 1 reaches the LAN segment.</summary>
        public int TimeToLive { get; set; } = 1;

        /// <summary>
        /// Relay frames heard on the group back onto it. Off: every member of a multicast group already
        /// heard the frame. On only where the group stands in for a radio (the demo's simulator bridge).
        /// </summary>
        public bool Relay { get; set; }

        /// <summary>
        /// RSSI (dBm) the gateway records for frames heard on the group, which carries no signal strength:
        /// it is what the gateway's neighbour table, link qualities and topology show for UDP neighbours.
        /// </summary>
        public int NominalRssi { get; set; } = new Protocol.Desktop.Transport.UdpMeshOptions().NominalRssi;

        internal void Validate(List<string> errors)
        {
            if (!Enabled)
            {
                return;
            }

            if (!IPAddress.TryParse(Group, out IPAddress? g) || g.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || (g.GetAddressBytes()[0] & 0xF0) != 0xE0)
            {
                errors.Add($"Udp:Group must be an IPv4 multicast address 224.0.0.0-239.255.255.255 (was '{Group}')");
            }

            if (!IPAddress.TryParse(Interface, out IPAddress? address) || address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork)
            {
                errors.Add($"Udp:Interface must be a local IPv4 address (was '{Interface}')");
            }
            else if (!LocalAddresses.IsLocal(address))
            {
                errors.Add($"Udp:Interface {Interface} is not an IPv4 address of this machine (its addresses: {string.Join(", ", LocalAddresses.IPv4())})");
            }

            GatewayOptions.Port(errors, "Udp:Port", Port);
            if (TimeToLive < 0 || TimeToLive > 255)
            {
                errors.Add($"Udp:TimeToLive must be 0..255 (was {TimeToLive})");
            }

            if (NominalRssi < -127 || NominalRssi > 0)
            {
                errors.Add($"Udp:NominalRssi must be a signal strength in dBm, -127..0 (was {NominalRssi})");
            }
        }
    }

    public sealed class SerialSettings
    {
        public bool Enabled { get; set; }

        /// <summary>e.g. /dev/ttyUSB0 or COM3.</summary>
        public string PortName { get; set; } = "";

        public int BaudRate { get; set; } = 115200;

        internal void Validate(List<string> errors)
        {
            if (!Enabled)
            {
                return;
            }

            if (string.IsNullOrWhiteSpace(PortName))
            {
                errors.Add("Serial:PortName is required when Serial:Enabled is true (e.g. /dev/ttyUSB0 or COM3)");
            }

            if (BaudRate < 1200 || BaudRate > 4_000_000)
            {
                errors.Add($"Serial:BaudRate must be 1200..4000000 (was {BaudRate})");
            }
        }
    }

    public sealed class HistorySettings
    {
        public bool Enabled { get; set; } = true;

        public string Path { get; set; } = "mesh-history.db";

        public int RetentionDays { get; set; } = 30;

        internal void Validate(List<string> errors)
        {
            if (Enabled && string.IsNullOrWhiteSpace(Path))
            {
                errors.Add("History:Path is required when History:Enabled is true");
            }

            if (RetentionDays < 1 || RetentionDays > 3650)
            {
                errors.Add($"History:RetentionDays must be between 1 and 3650 (was {RetentionDays})");
            }
        }
    }

    public sealed class HttpSettings
    {
        /// <summary>Where the API and dashboard listen. Loopback by default: expose it deliberately.</summary>
        public string Urls { get; set; } = "http://127.0.0.1:8080";

        /// <summary>
        /// Further host names (semicolon-separated) clients may use in the Host header, besides the hosts of
        /// <see cref="Urls"/> (and localhost when those are loopback). Any other Host is refused, which
        /// stops DNS-rebinding pages from reading the API. Required when Urls listens on every address.
        /// </summary>
        public string AllowedHosts { get; set; } = "";

        internal void Validate(List<string> errors)
        {
            foreach (string url in Urls.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                if (!Uri.TryCreate(url, UriKind.Absolute, out Uri? u) || (u.Scheme != "http" && u.Scheme != "https"))
                {
                    errors.Add($"Http:Urls: '{url}' is not an http(s) URL");
                }
                else if ((u.Host is "0.0.0.0" or "[::]" or "*" or "+") && string.IsNullOrWhiteSpace(AllowedHosts))
                {
                    errors.Add($"Http:AllowedHosts is required when Http:Urls listens on every address ('{url}'): list the host names clients reach the gateway by");
                }
            }

            if (AllowedHosts.Split(';', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries) is { } hosts && Array.IndexOf(hosts, "*") >= 0)
            {
                errors.Add("Http:AllowedHosts: '*' would let any web page that re-binds its DNS name to this machine read the API; list host names instead");
            }
        }
    }

    public sealed class StateSettings
    {
        /// <summary>Folder of the gateway's state files; null: <see cref="StateFolder.DefaultPath"/>.</summary>
        public string? Directory { get; set; }
    }
}
