namespace Mesh.Protocol.Wire
{
    /// <summary>What a frame's payload holds. Values are wire constants; never renumber.</summary>
    public enum MessageType : byte
    {
        Readings = 1,
        Heartbeat = 2,
        Command = 3,
        Ack = 4,
        Text = 5,

        /// <summary>Structured routing: a node's gradient state, one hop (hop limit 0), network MIC only.</summary>
        Beacon = 6,

        /// <summary>Structured routing: acknowledges upward frames to the node that sent them, one hop, network MIC only.</summary>
        HopAck = 7,
    }

    public static class MessageTypes
    {
        public static bool IsDefined(int value)
        {
            return value >= (int)MessageType.Readings && value <= (int)MessageType.HopAck;
        }

        /// <summary>
        /// Beacons and hop acks travel one hop only (hop limit 0), carry no payload sealing (the network
        /// MIC authenticates them) and are consumed by the core, never handed to the application.
        /// </summary>
        public static bool IsOneHop(MessageType type)
        {
            return type == MessageType.Beacon || type == MessageType.HopAck;
        }
    }
}
