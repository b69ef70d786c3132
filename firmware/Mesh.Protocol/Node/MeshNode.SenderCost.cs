using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// The sender's cost in every frame (PROTOCOL.md, "Frame" and "Loops"): each copy a node transmits carries the cost
    /// it would advertise in a beacon at that moment, so the node it goes to checks that the cost falls by the costs of
    /// now, as RPL carries the sender's rank in a data packet and CTP its ETX in a data frame.
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>
        /// The cost this node advertises now, in its beacons and in every frame it sends (load included);
        /// <see cref="Beacon.NoCost"/> when it is not a gateway or a relay routing structured.
        /// </summary>
        private int AdvertisedCostNow()
        {
            StructuredRouting r = _routing;
            if (r == null || !(r.IsGateway || (RoutingActive && NodeRoles.Relays(_role))))
            {
                return Beacon.NoCost;
            }

            return r.Load.Advertise(r.Gradient.Cost);
        }

        /// <summary>
        /// A neighbour's cost as its authenticated copy carries it refreshes what its last beacon said; the parent's,
        /// changed, re-chooses the route at once. A beacon's own payload says it all (OnBeacon), so its header is not read.
        /// </summary>
        private void HeardSenderCost(FrameHeader h, long nowMs)
        {
            if (RoutingActive && h.Type != MessageType.Beacon && _routing.Gradient.HeardCost(h.PreviousHop, h.SenderCost))
            {
                RecomputeRoute(nowMs);
            }
        }

        /// <summary>Writes this node's cost into a copy about to leave and seals it with the network MIC, which covers it.</summary>
        private void SealForAir(NetworkKey net, byte[] buffer, int offset, int length)
        {
            FrameCodec.WriteSenderCost(buffer, offset, AdvertisedCostNow());
            _netSealer.Seal(net, buffer, offset, length);
        }
    }
}
