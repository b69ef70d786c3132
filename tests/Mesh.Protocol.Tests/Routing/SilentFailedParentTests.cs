using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Routing;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// A parent the upward link to which failed, and that has been silent for <c>NodeConfig.FailedParentSilenceMs</c>,
    /// is no candidate until it is heard again (PROTOCOL.md *Structured routing*, Gradient). farm-200-partition seed 15:
    /// relays cut off from gateway 104 kept it as their cheapest parent for the whole 10-minute partition (routes
    /// live for RouteLossMs, 25 minutes), spent seven retries of every frame on it and passed frames on into the pocket,
    /// where 11 readings were lost round loops or in floods no one could carry (simulator/README, *Heartbeats list the
    /// best eight; a silent failed parent is let go*).
    /// </summary>
    public class SilentFailedParentTests
    {
        private static readonly long SilenceMs = new NodeConfig().FailedParentSilenceMs;

        private static Beacon Gateway() => new() { Cost = 0, Hops = 0, Parent = 0, Gateway = 1, Flags = Beacon.FlagGateway };

        private static Beacon Relay(int cost) => new() { Cost = cost, Hops = 1, Parent = 1, Gateway = 1 };

        private static (GradientTable Gradient, NeighbourTable Neighbours) NodeWithGatewayAndRelay()
        {
            var neighbours = new NeighbourTable(8, 600_000);
            var gradient = StructuredMesh.Gradient();
            neighbours.Heard(1, -60, 0);
            neighbours.Heard(2, -60, 0);
            gradient.Update(1, Gateway(), qOut: 255, nowMs: 0);
            gradient.Update(2, Relay(40), qOut: 255, nowMs: 0);
            gradient.Recompute(neighbours, 0);
            Assert.Equal(1u, gradient.Parent); // the gateway itself is cheapest
            return (gradient, neighbours);
        }

        [Fact]
        public void A_gateway_that_failed_every_retry_and_stays_silent_is_let_go_for_the_relay()
        {
            (GradientTable gradient, NeighbourTable neighbours) = NodeWithGatewayAndRelay();

            // The relay keeps talking; the gateway is cut off. The link fails at 20 s: with one failure the gateway
            // is still cheaper than the relay (its ETX doubled), so it stays the parent while it may just be busy.
            gradient.Heard(2, 15_000);
            gradient.LinkFailed(1);
            gradient.Recompute(neighbours, 20_000);
            Assert.Equal(1u, gradient.Parent);

            // A minute after it was last heard, a failed gateway is no candidate.
            gradient.Heard(2, 59_000);
            gradient.Recompute(neighbours, SilenceMs + 1);
            Assert.Equal(2u, gradient.Parent);

            // Heard again (the partition healed), it is a candidate again.
            gradient.Heard(1, 90_000);
            gradient.Update(1, Gateway(), qOut: 255, nowMs: 90_000);
            gradient.LinkWorked(1);
            gradient.Recompute(neighbours, 90_000);
            Assert.Equal(1u, gradient.Parent);
        }

        [Fact]
        public void A_silent_parent_whose_link_never_failed_keeps_its_route_for_the_route_loss_time()
        {
            // Trickle lets a stable neighbour stay quiet for minutes: silence alone is not a failure.
            (GradientTable gradient, NeighbourTable neighbours) = NodeWithGatewayAndRelay();
            gradient.Heard(2, 500_000);
            gradient.Recompute(neighbours, 500_000);
            Assert.Equal(1u, gradient.Parent);
        }

        [Fact]
        public void A_failed_parent_that_is_heard_transmitting_stays_a_candidate()
        {
            // Busy, not gone: a congested parent that missed our retries but is heard forwarding others' frames.
            (GradientTable gradient, NeighbourTable neighbours) = NodeWithGatewayAndRelay();
            gradient.LinkFailed(1);
            gradient.Heard(1, 100_000);
            gradient.Heard(2, 100_000);
            gradient.Recompute(neighbours, 120_000);
            Assert.Equal(1u, gradient.Parent);
        }
    }
}
