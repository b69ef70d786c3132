using System.Linq;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// Bundles (PROTOCOL.md, "Bundles"): frames queued for one next hop leave in one radio frame, back to back, each
    /// whole with its own MICs; a receiver handles each as if heard alone, and refuses bytes that are not whole frames.
    /// </summary>
    public class BundleTests
    {
        /// <summary>Gateway 1 - 2 - 3 - 4 once the gradient formed; radio 9 (an attacker) hears node 2 and the gateway.</summary>
        private static InMemoryMesh Line(bool bundle = true)
        {
            var mesh = StructuredMesh.LineWithGateway(3, NodeRole.Relay, c => c.BundleFrames = bundle);
            mesh.RunFor(60_000);
            Assert.Equal(3u, mesh[4].Routing!.Gradient.Parent);
            mesh.AddRadio(9);
            mesh.Link(9, 2);
            mesh.Link(9, 1);
            return mesh;
        }

        private static uint[] SendReadings(InMemoryMesh mesh, uint node, int count)
        {
            var sequences = new uint[count];
            for (int i = 0; i < count; i++)
            {
                sequences[i] = StructuredMesh.SendReading(mesh, node, 20 + i);
            }

            return sequences;
        }

        /// <summary>
        /// Node 4's reading as node 2 would hand it to the gateway (sent nowhere: every copy on air is dropped), and a
        /// forgery beside it: another message under an outsider's network key.
        /// </summary>
        private static (uint Sequence, byte[] Authentic, byte[] Forged) AuthenticAndForged()
        {
            var mesh = Line();
            uint seq = StructuredMesh.SendReading(mesh, 4);
            mesh.DropWhen = (from, to, frame) => true;
            mesh.RunFor(100);
            byte[] sent = StructuredMesh.ReadingSentBy(mesh, 4, seq);
            byte[] authentic = StructuredMesh.CopyWithHops(mesh, sent, 2, previousHop: 2, nextHop: 1);
            byte[] forged = StructuredMesh.CopyWithHops(mesh, sent, 2, previousHop: 2, nextHop: 1, StructuredMesh.OutsiderKey());
            forged[FrameLayout.OffsetSequence] ^= 0x40;
            return (seq, authentic, forged);
        }

        /// <summary>Node 4's bundles: the radio frames it sent that held more than one frame.</summary>
        private static byte[][] BundlesOf(InMemoryMesh mesh, uint node) =>
            mesh.Bundles.Where(b => b.Node == node).Select(b => b.Frame).ToArray();

        [Fact]
        public void Readings_queued_for_one_parent_leave_in_one_radio_frame_each_whole_and_all_reach_the_gateway()
        {
            var mesh = Line();
            uint[] sent = SendReadings(mesh, 4, 2);
            mesh.RunFor(5_000);

            byte[] bundle = Assert.Single(BundlesOf(mesh, 4));
            byte[] first = StructuredMesh.ReadingSentBy(mesh, 4, sent[0]);
            byte[] second = StructuredMesh.ReadingSentBy(mesh, 4, sent[1]);
            // Known answer: the radio frame is exactly the two frames back to back, each as it would have left alone.
            Assert.Equal(first.Concat(second).ToArray(), bundle);
            Assert.True(FrameCodec.IsBundle(bundle, 0, bundle.Length));
            Assert.Equal(first.Length, FrameCodec.DeclaredLength(bundle, 0, bundle.Length));
            Assert.Equal(3u, StructuredMesh.Header(first).NextHop);
            Assert.Equal(3u, StructuredMesh.Header(second).NextHop);
            foreach (uint seq in sent)
            {
                Assert.Equal(1, StructuredMesh.DeliveredCount(mesh, 1, 4, seq));
                Assert.True(mesh[4].Routing!.Upward.Find(4, seq) < 0, "node 3 acknowledged both: nothing awaited");
            }
        }

        /// <summary>
        /// The board's driver takes frames in place (MeshNode.TakeTransmitInPlace: no buffer of its own); the bundle is
        /// built in the leaving frame's own queue slot and is byte for byte what the copying path gives.
        /// </summary>
        [Fact]
        public void A_bundle_taken_in_place_is_the_same_bytes_as_one_copied_out()
        {
            var copied = Line();
            var inPlace = Line();
            SendReadings(copied, 4, 3);
            SendReadings(inPlace, 4, 3);
            long at = copied.Now + 100; // past the policy's jitter: all three are due

            var buffer = new byte[FrameLayout.MaxFrameSize];
            Assert.True(copied[4].TryTakeTransmit(at, buffer, 0, out int length));
            byte[] frame = inPlace[4].TakeTransmitInPlace(at, out int inPlaceLength);

            Assert.NotNull(frame);
            Assert.Equal(3, FrameCodec.FramesIn(buffer, 0, length));
            Assert.Equal(buffer.Take(length).ToArray(), frame.Take(inPlaceLength).ToArray());
            Assert.False(copied[4].TryTakeTransmit(at, buffer, 0, out _), "all three left in the bundle");
            Assert.Null(inPlace[4].TakeTransmitInPlace(at, out _));
        }

        [Fact]
        public void A_bundle_never_exceeds_250_bytes_and_every_reading_in_a_burst_is_delivered_once()
        {
            var mesh = Line();
            uint[] sent = SendReadings(mesh, 4, 7);
            mesh.RunFor(10_000);

            Assert.NotEmpty(BundlesOf(mesh, 4));
            Assert.All(mesh.Bundles, b => Assert.True(b.Frame.Length <= FrameLayout.MaxFrameSize, b.Frame.Length + " bytes"));
            Assert.True(mesh.Log.Count(t => t.Node == 4) >= 7);
            foreach (uint seq in sent)
            {
                Assert.Equal(1, StructuredMesh.DeliveredCount(mesh, 1, 4, seq));
            }
        }

        [Fact]
        public void With_bundles_off_every_frame_leaves_alone()
        {
            var mesh = Line(bundle: false);
            uint[] sent = SendReadings(mesh, 4, 3);
            mesh.RunFor(5_000);

            Assert.Empty(mesh.Bundles);
            foreach (uint seq in sent)
            {
                Assert.Equal(1, StructuredMesh.DeliveredCount(mesh, 1, 4, seq));
            }
        }

        /// <summary>
        /// Under structured routing the frames due at once leave together whatever their next hop: a node without a
        /// route floods its readings (next hop 0), and the three due now go in one radio frame; the neighbour takes each.
        /// </summary>
        [Fact]
        public void Frames_due_at_once_leave_together_even_when_flooded()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(StructuredMesh.Sensor(2, NodeRole.Relay));
            mesh.Add(StructuredMesh.Sensor(3, NodeRole.Bridge));
            mesh.Link(2, 3);
            uint[] sent = SendReadings(mesh, 2, 3);
            mesh.RunFor(2_000);

            byte[] bundle = Assert.Single(BundlesOf(mesh, 2));
            Assert.Equal(3, mesh.Log.Count(t => t.Node == 2 && t.Type == MessageType.Readings && t.NextHop == NodeAddress.None));
            Assert.Equal(bundle.Length, sent.Sum(seq => StructuredMesh.ReadingSentBy(mesh, 2, seq).Length));
            Assert.All(sent, seq => Assert.Equal(1, mesh.Events[3].Count(e => e.Kind == MeshEventKind.Message && e.Origin == 2 && e.Sequence == seq)));
        }

        /// <summary>
        /// What may join a bundle (TransmitQueue.PeekBundlePart): a frame for the same next hop due within the jitter; a
        /// flooded frame or a one-hop frame only once due (a flood's copy waits to be cancelled, a beacon or hop ack is
        /// stamped as it leaves), and any due frame only where the caller allows it; never one that does not fit.
        /// </summary>
        [Fact]
        public void Only_frames_for_the_next_hop_go_early_and_nothing_that_does_not_fit()
        {
            var q = new TransmitQueue(4);
            int directed = Put(q, 0, 80, MessageType.Readings, nextHop: 7, dueMs: 5);
            int flooded = Put(q, 1, 80, MessageType.Readings, nextHop: 0, dueMs: 5);
            int hopAck = Put(q, 2, 49, MessageType.HopAck, nextHop: 7, dueMs: 5);

            Assert.Equal(directed, q.PeekBundlePart(0, 8, 7, 250, anyDue: true));
            Assert.Equal(-1, q.PeekBundlePart(0, 8, 7, 79, anyDue: true)); // too long for what is left
            q.Take(directed, null, 0);
            Assert.Equal(-1, q.PeekBundlePart(0, 8, 7, 250, anyDue: true)); // the flood and the hop ack are not due yet
            Assert.Equal(-1, q.PeekBundlePart(5, 5, 9, 250, anyDue: false)); // due, but for no next hop of ours
            int first = q.PeekBundlePart(5, 5, 9, 250, anyDue: true);
            Assert.True(first == flooded || first == hopAck);
        }

        private static int Put(TransmitQueue q, uint sequence, int length, MessageType type, uint nextHop, long dueMs)
        {
            int slot = q.FindFree();
            byte[] b = q.BufferOf(slot);
            b[FrameLayout.OffsetType] = (byte)type;
            LittleEndian.WriteUInt32(b, FrameLayout.OffsetNextHop, nextHop);
            q.Schedule(slot, length, dueMs, 5, sequence, 0, 0);
            return slot;
        }

        /// <summary>
        /// An attacker who appends bytes to a captured bundle — a byte, or a truncated frame — gets it refused whole
        /// (LengthMismatch): nothing in it is handled, as a single frame with anything appended always was.
        /// </summary>
        [Theory]
        [InlineData(1)]
        [InlineData(FrameLayout.MinFrameSize)]
        public void A_bundle_with_bytes_appended_is_refused_whole(int appended)
        {
            var mesh = Line();
            uint[] sent = SendReadings(mesh, 4, 2);
            mesh.DropWhen = (from, to, frame) => from == 3; // node 3 forwards nothing: node 2 has not seen the readings
            mesh.RunFor(100);
            byte[] bundle = Assert.Single(BundlesOf(mesh, 4));

            var fresh = Line();
            byte[] tail = appended == 1 ? new byte[] { 0x20 } : bundle.Take(appended).ToArray(); // a frame's first 42 bytes (MinFrameSize)
            byte[] altered = StructuredMesh.CopyWithHops(fresh, StructuredMesh.ReadingSentBy(mesh, 4, sent[0]), 1, previousHop: 3, nextHop: 2)
                .Concat(tail).ToArray();
            int before = fresh.Results[2].Count;
            fresh.Inject(9, altered);
            fresh.RunFor(5_000);

            Assert.Equal(RejectReason.LengthMismatch, fresh.Results[2][before]);
            Assert.DoesNotContain(fresh.Log, t => t.Node == 2 && t.Origin == 4 && t.Sequence == sent[0]);
            Assert.False(StructuredMesh.Delivered(fresh, 1, 4, sent[0]));
        }

        /// <summary>
        /// Each frame in a bundle is authenticated on its own: a forged frame (no network key) beside an authentic one
        /// is refused (BadMic) and the authentic one is delivered, in either order.
        /// </summary>
        [Theory]
        [InlineData(true)]
        [InlineData(false)]
        public void A_forged_frame_in_a_bundle_is_refused_and_the_authentic_frame_beside_it_is_delivered(bool forgedFirst)
        {
            (uint seq, byte[] authentic, byte[] forged) = AuthenticAndForged();

            var fresh = Line();
            long badMicBefore = fresh[1].Counters.Rejected[(int)RejectReason.BadMic];
            fresh.Inject(9, forgedFirst ? forged.Concat(authentic).ToArray() : authentic.Concat(forged).ToArray());
            fresh.RunFor(1_000);

            Assert.Equal(badMicBefore + 1, fresh[1].Counters.Rejected[(int)RejectReason.BadMic]);
            Assert.Equal(1, StructuredMesh.DeliveredCount(fresh, 1, 4, seq));
        }

        /// <summary>A driver that reports refusals gets every frame's outcome, in order: [None, BadMic] for an authentic frame and a forged one.</summary>
        [Fact]
        public void Each_frames_outcome_is_reported_in_order()
        {
            (uint seq, byte[] authentic, byte[] forged) = AuthenticAndForged();
            byte[] bundle = new byte[] { 0, 0 }.Concat(authentic).Concat(forged).ToArray(); // at offset 2

            var fresh = Line();
            var reasons = new RejectReason[FrameLayout.MaxBundleFrames];
            Assert.Equal(2, FrameCodec.FramesIn(bundle, 2, bundle.Length - 2));
            Assert.Equal(RejectReason.None, fresh[1].Receive(bundle, 2, bundle.Length - 2, -60, fresh.Now, reasons));
            Assert.Equal(new[] { RejectReason.None, RejectReason.BadMic }, reasons.Take(2).ToArray());
            Assert.Equal(1, FrameCodec.FramesIn(authentic, 0, authentic.Length));
        }

        /// <summary>A bundle played back delivers nothing twice: each frame in it is a duplicate of one already taken.</summary>
        [Fact]
        public void A_replayed_bundle_delivers_nothing_again()
        {
            var mesh = Line();
            uint[] sent = SendReadings(mesh, 4, 2);
            mesh.RunFor(5_000);
            byte[] bundle = Assert.Single(BundlesOf(mesh, 4));
            Assert.All(sent, s => Assert.Equal(1, StructuredMesh.DeliveredCount(mesh, 1, 4, s)));

            mesh.Link(9, 3);
            mesh.Inject(9, bundle);
            mesh.RunFor(5_000);

            Assert.All(sent, s => Assert.Equal(1, StructuredMesh.DeliveredCount(mesh, 1, 4, s)));
        }
    }
}
