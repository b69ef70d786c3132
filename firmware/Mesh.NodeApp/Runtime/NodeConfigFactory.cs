using Mesh.NodeApp.Settings;
using Mesh.Protocol;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;

namespace Mesh.NodeApp.Runtime
{
    /// <summary>
    /// The protocol core's configuration for a node, from its settings and its table sizes (the core's defaults
    /// unless a <see cref="Settings.BoardProfile"/> chose smaller ones for its target).
    /// </summary>
    public static class NodeConfigFactory
    {
        /// <summary>Where a node whose checkpoint was lost jumps to: the upper half of the sequence space, at a random place.</summary>
        public const uint RecoveryBase = 0x80000000;

        public static NodeConfig For(NodeSettings s, NodeTables t, uint nodeId, ICryptoProvider crypto, IRandomSource random)
        {
            var c = new NodeConfig();
            c.Crypto = crypto;
            c.RequireEncryption = s.RequireEncryption;
            c.BundleFrames = s.BundleFrames;
            c.InitialNetworkTime = s.NetworkTime;
            c.InitialCommandCounters = s.CommandCounters;
            if (s.DeviceKey != null)
            {
                c.DeviceKey = new DeviceKey(nodeId, s.DeviceKey, s.DeviceKeyIndex, crypto);
            }

            c.NodeId = nodeId;
            c.NetworkId = s.NetworkId;
            c.Role = s.Role;
            c.Policy = s.Policy.Clone();
            c.HopLimit = s.HopLimit;
            c.FairShareFramesPerMinute = s.FairSharePerMinute;
            c.EncryptPayloads = s.Encrypt;
            c.InitialSequence = s.SequenceStart;
            if (s.SequenceStartLost)
            {
                // Nonces are synthetic (a repeat leaks nothing but equality), but receivers that remember
                // this node would refuse low sequences as replays: move well past anything used before.
                uint jump = RecoveryBase + ((random.NextUInt32() & 0x3FFFFFFF) & ~0xFFFFu);
                c.InitialSequence = jump > s.SequenceStart ? jump : s.SequenceStart;
            }

            c.ReportIntervalMs = (long)s.ReportIntervalSeconds * 1000L;
            c.HeartbeatIntervalMs = (long)s.HeartbeatIntervalSeconds * 1000L;
            c.HeartbeatNeighbours = s.HeartbeatNeighbours;
            c.DuplicateCacheSize = t.DuplicateCacheSize;
            c.ReplayTableSize = t.ReplayTableSize;
            c.RouteTableSize = t.RouteTableSize;
            c.NeighbourTableSize = t.NeighbourTableSize;
            c.TransmitQueueSize = t.TransmitQueueSize;
            c.EventQueueSize = t.EventQueueSize;
            c.PendingCommandSlots = t.PendingCommandSlots;
            c.RecentCommandSlots = t.RecentCommandSlots;
            c.UpwardSlots = t.UpwardSlots;
            c.UpwardBytes = t.UpwardBytes;
            return c;
        }
    }
}
