using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Heartbeats: role, policy, uptime, the best <see cref="NodeConfig.HeartbeatNeighbours"/> neighbours
    /// (quality first), extension block 1 (quality of service), block 2 (route) under structured routing and
    /// block 3 (how many neighbours the node knows), sealed with this node's device key so that only the
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

            ushort counter = ++_heartbeatCounter;
            uint uptime = (uint)((nowMs - _startMs) / 1000);
            FillQosReport(_qosReport, nowMs);
            bool route = RoutingActive;
            int room = Heartbeat.NeighbourRoomFor(Heartbeat.BlocksLengthFor(true, route, true));
            if (room > _heartbeatNeighbours)
            {
                room = _heartbeatNeighbours;
            }

            // Written straight into the payload buffer (no heartbeat object and arrays to keep: on an ESP32-C3 that
            // was ~0.3 KB). Best quality first, as many as fit next to the blocks; equal quality keeps table order:
            // an insertion sort over the 6-byte entries in place.
            byte[] b = _txPayload;
            const int First = Heartbeat.FixedSize;
            const int Entry = Heartbeat.EntrySize;
            const int QualityAt = 5; // an entry is id (u32), rssi (i8), quality (u8)
            int count = 0;
            int known = 0;
            for (int s = 0; s < _neighbours.Capacity; s++)
            {
                if (!_neighbours.IsUsed(s))
                {
                    continue;
                }

                known++;
                byte quality = (byte)_neighbours.QualityAt(s);
                int at = count;
                while (at > 0 && b[First + ((at - 1) * Entry) + QualityAt] < quality)
                {
                    at--;
                }

                if (at >= room)
                {
                    continue;
                }

                int last = count < room ? count : room - 1;
                for (int i = First + (last * Entry) - 1; i >= First + (at * Entry); i--)
                {
                    b[i + Entry] = b[i]; // shift entries at … last - 1 up by one, from the top
                }

                int rssi = _neighbours.RssiAt(s);
                Heartbeat.WriteEntry(b, First + (at * Entry), _neighbours.IdAt(s), (sbyte)(rssi < -128 ? -128 : (rssi > 127 ? 127 : rssi)), quality);
                if (count < room)
                {
                    count++;
                }
            }

            Heartbeat.WriteFixed(b, 0, _role, _policy.Settings.Kind, counter, uptime, count);
            int n = First + (count * Entry);
            n += Heartbeat.WriteQosBlock(b, n, _qosReport);
            if (route)
            {
                GradientTable g = _routing.Gradient;
                n += Heartbeat.WriteRouteBlock(b, n, g.Parent, g.HasRoute ? g.Cost : Beacon.NoCost, g.HasRoute ? g.Hops : Beacon.NoHops);
            }

            n += Heartbeat.WriteNeighboursKnownBlock(b, n, known);

            if (Originate(MessageType.Heartbeat, NodeAddress.Gateways, NodeAddress.None, n, nowMs, 0) == SendResult.Queued)
            {
                _counters.HeartbeatsSent++;
            }
        }
    }
}
