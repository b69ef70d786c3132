using System;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.WireTests.MeshFixtures;

namespace Mesh.Protocol.Tests.Security
{
    public class ReplayWindowTests
    {
        private const uint A = 0xA1;

        private static ReplayWindow Accept(ReplayWindow w, uint origin, params uint[] sequences)
        {
            foreach (uint s in sequences)
            {
                Assert.Equal(RejectReason.None, w.Check(origin, s));
                w.Commit(origin, s);
            }

            return w;
        }

        [Fact]
        public void Unknown_origin_is_accepted_at_any_sequence_and_is_not_tracked_until_committed()
        {
            ReplayWindow w = new ReplayWindow(64);
            Assert.Equal(RejectReason.None, w.Check(A, 0));
            Assert.Equal(RejectReason.None, w.Check(A, 12345));
            Assert.Equal(RejectReason.None, w.Check(A, uint.MaxValue));
            Assert.False(w.TryGetHighest(A, out _));
        }

        [Fact]
        public void In_order_sequences_are_accepted_once_and_then_Replayed()
        {
            ReplayWindow w = new ReplayWindow(64);
            for (uint s = 1; s <= 200; s++)
            {
                Assert.Equal(RejectReason.None, w.Check(A, s));
                w.Commit(A, s);
                Assert.Equal(RejectReason.Replayed, w.Check(A, s));
                Assert.True(w.TryGetHighest(A, out uint highest));
                Assert.Equal(s, highest);
            }

            for (uint s = 200 - 63; s <= 200; s++)
            {
                Assert.Equal(RejectReason.Replayed, w.Check(A, s));
            }

            Assert.Equal(RejectReason.TooOld, w.Check(A, 200 - 64));
        }

        [Fact]
        public void Out_of_order_sequences_inside_the_window_are_accepted_once()
        {
            ReplayWindow w = Accept(new ReplayWindow(64), A, 100, 98, 99, 60, 97, 37);
            foreach (uint s in new uint[] { 100, 98, 99, 60, 97, 37 })
            {
                Assert.Equal(RejectReason.Replayed, w.Check(A, s));
            }

            foreach (uint s in new uint[] { 96, 61, 59, 38, 101 })
            {
                Assert.Equal(RejectReason.None, w.Check(A, s));
            }

            Assert.True(w.TryGetHighest(A, out uint highest));
            Assert.Equal(100u, highest); // older frames do not move the window
        }

        [Fact]
        public void Duplicate_sequence_is_Replayed_and_Check_alone_records_nothing()
        {
            ReplayWindow w = new ReplayWindow(64);
            Assert.Equal(RejectReason.None, w.Check(A, 10));
            Assert.Equal(RejectReason.None, w.Check(A, 10)); // not committed yet
            w.Commit(A, 10);
            Assert.Equal(RejectReason.Replayed, w.Check(A, 10));
            Assert.Equal(RejectReason.Replayed, w.Check(A, 10));
        }

        [Fact]
        public void Window_edge_63_below_the_highest_is_accepted_and_64_below_is_TooOld()
        {
            ReplayWindow w = Accept(new ReplayWindow(64), A, 1000);
            Assert.Equal(RejectReason.None, w.Check(A, 1000 - 63));
            Assert.Equal(RejectReason.TooOld, w.Check(A, 1000 - 64));
            Assert.Equal(RejectReason.TooOld, w.Check(A, 0));
            w.Commit(A, 1000 - 63);
            Assert.Equal(RejectReason.Replayed, w.Check(A, 1000 - 63));
        }

