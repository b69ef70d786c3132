using Mesh.Protocol.Messages;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Heartbeats: role, policy, uptime, the neighbour list (best quality first, as many as fit) and
    /// extension block 1 (quality of service), sealed with this node's device key so that only the
    /// gateways learn who neighbours whom.
    /// </summary>
    public sealed partial class MeshNode
    {
        private void SendHeartbeat(long nowMs)
        {
            if (_deviceKey == null)
            {
                return; // nothing to seal it with (a gateway's own node): it would only be refused
            }

            Heartbeat hb = _heartbeat;
            hb.Role = _role;
            hb.Policy = _policy.Settings.Kind;
            hb.Counter = ++_heartbeatCounter;
            hb.UptimeSeconds = (uint)((nowMs - _startMs) / 1000);
            FillQosReport(hb, nowMs);
            FillRouteBlock(hb);

            // Best quality first, as many as fit next to the blocks; equal quality keeps table order.
            int room = hb.NeighbourRoom;
            int count = 0;
            for (int s = 0; s < _neighbours.Capacity; s++)
            {
                if (!_neighbours.IsUsed(s))
                {
                    continue;
                }

                byte quality = (byte)_neighbours.QualityAt(s);
                int at = count;
                while (at > 0 && hb.NeighbourQuality[at - 1] < quality)
                {
                    at--;
                }

                if (at >= room)
                {
                    continue;
                }

                int last = count < room ? count : room - 1;
                for (int k = last; k > at; k--)
                {
                    hb.NeighbourIds[k] = hb.NeighbourIds[k - 1];
                    hb.NeighbourRssi[k] = hb.NeighbourRssi[k - 1];
                    hb.NeighbourQuality[k] = hb.NeighbourQuality[k - 1];
                }

                int rssi = _neighbours.RssiAt(s);
                hb.NeighbourIds[at] = _neighbours.IdAt(s);
                hb.NeighbourRssi[at] = (sbyte)(rssi < -128 ? -128 : (rssi > 127 ? 127 : rssi));
                hb.NeighbourQuality[at] = quality;
                if (count < room)
                {
                    count++;
                }
            }

            hb.NeighbourCount = count;
            int n = hb.Encode(_txPayload, 0);
            if (Originate(MessageType.Heartbeat, NodeAddress.Gateways, NodeAddress.None, n, nowMs, 0) == SendResult.Queued)
            {
                _counters.HeartbeatsSent++;
            }
        }
    }
}
