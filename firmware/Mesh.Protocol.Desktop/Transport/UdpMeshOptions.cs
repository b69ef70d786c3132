using System.Net;

namespace Mesh.Protocol.Desktop.Transport
{
    /// <summary>
    /// Where the LAN mesh lives: one IPv4 multicast group and port; every datagram is exactly one mesh
    /// frame (PROTOCOL.md), so boards in WiFi mode, desktop nodes, the simulator's real-time bridge and
    /// the gateway all speak it with no extra framing.
    /// </summary>
    public sealed class UdpMeshOptions
    {
        public const string DefaultGroup = "239.77.83.72";
        public const int DefaultPort = 47_283;

        public IPAddress Group { get; set; } = IPAddress.Parse(DefaultGroup);
        public int Port { get; set; } = DefaultPort;

        /// <summary>The local interface address to send and join on. Loopback keeps everything on this machine.</summary>
        public IPAddress Interface { get; set; } = IPAddress.Loopback;

        /// <summary>Multicast TTL: 1 stays on the local link; 0 never leaves the host.</summary>
        public int TimeToLive { get; set; } = 1;

        /// <summary>RSSI reported for frames heard over UDP, which has no signal strength of its own.</summary>
        public int NominalRssi { get; set; } = -50;

        /// <summary>Null when valid; otherwise the setting and the problem.</summary>
        public string? Validate()
        {
            byte first = Group.GetAddressBytes()[0];
            if (Group.AddressFamily != System.Net.Sockets.AddressFamily.InterNetwork || first < 224 || first > 239)
            {
                return $"Group: '{Group}' is not an IPv4 multicast address (224.0.0.0–239.255.255.255)";
            }

            if (Port < 1 || Port > 65535)
            {
                return $"Port: {Port} is not 1..65535";
            }

            if (TimeToLive < 0 || TimeToLive > 255)
            {
                return $"TimeToLive: {TimeToLive} is not 0..255";
            }

            return null;
        }
    }
}
