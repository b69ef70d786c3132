using Mesh.Protocol.Node;

namespace Mesh.NodeApp.Settings
{
    /// <summary>
    /// Table sizes of the protocol core and the node's receive inbox: what the board chooses from its target's
    /// managed heap (<see cref="BoardProfile.Tables"/>), never the settings file's. Read once, when the node is
    /// built (NodeRunner), and not kept: on a board every field of an object that lives for ever is a 12-byte
    /// heap block, and these eleven were kept in the settings object for nothing (132 B, hardware/README.md).
    /// These defaults are the core's.
    /// </summary>
    public sealed class NodeTables
    {
        public int DuplicateCacheSize = 256;

        // The replay window records only messages this node opened (commands to it, from its few
        // commanders): PROTOCOL.md, "Sequence numbers and the replay window".
        public int ReplayTableSize = 8;

        public int RouteTableSize = 64;

        public int NeighbourTableSize = 32;

        public int InboxSlots = 16;

        /// <summary>Frames waiting for their send time (each a 250-byte buffer), events for the application, command slots.</summary>
        public int TransmitQueueSize = 12;

        public int EventQueueSize = 6;

        /// <summary>
        /// Commands this node may have in flight. The board application sends none (commands come from the
        /// gateway), so it keeps no commander state: on the ESP32-C3 that is ~0.6 KB of heap (hardware/README.md).
        /// </summary>
        public int PendingCommandSlots = 0;

        /// <summary>Structured routing's upward frames awaiting a hop ack (NodeConfig.UpwardSlots; about 40 bytes of state each, their copies in UpwardBytes).</summary>
        public int UpwardSlots = NodeConfig.DefaultUpwardSlots;

        /// <summary>Bytes the upward frames' copies share (NodeConfig.UpwardBytes; 0: a full frame per slot).</summary>
        public int UpwardBytes = NodeConfig.DefaultUpwardBytes;

        public int RecentCommandSlots = 8;
    }
}
