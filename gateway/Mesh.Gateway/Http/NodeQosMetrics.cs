using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Mesh.Gateway.Model;

namespace Mesh.Gateway.Http
{
    /// <summary>
    /// Per-node quality-of-service series for /metrics, from the nodes' latest heartbeat QoS blocks:
    /// channel utilisation and duty-cycle use (gauges), frames throttled and lost to a full queue
    /// (counters summed over heartbeats), and which origin each node throttled most — the line that
    /// names a babbler. Only nodes that sent a QoS block appear, so the series stay as bounded as the
    /// node directory (Mesh:MaxNodes).
    /// </summary>
    public static class NodeQosMetrics
    {
        public static void Write(StringBuilder o, IReadOnlyList<NodeSnapshot> nodes)
        {
            var withQos = new List<NodeSnapshot>();
            foreach (NodeSnapshot n in nodes)
            {
                if (n.Qos != null && n.QosTotals != null)
                {
                    withQos.Add(n);
                }
            }

            if (withQos.Count == 0)
            {
                return;
            }

            Header(o, "mesh_gateway_node_channel_utilisation", "gauge", "Share of airtime the node heard busy over its utilisation window (latest heartbeat), 0-1.");
            foreach (NodeSnapshot n in withQos)
            {
                Sample(o, "mesh_gateway_node_channel_utilisation", n.Node, null, n.Qos!.ChannelUtilisation);
            }

            Header(o, "mesh_gateway_node_duty_cycle_used", "gauge", "Share of its duty-cycle budget the node used in its window (latest heartbeat), 0-1.");
            foreach (NodeSnapshot n in withQos)
            {
                Sample(o, "mesh_gateway_node_duty_cycle_used", n.Node, null, n.Qos!.DutyCycleUsed);
            }

            Header(o, "mesh_gateway_node_throttled_frames_total", "counter", "Frames the node refused to relay because their origin exceeded its fair share, summed over its heartbeats.");
            foreach (NodeSnapshot n in withQos)
            {
                Sample(o, "mesh_gateway_node_throttled_frames_total", n.Node, null, n.QosTotals!.ThrottledFrames);
            }

            Header(o, "mesh_gateway_node_queue_lost_frames_total", "counter", "Frames the node's full transmit queue evicted or dropped, by traffic class, summed over its heartbeats.");
            foreach (NodeSnapshot n in withQos)
            {
                foreach (KeyValuePair<string, long> c in n.QosTotals!.LostByClass)
                {
                    Sample(o, "mesh_gateway_node_queue_lost_frames_total", n.Node, "class=\"" + c.Key + "\"", c.Value);
                }
            }

            Header(o, "mesh_gateway_node_throttling", "gauge", "The origin the node last named as the one it throttled most, with the frames it throttled in that heartbeat period.");
            foreach (NodeSnapshot n in withQos)
            {
                if (n.QosTotals!.LastThrottledOrigin is uint origin)
                {
                    Sample(o, "mesh_gateway_node_throttling", n.Node, "origin=\"" + origin.ToString(CultureInfo.InvariantCulture) + "\"", n.QosTotals.LastThrottledFrames);
                }
            }
        }

        private static void Header(StringBuilder o, string name, string type, string help)
        {
            o.Append("# HELP ").Append(name).Append(' ').Append(help).Append('\n');
            o.Append("# TYPE ").Append(name).Append(' ').Append(type).Append('\n');
        }

        private static void Sample(StringBuilder o, string name, uint node, string? label, double value)
        {
            o.Append(name).Append("{node=\"").Append(node.ToString(CultureInfo.InvariantCulture)).Append('"');
            if (label != null)
            {
                o.Append(',').Append(label);
            }

            o.Append("} ").Append(value.ToString("0.####", CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
