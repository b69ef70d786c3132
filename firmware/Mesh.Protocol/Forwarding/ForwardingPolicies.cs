namespace Mesh.Protocol.Forwarding
{
    /// <summary>Builds the policy object for a settings value (at start-up or when a command changes it).</summary>
    public static class ForwardingPolicies
    {
        public static IForwardingPolicy Create(PolicySettings settings)
        {
            PolicySettings own = settings.Clone();
            switch (own.Kind)
            {
                case PolicyKind.Gossip: return new GossipPolicy(own);
                case PolicyKind.ManagedFlooding: return new ManagedFloodingPolicy(own);

                // Structured routing floods what it does not route (broadcasts, upward frames without a
                // route) by managed flooding; the gradient itself lives in the node (MeshNode.Routing).
                case PolicyKind.Structured: return new ManagedFloodingPolicy(own);
                default: return new FloodingPolicy(own);
            }
        }
    }
}
