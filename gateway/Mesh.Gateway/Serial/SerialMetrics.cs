using System.Collections.Generic;
using System.Text;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Model;
using Mesh.Protocol.Serial;

namespace Mesh.Gateway.Serial
{
    /// <summary>/metrics for the serial links among the transports: what the byte-level framing dropped never reaches the mesh's counters.</summary>
    internal sealed class SerialMetrics : IMetricsSource
    {
        private readonly List<SerialFrameTransport> _links = new();

        public SerialMetrics(IReadOnlyList<IFrameTransport> transports)
        {
            foreach (IFrameTransport t in transports)
            {
                if (t is SerialFrameTransport s)
                {
                    _links.Add(s);
                }
            }
        }

        public void WriteMetrics(StringBuilder o)
        {
            if (_links.Count == 0)
            {
                return;
            }

            o.Append("# HELP mesh_gateway_serial_rejected_total Serial frames the link framing threw away, by reason.\n");
            o.Append("# TYPE mesh_gateway_serial_rejected_total counter\n");
            foreach (SerialFrameTransport link in _links)
            {
                SerialLinkCounters c = link.Counters;
                foreach (SerialRejectReason reason in new[] { SerialRejectReason.CrcMismatch, SerialRejectReason.BadStuffing, SerialRejectReason.TooLong, SerialRejectReason.TooShort })
                {
                    o.Append("mesh_gateway_serial_rejected_total{port=\"").Append(link.Options.PortName).Append("\",reason=\"")
                        .Append(reason.ToString()).Append("\"} ").Append(c.RejectedFor(reason)).Append('\n');
                }
            }

            o.Append("# HELP mesh_gateway_serial_dropped_total Decoded serial frames dropped because the gateway fell behind.\n");
            o.Append("# TYPE mesh_gateway_serial_dropped_total counter\n");
            foreach (SerialFrameTransport link in _links)
            {
                o.Append("mesh_gateway_serial_dropped_total{port=\"").Append(link.Options.PortName).Append("\"} ").Append(link.Counters.FramesDropped).Append('\n');
            }
        }
    }
}
