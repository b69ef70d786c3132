using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Forwarding
{
    /// <summary>
    /// Decides whether and when a node rebroadcasts a new, authenticated frame that it may relay.
    /// Hop limits, duplicates, roles and directed next hops are enforced by the node before it asks.
    /// </summary>
    public interface IForwardingPolicy
    {
        PolicySettings Settings { get; }

        /// <summary>Milliseconds to wait before rebroadcasting, or -1 to not rebroadcast.</summary>
        int RebroadcastDelay(FrameHeader header, int rssi, IRandomSource random);

        /// <summary>
        /// How many copies of the same frame heard from other nodes during the wait cancel the pending
        /// rebroadcast; 0 never cancels.
        /// </summary>
        int CancelThreshold { get; }
    }
}
