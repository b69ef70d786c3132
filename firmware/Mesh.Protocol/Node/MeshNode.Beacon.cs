using Mesh.Protocol.Messages;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Heartbeats: role, policy, uptime and the neighbour list, sealed with this node's device key so
    /// that only the gateways learn who neighbours whom.
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
            int count = 0;
            for (int s = 0; s < _neighbours.Capacity && count < Heartbeat.MaxNeighbours; s++)
            {
                if (_neighbours.IsUsed(s))
                {
                    hb.NeighbourIds[count] = _neighbours.IdAt(s);
                    int rssi = _neighbours.RssiAt(s);
                    hb.NeighbourRssi[count] = (sbyte)(rssi < -128 ? -128 : (rssi > 127 ? 127 : rssi));
                    hb.NeighbourQuality[count] = (byte)_neighbours.QualityAt(s);
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
