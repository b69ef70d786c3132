using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Hop acks (PROTOCOL.md *7 · Hop ack*): sending one at once or into a gateway's bundle, flushing the bundle,
    /// and how long a sender waits for its next hop's acknowledgement.
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>A hop ack for one upward frame: at once, or into a gateway's bundle (sent when due or full).</summary>
        private void SendHopAck(uint to, uint origin, uint sequence, long nowMs)
        {
            StructuredRouting r = _routing;
            HopAckBundle bundle = r.AckBundle;
            if (bundle != null)
            {
                bundle.Add(to, origin, sequence, nowMs + r.HopAckBundleMs);
                if (bundle.IsFull)
                {
                    FlushHopAcks(nowMs);
                }

                return;
            }

            HopAck a = r.HopAck;
            a.Count = 1;
            a.Origins[0] = origin;
            a.Sequences[0] = sequence;
            OriginateHopAck(to, nowMs);
        }

        /// <summary>Sends the gateway's bundled hop acks: to their one previous hop, or to every neighbour when they are for several.</summary>
        private void FlushHopAcks(long nowMs)
        {
            StructuredRouting r = _routing;
            if (r.AckBundle.Count > 0)
            {
                uint to = r.AckBundle.TakeInto(r.HopAck);
                OriginateHopAck(to, nowMs);
            }
        }

        private void OriginateHopAck(uint to, long nowMs)
        {
            StructuredRouting r = _routing;
            int n = r.HopAck.Encode(_txPayload, 0);
            if (Originate(MessageType.HopAck, to, NodeAddress.None, n, nowMs, 0) == SendResult.Queued)
            {
                r.HopAcksSent++;
                r.HopAckEntriesSent += r.HopAck.Count;
            }
        }

        /// <summary>
        /// How long a sender waits for <paramref name="nextHop"/> to acknowledge an upward frame: for a gateway,
        /// which bundles its hop acks, what its acks have taken (GatewayAckTimer, between HopAckTimeoutMs and
        /// HopAckTimeoutMs + HopAckBundleMs); for any other parent, and with bundles off, HopAckTimeoutMs.
        /// </summary>
        private long AckWaitMs(uint nextHop)
        {
            StructuredRouting r = _routing;
            return r.GatewayAckTimer != null && r.Gradient.IsGatewayNeighbour(nextHop) ? r.GatewayAckTimer.TimeoutMs : r.HopAckTimeoutMs;
        }
    }
}
