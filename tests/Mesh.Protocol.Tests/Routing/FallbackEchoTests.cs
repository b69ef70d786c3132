using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using Xunit.Abstractions;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// Store and forward's end-to-end signal (PROTOCOL.md, "Store and forward"): custody of an upward frame
    /// passes at the first hop, so an origin learns that its reading did not climb only when the relay that
    /// gave up on it floods it and the flood comes back — carried down the path by the nodes that relayed it.
    /// </summary>
    public class FallbackEchoTests
    {
        private readonly ITestOutputHelper _output;

        public FallbackEchoTests(ITestOutputHelper output)
        {
            _output = output;
        }

        /// <summary>Gateway 1 - 2 - 3 - 4 (sensor 4 at the end), the rules on or off, once the gradient formed.</summary>
        private static InMemoryMesh Line(bool fallbackEcho)
        {
            var mesh = StructuredMesh.LineWithGateway(3, configure: c => c.FallbackEcho = fallbackEcho);
            mesh.RunFor(60_000);
            Assert.Equal(3u, mesh[4].Routing!.Gradient.Parent);
            return mesh;
        }

        /// <summary>The line; the 1-2 link is cut and one reading is sent.</summary>
        private static (InMemoryMesh Mesh, uint Sequence, uint SentAt) CutTwoHopsUp(bool fallbackEcho = true)
        {
            var mesh = Line(fallbackEcho);
            mesh.Unlink(1, 2);
            uint at = mesh[4].NetworkTime(mesh.Now);
            uint seq = StructuredMesh.SendReading(mesh, 4, 19.5);
            // Node 2 tries its gateway HopRetries + 1 times, each wait up to the hop-ack timeout + the bundle wait.
            mesh.RunFor(30_000);
            return (mesh, seq, at);
        }

        [Fact]
        public void A_reading_lost_two_hops_up_comes_back_to_its_origin_which_delivers_it_once_the_link_heals()
        {
            var (mesh, seq, at) = CutTwoHopsUp();
            // Node 2 gave up and flooded; node 3, which relayed it, flooded it once more down the path; node 4 kept it.
            Assert.Equal(1, mesh[3].Routing!.FallbackEchoes);
            Assert.Equal(1, mesh[4].Routing!.Store!.Recovered);
            Assert.Equal(1, mesh[4].StoredReadings);
            Assert.False(StructuredMesh.Delivered(mesh, 1, 4, seq));

            mesh.Link(1, 2);
            mesh.RunFor(10 * 60_000);
            var set = new ReadingSet();
            var copies = mesh.Events[1].Where(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Readings && e.Origin == 4
                && set.TryDecode(e.Payload, 0, e.PayloadLength) && set.HasMeasuredAt && set.MeasuredAt == at).ToList();
            _output.WriteLine($"stored copies at the gateway: {copies.Count}; store forwarded {mesh[4].Routing!.Store!.Forwarded}, left {mesh[4].StoredReadings}");
            Assert.Single(copies);
            Assert.Equal(0, mesh[4].StoredReadings);
        }

        [Fact]
        public void Off_by_default_the_reading_lost_two_hops_up_is_not_recovered()
        {
            Assert.False(new NodeConfig().FallbackEcho);
            var (mesh, _, _) = CutTwoHopsUp(fallbackEcho: false);
            Assert.Equal(0, mesh[3].Routing!.FallbackEchoes);
            Assert.Equal(0, mesh[4].Routing!.Store!.Recovered);
            Assert.Equal(0, mesh[4].StoredReadings);
        }

        [Fact]
        public void A_tampered_or_stale_copy_of_the_fallback_flood_is_not_stored()
        {
            var (mesh, seq, _) = CutTwoHopsUp();
            byte[] flood = mesh.Air.First(a => a.Node == 2 && StructuredMesh.Header(a.Frame).Origin == 4 && StructuredMesh.Header(a.Frame).Sequence == seq
                && StructuredMesh.Header(a.Frame).NextHop == NodeAddress.None).Frame;
            mesh.Link(1, 2);
            mesh.RunFor(3 * 60_000);
            Assert.Equal(0, mesh[4].StoredReadings);
            long recovered = mesh[4].Routing!.Store!.Recovered;

            // An outsider flips a payload byte of the captured flood (fresh time, so only the MIC refuses it).
            byte[] tampered = (byte[])flood.Clone();
            tampered[FrameLayout.HeaderSize] ^= 0x01;
            mesh.Inject(3, tampered);
            mesh.RunFor(1_000);
            // The verbatim flood, replayed after the freshness window (its time is minutes old now).
            mesh.Inject(3, flood);
            mesh.RunFor(1_000);
            Assert.Equal(recovered, mesh[4].Routing!.Store!.Recovered);
            Assert.Equal(0, mesh[4].StoredReadings);
        }

        /// <summary>
        /// A relay up the path handed the origin its own reading as next hop (hops taken 3): the path went round a
        /// loop through the origin, as stale gradients do in a partition (farm-200-partition lost readings that
        /// way: the relay retried to an origin that refused its own frame, then round the same loop to the hop
        /// limit). The origin takes custody back: it hop-acks the relay, drops its parent's route and stores the
        /// reading; with the rules off it refuses the frame as its own and says nothing.
        /// </summary>
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void An_origin_handed_its_own_reading_back_acknowledges_it_and_keeps_it(bool fallbackEcho)
        {
            var mesh = Line(fallbackEcho);
            mesh.Unlink(1, 2);
            uint seq = StructuredMesh.SendReading(mesh, 4, 19.5);
            mesh.RunFor(50);

            // Node 3's relay of it, as it would hand it back round a loop: hop fields rewritten, network MIC resealed.
            byte[] back = StructuredMesh.CopyWithHops(mesh, StructuredMesh.ReadingSentBy(mesh, 4, seq), 3, previousHop: 3, nextHop: 4);
            long loopsBefore = mesh[4].Routing!.LoopReturns;
            int logBefore = mesh.Log.Count;
            mesh.Inject(3, back);
            mesh.RunFor(20);

            bool acked = mesh.Log.Skip(logBefore).Any(t => t.Node == 4 && t.Type == MessageType.HopAck && t.Destination == 3);
            Assert.Equal(fallbackEcho, acked);
            Assert.Equal(fallbackEcho ? 1 : 0, mesh[4].Routing!.Store!.Recovered);
            Assert.Equal(fallbackEcho ? 1 : 0, mesh[4].StoredReadings);
            Assert.Equal(loopsBefore + (fallbackEcho ? 1 : 0), mesh[4].Routing!.LoopReturns);
            Assert.Equal(RejectReason.OwnFrame, mesh.Results[4][^1]);

            // Handed back again (the relay missed the ack): acknowledged again, stored once.
            if (fallbackEcho)
            {
                logBefore = mesh.Log.Count;
                mesh.Inject(3, back);
                mesh.RunFor(20);
                Assert.Contains(mesh.Log.Skip(logBefore), t => t.Node == 4 && t.Type == MessageType.HopAck && t.Destination == 3);
                Assert.Equal(1, mesh[4].StoredReadings);
            }
        }
    }
}
