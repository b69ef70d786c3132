namespace Mesh.Protocol.Qos
{
    /// <summary>
    /// PROTOCOL.md, "Traffic classes and quality of service": the class of a frame follows from its
    /// message type (under the network MIC, so no relay can change it). Lower numbers leave the transmit
    /// queue first and are evicted last. Mapped by the type's wire value so that types added later
    /// (6 beacon, 7 hop ack) are classed without this file naming them.
    /// </summary>
    public static class TrafficClass
    {
        /// <summary>Command, ack, hop ack.</summary>
        public const int Control = 0;

        /// <summary>Readings.</summary>
        public const int Readings = 1;

        /// <summary>Heartbeat, beacon.</summary>
        public const int Status = 2;

        /// <summary>Text, and any type without a class of its own.</summary>
        public const int Bulk = 3;

        public const int Count = 4;

        /// <param name="messageType">The wire value of the frame's message type (offset 1).</param>
        public static int Of(int messageType)
        {
            switch (messageType)
            {
                case 3: // command
                case 4: // ack
                case 7: // hop ack
                    return Control;
                case 1: // readings
                    return Readings;
                case 2: // heartbeat
                case 6: // beacon
                    return Status;
                default: // 5 text
                    return Bulk;
            }
        }
    }
}
