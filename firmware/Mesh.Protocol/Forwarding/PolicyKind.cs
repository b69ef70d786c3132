namespace Mesh.Protocol.Forwarding
{
    /// <summary>Forwarding policy identifiers as carried in commands and heartbeats.</summary>
    public enum PolicyKind : byte
    {
        Flooding = 1,
        Gossip = 2,
        ManagedFlooding = 3,

        /// <summary>
        /// Structured routing (PROTOCOL.md "Structured routing"): upward traffic follows a gradient towards
        /// the gateways with hop acks; everything else, and upward traffic without a route, by managed flooding.
        /// </summary>
        Structured = 4,
    }
}
