namespace Mesh.Protocol.Node
{
    /// <summary>What a node does in the mesh. Values are wire constants (heartbeats carry them).</summary>
    public enum NodeRole : byte
    {
        /// <summary>Reports its own readings and relays for others.</summary>
        Sensor = 1,

        /// <summary>Relays only.</summary>
        Relay = 2,

        /// <summary>Relays, and hands every frame to a gateway host (USB serial or UDP).</summary>
        Bridge = 3,

        /// <summary>Consumes traffic addressed to gateways or broadcast; never relays.</summary>
        Edge = 4,
    }

    public static class NodeRoles
    {
        public static bool IsDefined(int role)
        {
            return role >= (int)NodeRole.Sensor && role <= (int)NodeRole.Edge;
        }

        public static bool Relays(NodeRole role)
        {
            return role != NodeRole.Edge;
        }

        /// <summary>Bridge and edge nodes take frames addressed to <see cref="Wire.NodeAddress.Gateways"/>.</summary>
        public static bool ConsumesGatewayTraffic(NodeRole role)
        {
            return role == NodeRole.Bridge || role == NodeRole.Edge;
        }

        public static string Name(NodeRole role)
        {
            switch (role)
            {
                case NodeRole.Sensor: return "sensor";
                case NodeRole.Relay: return "relay";
                case NodeRole.Bridge: return "bridge";
                case NodeRole.Edge: return "edge";
                default: return "unknown";
            }
        }
    }
}
