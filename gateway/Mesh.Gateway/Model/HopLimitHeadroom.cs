using System;
using System.Collections.Generic;
using System.Globalization;
using System.Text;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Model
{
    /// <summary>
    /// How far the mesh's hop limit reaches past the deepest node this gateway hears. A frame with hop limit L
    /// travels at most L + 1 hops; a command or broadcast from here to a node heard h hops away has L + 1 − h hops
    /// to spare for a detour. Under structured routing a node's own readings arrive whatever the limit (they carry
    /// the gradient's hops + 2), so a limit set too small shows only as commands and broadcasts that never arrive:
    /// city-1000 with a limit of 10 lost whole clusters of every broadcast that way (simulator/README.md,
    /// "city-1000's hop limit"). Below <see cref="MinHeadroom"/> this warns, at most once every
    /// <see cref="WarnEvery"/> (a flood of frames cannot flood the log), and /metrics and /api/topology show it.
    /// Keeps no state per node: the depths come from the node directory's snapshot those endpoints already take.
    /// </summary>
    public sealed class HopLimitHeadroom : IMeshListener
    {
        /// <summary>Hops to spare under which the gateway warns: city-1000's broadcasts took detours of one to three.</summary>
        public const int MinHeadroom = 2;

        public static readonly TimeSpan WarnEvery = TimeSpan.FromMinutes(10);

        private readonly int _hopLimit;
        private readonly TimeProvider _time;
        private readonly ILogger _logger;
        private readonly object _lock = new();
        private DateTimeOffset _lastWarning = DateTimeOffset.MinValue;

        public HopLimitHeadroom(int hopLimit, TimeProvider time, ILogger logger)
        {
            _hopLimit = hopLimit;
            _time = time;
            _logger = logger;
        }

        public int HopLimit => _hopLimit;

        /// <summary>The most hops any online node's last frame took to reach this gateway (0: none online).</summary>
        public static int DeepestOnlineHops(IReadOnlyList<NodeSnapshot> nodes)
        {
            int deepest = 0;
            foreach (NodeSnapshot n in nodes)
            {
                if (n.Online && n.Hops > deepest)
                {
                    deepest = n.Hops;
                }
            }

            return deepest;
        }

        /// <summary>Hops a frame from here could still go past a node <paramref name="hops"/> away.</summary>
        public int HeadroomAt(int hops) => _hopLimit + 1 - hops;

        public void OnReadings(IReadOnlyList<SensorReading> readings)
        {
            foreach (SensorReading r in readings)
            {
                Observe(r.Node, r.Hops);
            }
        }

        public void OnHeartbeat(NodeHeartbeat heartbeat) => Observe(heartbeat.Node, heartbeat.Hops);

        public void OnCommandOutcome(CommandOutcome outcome)
        {
        }

        public void OnText(ushort network, uint node, string text)
        {
        }

        public void OnFrameRejected(string transport, Protocol.Wire.RejectReason reason)
        {
        }

        private void Observe(uint node, int hops)
        {
            int headroom = HeadroomAt(hops);
            if (headroom >= MinHeadroom)
            {
                return;
            }

            DateTimeOffset now = _time.GetUtcNow();
            lock (_lock)
            {
                if (now - _lastWarning < WarnEvery)
                {
                    return;
                }

                _lastWarning = now;
            }

            _logger.LogWarning(
                "node {Node} is {Hops} hops from this gateway and the hop limit is {HopLimit}: commands and broadcasts have {Headroom} hop(s) to spare past it " +
                "(a frame travels at most limit + 1 hops); raise Mesh:HopLimit and the nodes' hop_limit together, to at least {Suggested}",
                node, hops, _hopLimit, Math.Max(0, headroom), Math.Min(32, hops + MinHeadroom - 1));
        }

        /// <summary>The hop limit and the deepest online node, as Prometheus gauges, from the directory's snapshot.</summary>
        public void WriteMetrics(StringBuilder output, IReadOnlyList<NodeSnapshot> nodes)
        {
            int deepest = DeepestOnlineHops(nodes);
            output.Append("# HELP mesh_gateway_hop_limit The hop limit this gateway's frames carry (Mesh:HopLimit).\n# TYPE mesh_gateway_hop_limit gauge\n");
            output.Append("mesh_gateway_hop_limit ").Append(_hopLimit.ToString(CultureInfo.InvariantCulture)).Append('\n');
            output.Append("# HELP mesh_gateway_deepest_node_hops Most hops an online node's last frame took to reach this gateway.\n# TYPE mesh_gateway_deepest_node_hops gauge\n");
            output.Append("mesh_gateway_deepest_node_hops ").Append(deepest.ToString(CultureInfo.InvariantCulture)).Append('\n');
        }
    }
}
