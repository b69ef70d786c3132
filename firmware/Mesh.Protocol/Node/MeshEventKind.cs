namespace Mesh.Protocol.Node
{
    /// <summary>What the node hands the application.</summary>
    public enum MeshEventKind : byte
    {
        None = 0,

        /// <summary>An authenticated message for this node; <c>Payload</c> holds the plaintext.</summary>
        Message = 1,

        /// <summary>The report interval elapsed: read the sensors and call SendReadings.</summary>
        ReportDue = 2,

        /// <summary>A command this node sent was acknowledged (CommandStatus says how it went).</summary>
        CommandAcknowledged = 3,

        /// <summary>A command this node sent got no acknowledgement after every retry.</summary>
        CommandTimedOut = 4,

        /// <summary>
        /// State the application must persist changed (a <see cref="SettingsChange"/> in Payload[0], its
        /// data after it). Raised before the message that caused it, so a command counter is stored
        /// before the application runs the command.
        /// </summary>
        SettingsChanged = 5,
    }
}
