namespace Mesh.Protocol.Node
{
    /// <summary>
    /// What a <see cref="MeshEventKind.SettingsChanged"/> event reports, in Payload[0]; the data follows
    /// from Payload[1]. The application persists it as it is, instead of re-parsing commands.
    /// </summary>
    public enum SettingsChange : byte
    {
        /// <summary>u32 seconds between reports (0: stopped).</summary>
        ReportInterval = 1,

        /// <summary>The 10-byte policy settings (PolicySettings.Write).</summary>
        ForwardingPolicy = 2,

        /// <summary>commander(u32) counter(u32): the last command counter executed from that commander.</summary>
        CommandCounter = 3,

        /// <summary>index(u8) phase(u8) key length(u8) key: a network key refresh step (key length 0 for phases 2 and 3).</summary>
        NetworkKey = 4,

        /// <summary>index(u8) key length(u8) key: this node's new device key.</summary>
        DeviceKey = 5,
    }
}
