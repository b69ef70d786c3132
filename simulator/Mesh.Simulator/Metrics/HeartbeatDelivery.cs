using System.Collections.Generic;

namespace Mesh.Simulator.Metrics
{
    /// <summary>
    /// Whether heartbeats arrive where they are for (destination 0xFFFFFFFE, the gateways): a node's at any
    /// gateway, a gateway's own at another gateway (it floods it: the mesh's time beacon, and how the other
    /// gateways see it). The core originates heartbeats on its own timer, so a heartbeat is known from its
    /// origin's first transmission (hops taken 0), counted when that falls in the measured
    /// window; delivered when a gateway other than the origin hands it to its application by the end.
    /// </summary>
    public sealed class HeartbeatDelivery
    {
        private readonly Dictionary<ulong, (bool FromGateway, bool Delivered)> _sent = new();

        /// <summary>A heartbeat's first transmission by its origin, in the measured window (a retransmission of it changes nothing).</summary>
        public void Sent(uint origin, uint sequence, bool fromGateway)
        {
            _sent.TryAdd(MetricsCollector.Key(origin, sequence), (fromGateway, false));
        }

        /// <summary>A gateway (not the origin) handed the heartbeat to its application.</summary>
        public void Delivered(uint origin, uint sequence)
        {
            ulong key = MetricsCollector.Key(origin, sequence);
            if (_sent.TryGetValue(key, out var s) && !s.Delivered)
            {
                _sent[key] = (s.FromGateway, true);
            }
        }

        public HeartbeatMetrics Result(int gateways)
        {
            var m = new HeartbeatMetrics();
            foreach (var s in _sent.Values)
            {
                if (s.FromGateway)
                {
                    if (gateways < 2)
                    {
                        continue; // no other gateway to reach
                    }

                    m.GatewaysSent++;
                    m.GatewaysDelivered += s.Delivered ? 1 : 0;
                }
                else
                {
                    m.NodesSent++;
                    m.NodesDelivered += s.Delivered ? 1 : 0;
                }
            }

            return m;
        }
    }

    /// <summary>Heartbeats sent in the measured window and delivered by the end (<see cref="HeartbeatDelivery"/>).</summary>
    public sealed class HeartbeatMetrics
    {
        /// <summary>Nodes' heartbeats, and those that reached a gateway.</summary>
        public long NodesSent { get; set; }

        public long NodesDelivered { get; set; }

        /// <summary>Gateways' own heartbeats (with at least two gateways), and those that reached another gateway.</summary>
        public long GatewaysSent { get; set; }

        public long GatewaysDelivered { get; set; }
    }
}
