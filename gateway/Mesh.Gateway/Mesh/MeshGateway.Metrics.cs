using System.Collections.Generic;
using System.Threading;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// Counters for /metrics: frames in and out per transport, rejections by reason, suppressed relays and
    /// inbox depth.
    /// </summary>
    public sealed partial class MeshGateway
    {
        /// <summary>Frames received per transport (thread-safe snapshot source for /metrics).</summary>
        public IReadOnlyDictionary<string, long> FramesIn => _framesIn;

        public IReadOnlyDictionary<string, long> FramesOut => _framesOut;

        /// <summary>Rejections by reason, indexed by <see cref="RejectReason"/>; read with Volatile/Interlocked semantics.</summary>
        public long RejectedCount(RejectReason reason) => Interlocked.Read(ref _rejected[(int)reason]);

        public int InboxDepth => _inbox.Reader.Count;

        /// <summary>Frames not relayed back onto the shared medium they were heard on.</summary>
        public long RelaysSuppressed => Interlocked.Read(ref _relaysSuppressed);
        public void WriteMetrics(System.Text.StringBuilder o)
        {
            o.Append("# HELP mesh_gateway_frames_in_total Frames received from the mesh, by transport.\n");
            o.Append("# TYPE mesh_gateway_frames_in_total counter\n");
            foreach (KeyValuePair<string, long> kv in _framesIn)
            {
                o.Append("mesh_gateway_frames_in_total{transport=\"").Append(kv.Key).Append("\"} ").Append(kv.Value).Append('\n');
            }

            o.Append("# HELP mesh_gateway_frames_out_total Frames sent into the mesh, by transport.\n");
            o.Append("# TYPE mesh_gateway_frames_out_total counter\n");
            foreach (KeyValuePair<string, long> kv in _framesOut)
            {
                o.Append("mesh_gateway_frames_out_total{transport=\"").Append(kv.Key).Append("\"} ").Append(kv.Value).Append('\n');
            }

            o.Append("# HELP mesh_gateway_frames_rejected_total Frames not accepted, by reason (duplicates are normal in a flooding mesh).\n");
            o.Append("# TYPE mesh_gateway_frames_rejected_total counter\n");
            for (int i = 1; i < RejectReasons.Count; i++)
            {
                o.Append("mesh_gateway_frames_rejected_total{reason=\"").Append(RejectReasons.Label((RejectReason)i)).Append("\"} ")
                    .Append(RejectedCount((RejectReason)i)).Append('\n');
            }

            o.Append("# HELP mesh_gateway_relays_not_sent_total Frames not relayed back onto the shared medium (UDP group) they were heard on.\n");
            o.Append("# TYPE mesh_gateway_relays_not_sent_total counter\n");
            o.Append("mesh_gateway_relays_not_sent_total ").Append(Interlocked.Read(ref _relaysSuppressed)).Append('\n');

            o.Append("# HELP mesh_gateway_inbox_depth Frames and commands waiting for the mesh loop.\n");
            o.Append("# TYPE mesh_gateway_inbox_depth gauge\n");
            o.Append("mesh_gateway_inbox_depth ").Append(InboxDepth).Append('\n');
        }
    }
}
