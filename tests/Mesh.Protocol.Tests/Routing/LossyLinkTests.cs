using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using Xunit.Abstractions;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// PROTOCOL.md "Structured routing", upward data: a link is declared failed only after `HopRetries` (6)
    /// unanswered retransmissions. A failure is dear — a parent change, a Trickle reset and, out of parents, a
    /// flood of the frame across the mesh — while a retransmission costs one frame, so a lossy link must not
    /// be given up on a run of losses it makes likely (backbone-200-loss30: 196 flood fallbacks a run with 3).
    /// </summary>
    public class LossyLinkTests
    {
        private readonly ITestOutputHelper _output;

        public LossyLinkTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void Five_lost_copies_in_a_row_to_the_parent_are_retried_not_flooded()
        {
            // 1 (gateway) — 2 — 3 — 4: node 4's only parent is 3.
            InMemoryMesh mesh = LineWithGateway(3);
            mesh.RunFor(60_000);
            Assert.Equal(3u, mesh[4].Routing!.Gradient.Parent);

            // The next reading's first five copies from 4 to 3 are lost: on a link with 30 % loss each way
            // (an attempt answered about half the time) a run of five happens to one frame in thirty.
            int lost = 0;
            mesh.DropWhen = (from, to, frame) =>
                from == 4 && to == 3 && (MessageType)frame[FrameLayout.OffsetType] == MessageType.Readings && lost++ < 5;
            uint seq = SendReading(mesh, 4);
            mesh.RunFor(20_000);

            StructuredRouting r4 = mesh[4].Routing!;
            _output.WriteLine($"node 4: {r4.Retransmissions} retransmissions, {r4.LinkFailures} link failures, {r4.FloodFallbacks} flood fallbacks, parent {r4.Gradient.Parent}");
            Assert.Equal(1, DeliveredCount(mesh, 1, 4, seq));
            Assert.Equal(0, r4.LinkFailures);
            Assert.Equal(0, r4.FloodFallbacks);
            Assert.Equal(5, r4.Retransmissions);
            Assert.Equal(3u, r4.Gradient.Parent);
            // The frame climbed the path and was never flooded: every copy named a next hop.
            Assert.All(mesh.TransmissionsOf(4, seq), t => Assert.NotEqual(0u, t.NextHop));
        }
    }
}
