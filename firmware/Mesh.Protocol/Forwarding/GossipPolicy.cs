using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Forwarding
{
    /// <summary>
    /// GOSSIP1(p, k) of Haas, Halpern and Li ("Gossip-based ad hoc routing", IEEE/ACM ToN 2006):
    /// always forward while the frame has taken fewer than k hops, so it escapes the origin's
    /// neighbourhood, and with probability p after that.
    /// </summary>
    public sealed class GossipPolicy : IForwardingPolicy
    {
        private readonly PolicySettings _settings;

        public GossipPolicy(PolicySettings settings)
        {
            _settings = settings;
        }

        public PolicySettings Settings
        {
            get { return _settings; }
        }

        public int CancelThreshold
        {
            get { return 0; }
        }

        public int RebroadcastDelay(FrameHeader header, int rssi, IRandomSource random)
        {
            if (header.HopsTaken >= _settings.GossipAlwaysHops)
            {
                // Compare 16 random bits with p in 1/65535 units; p = 65535 always forwards.
                uint draw = random.NextUInt32() >> 16;
                if (draw >= _settings.GossipProbability && _settings.GossipProbability != 65535)
                {
                    return -1;
                }
            }

            return RandomExtensions.NextBelow(random, _settings.JitterMs + 1);
        }
    }
}
