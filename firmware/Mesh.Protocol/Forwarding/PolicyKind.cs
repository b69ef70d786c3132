namespace Mesh.Protocol.Forwarding
{
    /// <summary>Forwarding policy identifiers as carried in commands and heartbeats.</summary>
    public enum PolicyKind : byte
    {
        Flooding = 1,
        Gossip = 2,
        ManagedFlooding = 3,
    }
}
