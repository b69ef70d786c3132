using System;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// Structured routing (policy "structured", the core's policy kind 4): the sinks are the gateways,
    /// the roots of the gradient; and the hop-ack timeout and Trickle's smallest interval follow the
    /// radio, so a slow radio (LoRa) neither retransmits frames its parent is still sending nor fills the
    /// channel with beacons.
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
            config.BackboneAckMs = config.HopAckTimeoutMs;
            config.Backbone = p.Backbone; // the backbone waits for a forward as a hop waits for its ack
            config.FallbackEcho = p.FallbackEcho;
            config.HopAckBundleMs = p.HopAckBundleMs ?? Math.Max(NodeConfig.DefaultHopAckBundleMs, 4 * config.HopAckTimeoutMs);
            config.BackboneNeighbours = p.BackboneNeighbours ?? config.BackboneNeighbours;
            config.UpwardSlots = p.UpwardSlots ?? config.UpwardSlots;
            config.UpwardBytes = p.UpwardBytes ?? config.UpwardBytes;

            // Trickle's smallest interval must leave the channel room on a slow radio: a beacon takes
            // most of a frame's airtime, and a reset makes every node in range beacon within it.
            config.BeaconMinMs = Math.Max(config.BeaconMinMs, 20 * frameMs);
            config.BeaconMaxMs = Math.Max(config.BeaconMaxMs, config.BeaconMinMs * 512);
        }
    }
}
