using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>
    /// The upward frames' copies share one buffer (NodeConfig.UpwardBytes): a frame is kept when a slot is free
    /// and the copies leave room for it; otherwise the one closest to giving up is evicted (MeshNode.ClaimUpward
    /// sends it once more). Copies are packed to the front when a new one does not fit after the last, and every
    /// kept copy reads back as it was tracked.
    /// </summary>
    public class UpwardFramesTests
    {
        private static byte[] Frame(int length, byte fill)
        {
            var f = new byte[length];
            for (int i = 0; i < length; i++)
            {
                f[i] = (byte)(fill + i);
            }

            return f;
        }

        private static byte[] Kept(UpwardFrames up, int slot)
        {
            var copy = new byte[up.LengthOf(slot)];
            System.Array.Copy(up.FrameOf(slot), up.OffsetOf(slot), copy, 0, copy.Length);
            return copy;
        }

        private static int Keep(UpwardFrames up, byte[] frame, uint sequence, long deadlineMs)
        {
            Assert.True(up.HasRoom(frame.Length));
            int slot = up.FreeSlot();
            up.Track(slot, frame, 0, frame.Length, 4, sequence, 2, deadlineMs);
            return slot;
        }

        [Fact]
        public void By_default_every_slot_has_a_full_frames_room()
        {
            var up = new UpwardFrames(6, 0);
            Assert.Equal(6 * FrameLayout.MaxFrameSize, up.Bytes);
            for (uint i = 0; i < 6; i++)
            {
                Keep(up, Frame(FrameLayout.MaxFrameSize, (byte)i), i + 1, 1000);
            }

            Assert.False(up.HasRoom(FrameLayout.MinFrameSize)); // no slot left
        }

        [Fact]
        public void Copies_survive_being_packed_to_the_front()
        {
            var up = new UpwardFrames(4, FrameLayout.MaxFrameSize);
            byte[] a = Frame(100, 1), b = Frame(100, 50), c = Frame(120, 90);
            int sa = Keep(up, a, 1, 1000);
            int sb = Keep(up, b, 2, 1000);
            up.Release(sa);
            int sc = Keep(up, c, 3, 1000); // 200 + 120 > 250 after the last copy: packed first

            Assert.Equal(0, up.OffsetOf(sb));
            Assert.Equal(100, up.OffsetOf(sc));
            Assert.Equal(b, Kept(up, sb));
            Assert.Equal(c, Kept(up, sc));
            Assert.Equal(2u, up.SequenceOf(sb));
            Assert.Equal(3u, up.SequenceOf(sc));
        }

        [Fact]
        public void A_frame_without_room_evicts_the_one_closest_to_giving_up()
        {
            var up = new UpwardFrames(6, FrameLayout.MaxFrameSize);
            int early = Keep(up, Frame(80, 1), 1, 500);
            int late = Keep(up, Frame(80, 2), 2, 900);
            Keep(up, Frame(80, 3), 3, 700);
            Assert.False(up.HasRoom(80)); // slots are free, bytes are not: 240 of 250 taken
            Assert.True(up.HasRoom(10));

            Assert.Equal(early, up.Victim());
            up.Evict(early);
            Assert.Equal(1, up.Evicted);
            Assert.True(up.HasRoom(80));
            int next = Keep(up, Frame(80, 4), 4, 1000);
            Assert.Equal(Frame(80, 4), Kept(up, next));
            Assert.Equal(Frame(80, 2), Kept(up, late));
            Assert.Equal(-1, up.Find(4, 1));
        }

        [Fact]
        public void A_full_frame_always_fits_once_the_others_are_evicted()
        {
            var up = new UpwardFrames(6, 2 * FrameLayout.MaxFrameSize);
            for (uint i = 0; i < 6; i++)
            {
                Keep(up, Frame(70, (byte)i), i + 1, 1000 + i);
            }

            int evicted = 0;
            while (!up.HasRoom(FrameLayout.MaxFrameSize))
            {
                up.Evict(up.Victim());
                evicted++;
            }

            Assert.Equal(3, evicted); // 420 bytes kept: three must go for 250 in 500
            int slot = Keep(up, Frame(FrameLayout.MaxFrameSize, 7), 9, 2000);
            Assert.Equal(Frame(FrameLayout.MaxFrameSize, 7), Kept(up, slot));
            for (uint seq = 4; seq <= 6; seq++)
            {
                int s = up.Find(4, seq);
                Assert.Equal(Frame(70, (byte)(seq - 1)), Kept(up, s));
            }
        }

        /// <summary>
        /// Random keeps, releases and evictions against a plain model of what each slot holds: every kept copy reads
        /// back byte for byte after any sequence of packings, room is exactly slots free and bytes left, and the
        /// copies never overlap.
        /// </summary>
        [Theory]
        [InlineData(6, 500, 1)]
        [InlineData(6, 250, 2)]
        [InlineData(10, 0, 3)]
        [InlineData(3, 1000, 4)]
        public void Copies_read_back_intact_through_any_sequence_of_keeps_releases_and_evictions(int slots, int bytes, int seed)
        {
            var up = new UpwardFrames(slots, bytes);
            var model = new Dictionary<int, byte[]>();
            var random = new System.Random(seed);
            uint sequence = 0;
            for (int step = 0; step < 20_000; step++)
            {
                int length = random.Next(4) == 0 ? random.Next(FrameLayout.MinFrameSize, FrameLayout.MaxFrameSize + 1) : random.Next(40, 91);
                if (random.Next(3) > 0)
                {
                    int taken = model.Values.Sum(f => f.Length);
                    Assert.Equal(model.Count < slots && taken + length <= up.Bytes, up.HasRoom(length));
                    while (!up.HasRoom(length))
                    {
                        int victim = up.Victim();
                        Assert.True(model.ContainsKey(victim));
                        up.Evict(victim);
                        model.Remove(victim);
                    }

                    byte[] frame = Frame(length, (byte)step);
                    int slot = up.FreeSlot();
                    up.Track(slot, frame, 0, length, 4, ++sequence, 2, random.Next(1_000_000));
                    model[slot] = frame;
                }
                else if (model.Count > 0)
                {
                    int slot = model.Keys.ElementAt(random.Next(model.Count));
                    up.Release(slot);
                    model.Remove(slot);
                }

                var spans = new List<(int From, int To)>();
                foreach (var (slot, frame) in model)
                {
                    Assert.Equal(frame, Kept(up, slot));
                    spans.Add((up.OffsetOf(slot), up.OffsetOf(slot) + frame.Length));
                }

                spans.Sort();
                for (int i = 1; i < spans.Count; i++)
                {
                    Assert.True(spans[i].From >= spans[i - 1].To, "copies overlap");
                }

                Assert.True(spans.Count == 0 || spans[^1].To <= up.Bytes);
            }
        }
    }
}
