using Mesh.NodeApp.Settings;
using Mesh.Protocol.Node;

namespace Mesh.NodeApp.Runtime
{
    /// <summary>
    /// The protocol core's configuration for a node, from its settings, with the table sizes the settings carry
    /// (the core's defaults unless a <see cref="Settings.BoardProfile"/> chose smaller ones for its target).
    /// </summary>
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
            c.DuplicateCacheSize = s.DuplicateCacheSize;
            c.ReplayTableSize = s.ReplayTableSize;
            c.RouteTableSize = s.RouteTableSize;
            c.NeighbourTableSize = s.NeighbourTableSize;
            c.TransmitQueueSize = s.TransmitQueueSize;
            c.EventQueueSize = s.EventQueueSize;
            c.PendingCommandSlots = s.PendingCommandSlots;
            c.RecentCommandSlots = s.RecentCommandSlots;
            return c;
        }
    }
}
