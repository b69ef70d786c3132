using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Forwarding
{
    /// <summary>Pure flooding: every node rebroadcasts every new frame once, after a small random jitter.</summary>
    public sealed class FloodingPolicy : IForwardingPolicy
    {
        private readonly PolicySettings _settings;

        public FloodingPolicy(PolicySettings settings)
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
            return RandomExtensions.NextBelow(random, _settings.JitterMs + 1);
        }
    }
}