        [Fact]
        public void Slide_by_63_keeps_the_old_highest_as_Replayed_and_slide_by_64_makes_it_TooOld()
        {
            ReplayWindow w63 = Accept(new ReplayWindow(64), A, 100, 163);
            Assert.Equal(RejectReason.Replayed, w63.Check(A, 100));
            Assert.Equal(RejectReason.None, w63.Check(A, 101));

            ReplayWindow w64 = Accept(new ReplayWindow(64), A, 100, 164);
            Assert.Equal(RejectReason.TooOld, w64.Check(A, 100));
            Assert.Equal(RejectReason.None, w64.Check(A, 101));

            // Bits survive a small slide: 100 and 102 seen, 101 not.
            ReplayWindow w = Accept(new ReplayWindow(64), A, 100, 102, 110);
            Assert.Equal(RejectReason.Replayed, w.Check(A, 100));
            Assert.Equal(RejectReason.None, w.Check(A, 101));
            Assert.Equal(RejectReason.Replayed, w.Check(A, 102));
        }

        [Fact]
        public void Jump_far_ahead_clears_the_window_and_everything_before_it_becomes_TooOld()
        {
            ReplayWindow w = Accept(new ReplayWindow(64), A, 5, 6, 7, 1_000_005);
            Assert.Equal(RejectReason.Replayed, w.Check(A, 1_000_005));
            Assert.Equal(RejectReason.TooOld, w.Check(A, 5));
            Assert.Equal(RejectReason.TooOld, w.Check(A, 1_000_005 - 64));
            for (uint s = 1_000_005 - 63; s < 1_000_005; s++)
            {
                Assert.Equal(RejectReason.None, w.Check(A, s)); // no stale bits carried over
            }
        }

        [Fact]
        public void Sequence_uint_MaxValue_is_the_top_of_the_window_with_no_wrap_around()
        {
            ReplayWindow w = Accept(new ReplayWindow(64), A, 0, uint.MaxValue - 1);
            Assert.Equal(RejectReason.TooOld, w.Check(A, 0));
            Assert.Equal(RejectReason.None, w.Check(A, uint.MaxValue));
            w.Commit(A, uint.MaxValue);
            Assert.Equal(RejectReason.Replayed, w.Check(A, uint.MaxValue));
            Assert.Equal(RejectReason.Replayed, w.Check(A, uint.MaxValue - 1));
            Assert.Equal(RejectReason.None, w.Check(A, uint.MaxValue - 63));
            Assert.Equal(RejectReason.TooOld, w.Check(A, uint.MaxValue - 64));
            Assert.Equal(RejectReason.TooOld, w.Check(A, 1)); // a small sequence is old, not "after the wrap"

            ReplayWindow fresh = Accept(new ReplayWindow(64), A, uint.MaxValue);
            Assert.Equal(RejectReason.Replayed, fresh.Check(A, uint.MaxValue));
            Assert.Equal(RejectReason.None, fresh.Check(A, uint.MaxValue - 1));
        }

        [Fact]
        public void Origins_have_independent_windows()
        {
            ReplayWindow w = Accept(new ReplayWindow(64), A, 500);
            Accept(w, A + 1, 3);
            Assert.Equal(RejectReason.TooOld, w.Check(A, 3));
            Assert.Equal(RejectReason.Replayed, w.Check(A + 1, 3));
            Assert.Equal(RejectReason.None, w.Check(A + 1, 500));
        }

        [Theory]
        [InlineData(1, 8)]
        [InlineData(8, 8)]
        [InlineData(9, 16)]
        [InlineData(64, 64)]
        [InlineData(100, 128)]
        public void Capacity_is_rounded_up_to_a_power_of_two_of_at_least_eight(int requested, int expected)
        {
            Assert.Equal(expected, new ReplayWindow(requested).Capacity);
        }

        [Fact]
        public void A_restored_highest_sequence_refuses_everything_up_to_it_and_accepts_what_follows()
        {
            ReplayWindow w = new ReplayWindow(8);
            w.Restore(A, 100);
            Assert.Equal(RejectReason.Replayed, w.Check(A, 100));
            Assert.Equal(RejectReason.Replayed, w.Check(A, 40));
            Assert.Equal(RejectReason.TooOld, w.Check(A, 36));
            Assert.Equal(RejectReason.None, w.Check(A, 101));
            w.Restore(A, 50); // an older record never lowers what is known
            Assert.Equal(RejectReason.Replayed, w.Check(A, 100));
        }

