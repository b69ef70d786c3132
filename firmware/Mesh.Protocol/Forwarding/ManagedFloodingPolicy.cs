using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Forwarding
{
    /// <summary>
    /// Managed flooding (the scheme Meshtastic uses for its broadcasts): wait a contention delay that is
    /// shorter the weaker the frame was heard — a far-away sender means this node covers more new
    /// ground — and cancel if <see cref="CancelThreshold"/> other nodes were heard relaying it meanwhile.
    /// </summary>
    public sealed class ManagedFloodingPolicy : IForwardingPolicy
    {
        /// <summary>Signal strengths mapped to the two ends of the contention window.</summary>
        public const int WeakRssi = -95;
        public const int StrongRssi = -40;

        private readonly PolicySettings _settings;

        public ManagedFloodingPolicy(PolicySettings settings)
        {
            _settings = settings;
        }

        public PolicySettings Settings
        {
            get { return _settings; }
        }

        public int CancelThreshold
        {
            get { return _settings.CancelThreshold; }
        }

        public int RebroadcastDelay(FrameHeader header, int rssi, IRandomSource random)
        {
            int clamped = rssi < WeakRssi ? WeakRssi : (rssi > StrongRssi ? StrongRssi : rssi);
            int span = _settings.MaxDelayMs - _settings.MinDelayMs;
            int delay = _settings.MinDelayMs + (clamped - WeakRssi) * span / (StrongRssi - WeakRssi);
            return delay + RandomExtensions.NextBelow(random, _settings.JitterMs + 1);
        }
    }
}
