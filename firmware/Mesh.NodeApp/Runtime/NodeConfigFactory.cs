using Mesh.NodeApp.Settings;
using Mesh.Protocol.Node;

namespace Mesh.NodeApp.Runtime
{
    /// <summary>The protocol core's configuration for a node, from its settings, with board-sized tables (the core's defaults, 15,152 bytes of state).</summary>
    public static class NodeConfigFactory
    {
        public static NodeConfig For(NodeSettings s, uint nodeId)
        {
            var c = new NodeConfig();
            c.NodeId = nodeId;
            c.NetworkId = s.NetworkId;
            c.Role = s.Role;
            c.Policy = s.Policy.Clone();
            c.HopLimit = s.HopLimit;
            c.EncryptPayloads = s.Encrypt;
            c.InitialSequence = s.SequenceStart;
            c.ReportIntervalMs = (long)s.ReportIntervalSeconds * 1000L;
            c.HeartbeatIntervalMs = (long)s.HeartbeatIntervalSeconds * 1000L;
            return c;
        }
    }
}
