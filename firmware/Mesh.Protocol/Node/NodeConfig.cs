using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Everything a node is built with. Table sizes are fixed here, at construction; the defaults are
    /// sized for a board (the state-size test pins what they cost) and a gateway raises them.
    /// </summary>
    public sealed class NodeConfig
    {
        public uint NodeId;
        public ushort NetworkId = 1;
        public NodeRole Role = NodeRole.Sensor;
        public PolicySettings Policy = PolicySettings.Flooding();

        /// <summary>Relays a frame may take (0: neighbours only).</summary>
        public int HopLimit = 8;

        /// <summary>Seal the payloads of originated text frames under the network key (other types are always device-sealed).</summary>
        public bool EncryptPayloads = true;

        /// <summary>Refuse text frames whose payload is not sealed (readings, heartbeats, commands and acks always must be).</summary>
        public bool RequireEncryption = true;

        /// <summary>This node's own device key: seals its readings, heartbeats and acks and opens commands sent to it. Null: it originates none of them.</summary>
        public DeviceKey DeviceKey;

        /// <summary>Gateways: the device keys of the nodes they provisioned (readings, heartbeats and acks of those nodes; commands to them). Null on a node.</summary>
        public IDeviceKeyDirectory DeviceKeys;

        /// <summary>Needed to install keys received in key-refresh commands; without it those commands are answered Unsupported.</summary>
        public ICryptoProvider Crypto;

        /// <summary>First sequence number to use: the value persisted as <c>MeshNode.SequenceCheckpoint</c>.</summary>
        public uint InitialSequence = 1;

        /// <summary>
        /// Whether the driver stores checkpoints and confirms them (<c>MeshNode.ConfirmCheckpoint</c>); the
        /// node then never uses a sequence at or above the last confirmed checkpoint. Only a driver with
        /// no storage at all (a simulator) turns this off.
        /// </summary>
        public bool RequireCheckpointConfirmation = true;

        /// <summary>Network time in seconds to start from: persisted by a node, the wall clock on a gateway; 0 = unknown (adopt the first heard).</summary>
        public uint InitialNetworkTime;

        /// <summary>Frames stamped more than this many seconds behind the node's network time are refused as stale.</summary>
        public uint FreshnessWindowSeconds = 30;

        /// <summary>Persisted command counters, as pairs commander, counter (SettingsChange.CommandCounter); may be null.</summary>
        public uint[] InitialCommandCounters;

        /// <summary>Period between sequence checkpoints the driver should persist.</summary>
        public int SequenceCheckpointInterval = 256;

        public long HeartbeatIntervalMs = 60000;

        /// <summary>Sensor nodes only (other roles start with none): period of ReportDue events; 0 disables them.</summary>
        public long ReportIntervalMs = 60000;

        public long NeighbourExpiryMs = 200000;
        public long RouteLifetimeMs = 600000;

        /// <summary>First wait for an acknowledgement; doubles on every retry.</summary>
        public long CommandTimeoutMs = 4000;
        public int CommandMaxAttempts = 4;

        public int DuplicateCacheSize = 256;
        public int ReplayTableSize = 64;
        public int RouteTableSize = 64;
        public int NeighbourTableSize = 32;
        public int TransmitQueueSize = 12;
        public int EventQueueSize = 5;
        public int PendingCommandSlots = 4;
        public int RecentCommandSlots = 8;
        public int CommandCounterSlots = 4;

        // ---- structured routing (policy kind 4; PROTOCOL.md "Structured routing"). A node switched to it
        // by command later, rather than built with it, uses these defaults.

        /// <summary>This node is a root of the gradient (a gateway): it advertises cost 0, consumes upward frames and hop-acks them.</summary>
        public bool IsGateway;

        /// <summary>How long a sender waits for its parent to forward an upward frame (passive ack) or hop-ack it.</summary>
        public long HopAckTimeoutMs = 250;

        /// <summary>Retransmissions of an upward frame to one parent before that link counts as failed.</summary>
        public int HopRetries = 3;

        /// <summary>Failed parents after which an upward frame is sent by managed flooding instead.</summary>
        public int ParentSwitches = 2;

        /// <summary>Trickle: smallest and largest beacon interval, and the redundancy constant k.</summary>
        public long BeaconMinMs = 1000;
        public long BeaconMaxMs = 512000;
        public int BeaconRedundancy = 2;

        /// <summary>Upward frames awaiting a hop ack (each holds a copy of its frame).</summary>
        public int UpwardSlots = 4;

        /// <summary>Null when valid, else which setting is wrong and why.</summary>
        public string Validate()
        {
            if (!NodeAddress.IsValidNodeId(NodeId))
            {
                return "NodeId: must be 1..0xFFFFFFFD";
            }

            if (!NodeRoles.IsDefined((int)Role))
            {
                return "Role: unknown role";
            }

            if (HopLimit < 0 || HopLimit > FrameLayout.MaxHopLimit)
            {
                return "HopLimit: must be 0..32";
            }

            if (Policy == null)
            {
                return "Policy: required";
            }

            if (Policy.MinDelayMs > Policy.MaxDelayMs)
            {
                return "Policy: MinDelayMs must not exceed MaxDelayMs";
            }

            if (SequenceCheckpointInterval < 1)
            {
                return "SequenceCheckpointInterval: must be at least 1";
            }

            if (HeartbeatIntervalMs < 1000)
            {
                return "HeartbeatIntervalMs: must be at least 1000";
            }

            if (ReportIntervalMs < 0)
            {
                return "ReportIntervalMs: must not be negative";
            }

            if (CommandTimeoutMs < 1 || CommandMaxAttempts < 1)
            {
                return "CommandTimeoutMs/CommandMaxAttempts: must be positive";
            }

            if (DuplicateCacheSize < 4 || ReplayTableSize < 8 || RouteTableSize < 8 || NeighbourTableSize < 8)
            {
                return "table sizes: DuplicateCacheSize >= 4, Replay/Route/NeighbourTableSize >= 8";
            }

            if (FreshnessWindowSeconds < 2)
            {
                return "FreshnessWindowSeconds: must be at least 2";
            }

            if (InitialCommandCounters != null && InitialCommandCounters.Length % 2 != 0)
            {
                return "InitialCommandCounters: pairs of commander, counter";
            }

            if (DeviceKey != null && DeviceKey.Owner != NodeId)
            {
                return "DeviceKey: belongs to another node";
            }

            if (EventQueueSize < 3)
            {
                return "EventQueueSize: must be at least 3 (a command raises up to three events)";
            }

            if (CommandCounterSlots < 1 || TransmitQueueSize < 1 || EventQueueSize < 1 || PendingCommandSlots < 1 || RecentCommandSlots < 1)
            {
                return "queue sizes: must be at least 1";
            }

            if (HopAckTimeoutMs < 1 || HopRetries < 0 || ParentSwitches < 1 || UpwardSlots < 1)
            {
                return "routing: HopAckTimeoutMs and UpwardSlots must be positive, HopRetries >= 0, ParentSwitches >= 1";
            }

            if (BeaconMinMs < 100 || BeaconMaxMs < BeaconMinMs || BeaconRedundancy < 1)
            {
                return "routing: BeaconMinMs >= 100, BeaconMaxMs >= BeaconMinMs, BeaconRedundancy >= 1";
            }

            return null;
        }
    }
}
