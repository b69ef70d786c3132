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
                default: return new FloodingPolicy(own);
            }
        }
    }
}