        [Fact]
        public void Full_table_evicts_the_least_recently_used_origin_whose_frames_then_pass_the_window()
        {
            ReplayWindow w = new ReplayWindow(8);
            for (uint o = 1; o <= 8; o++)
            {
                Assert.Equal(RejectReason.None, w.Check(o, 100));
                w.Commit(o, 100);
            }

            w.Commit(1, 101); // origin 1 becomes the most recently used; origin 2 is now the oldest
            w.Commit(9, 100); // table full: origin 2 is evicted
            Assert.False(w.TryGetHighest(2, out _));
            Assert.True(w.TryGetHighest(1, out _));

            // The window no longer knows origin 2: the duplicate cache's floor is what refuses its replays
            // (DuplicateCacheTests, and Node_refuses_an_old_frame_whose_origin_left_both_... below).
            Assert.Equal(RejectReason.None, w.Check(2, 100));
            Assert.Equal(RejectReason.Replayed, w.Check(1, 101));
        }

        // ------------------------------------------------------------------ through the node

        private static byte[] ReadingsFrame(MeshNode sender, long nowMs)
        {
            ReadingSet set = new ReadingSet();
            set.AddRaw(Quantity.Pressure, 101325);
            Assert.Equal(SendResult.Queued, sender.SendReadings(set, nowMs));
            return TakeFrame(sender, nowMs);
        }

        [Fact]
        public void Node_rejects_a_replayed_frame_as_Duplicate_then_as_Replayed_once_it_left_the_duplicate_cache()
        {
            NetworkKey key = Key(Secret);
            MeshNode sender = Sender(key, true, id: 0x11);
            MeshNode receiver = Receiver(key, duplicateCacheSize: 4);
            byte[] first = ReadingsFrame(sender, 0);
            Assert.Equal(RejectReason.None, Deliver(receiver, first, 0));
            Assert.Equal(RejectReason.Duplicate, Deliver(receiver, first, 1));

            // Two frames a second: the 4-way cache pushes out entries of earlier seconds only, so the
            // floor it keeps never reaches a new frame's second (DuplicateCacheTests pins the floor).
            long now = 0;
            for (int i = 0; i < 8; i++)
            {
                now += 500;
                byte[] next = ReadingsFrame(sender, now);
                Assert.Equal(RejectReason.None, Deliver(receiver, next, now));
            }

            Assert.Equal(RejectReason.Replayed, Deliver(receiver, first, now));

            for (int i = 0; i < 64; i++)
            {
                now += 350;
                byte[] next = ReadingsFrame(sender, now);
                Assert.Equal(RejectReason.None, Deliver(receiver, next, now));
            }

            Assert.Equal(RejectReason.TooOld, Deliver(receiver, first, now));
        }

        [Fact]
        public void Node_refuses_an_old_frame_whose_origin_left_both_the_replay_table_and_the_duplicate_cache()
        {
            NetworkKey key = Key(Secret);
            MeshNode receiver = Receiver(key, duplicateCacheSize: 4, replayTableSize: 8);
            byte[] captured = ReadingsFrame(Sender(key, true, id: 0x500), 0);
            Assert.Equal(RejectReason.None, Deliver(receiver, captured, 0));
            Assert.Equal(RejectReason.Duplicate, Deliver(receiver, captured, 0));

            // Sixteen other origins, in two waves ten seconds apart, push 0x500 out of the 8-slot replay
            // table and the 4-entry cache, and the second wave evicts the first (heard after 0x500).
            for (uint o = 1; o <= 16; o++)
            {
                long at = o <= 8 ? 10_000 : 20_000;
                byte[] other = ReadingsFrame(Sender(key, true, id: 0x600 + o), at);
                Assert.Equal(RejectReason.None, Deliver(receiver, other, at));
            }

            // v1 accepted the captured frame once more here; the duplicate cache's floor refuses it (its set
            // pushed out fresh entries at least as new).
            Assert.Equal(RejectReason.TooOld, Deliver(receiver, captured, 20_000));
        }
    }
}
