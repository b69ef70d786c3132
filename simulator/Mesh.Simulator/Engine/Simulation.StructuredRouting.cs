using System;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// Structured routing (policy "structured", the core's policy kind 4): the sinks are the gateways,
    /// the roots of the gradient; and the hop-ack timeout follows the radio, so a slow radio (LoRa) does
    /// not retransmit frames its parent is still sending.
    /// </summary>
    public sealed partial class Simulation
    {
        /// <summary>Hop-ack timeout floor: ESP-NOW-class radios (the core's default).</summary>
        private const long MinHopAckTimeoutMs = 250;

        private void ConfigureStructuredRouting(SimNode node, NodeConfig config)
        {
            var p = node.Policy ?? _scenario.Policy;
            if (p.Kind != "structured")
            {
                return; // other policies run exactly as before (no routing state, no extra random draws)
            }

            config.IsGateway = node.IsSink;

            // The parent forwards after its jitter, a CSMA backoff and one airtime; allow several of each.
            long frameMs = _radio.AirtimeMicroseconds(FrameLayout.MaxFrameSize) / 1000;
            config.HopAckTimeoutMs = Math.Max(MinHopAckTimeoutMs, 6 * frameMs + 4L * p.JitterMs);
        }
    }
}
