using System.Collections.Generic;
using Mesh.Protocol.Forwarding;

namespace Mesh.Protocol.Tests.Security
{
    public class DuplicateCacheTests
    {
        /// <summary>A network time (seconds) for tests that are not about time.</summary>
        private const uint T = 1_800_000_000;

        private const uint Window = 30;

        private static void Add(DuplicateCache cache, uint origin, uint sequence, uint time = T, uint staleBelow = 0) =>
            cache.Add(origin, sequence, 0, false, time, staleBelow);

        [Fact]
        public void A_set_that_pushes_out_a_fresh_entry_forgets_no_newer_than_its_time()
        {
            DuplicateCache cache = new DuplicateCache(4); // one set: every key shares it
            for (uint s = 1; s <= 4; s++)
            {
                Add(cache, 1, s, T + s, T - Window);
            }

            Assert.False(cache.Forgot(9, 1, T));
            Add(cache, 1, 5, T + 5, T - Window); // pushes out (1, 1) stamped T + 1, still fresh
            Assert.False(cache.Contains(1, 1));
            Assert.True(cache.Forgot(1, 1, T + 1));
            Assert.True(cache.Forgot(7, 7, T)); // any message the set does not hold, as old or older
            Assert.False(cache.Forgot(7, 7, T + 2));
        }

        [Fact]
        public void Entries_older_than_the_freshness_window_are_reused_first_and_raise_no_floor()
        {
            DuplicateCache cache = new DuplicateCache(4);
            Add(cache, 1, 1, T, T - Window);
            Add(cache, 1, 2, T + 100, T + 100 - Window);
            Add(cache, 1, 3, T + 100, T + 100 - Window);
            Add(cache, 1, 4, T + 100, T + 100 - Window);
            Add(cache, 1, 5, T + 100, T + 100 - Window); // (1, 1) is stale now: its way is taken, nothing forgotten
            Assert.False(cache.Contains(1, 1));
            Assert.False(cache.Forgot(1, 6, T + 100));
            Assert.False(cache.Forgot(1, 1, T)); // (a copy of it is stale: the clock refuses it)
            for (uint s = 2; s <= 5; s++)
            {
                Assert.True(cache.Contains(1, s));
            }
        }

        [Fact]
        public void Times_keep_their_meaning_across_days_of_network_time()
        {
            // Offsets are 14 bits from a base that follows the clock: a day of traffic moves it many times.
            DuplicateCache cache = new DuplicateCache(4);
            uint s = 0;
            for (uint t = T; t < T + 86_400; t += 20)
            {
                Add(cache, 1, ++s, t, t - Window);
                Add(cache, 2, ++s, t, t - Window);
            }

            uint last = T + 86_400 - 20;
            Assert.True(cache.Contains(2, s));
            Assert.False(cache.Forgot(3, 1, last)); // every pushed-out entry was stale: no floor
            for (uint k = 1; k <= 4; k++)
            {
                Add(cache, 3, k, last, last - Window); // four fresh entries push out two fresh ones of this second
            }

            Assert.True(cache.Forgot(2, s, last)); // pushed out in its own second: its filter bit is set
            Assert.True(cache.Forgot(1, s - 1, last));
            Assert.True(cache.Forgot(3, 99, last - 1));
            Assert.False(cache.Forgot(3, 99, last + 1));
        }

        [Fact]
        public void Contains_an_entry_after_Add_and_not_its_neighbours()
        {
            DuplicateCache cache = new DuplicateCache(256);
            Assert.False(cache.Contains(7, 100));
            Add(cache, 7, 100);
            Assert.True(cache.Contains(7, 100));
            Assert.False(cache.Contains(7, 101));
            Assert.False(cache.Contains(7, 99));
            Assert.False(cache.Contains(8, 100));
            Assert.False(cache.Contains(100, 7));
        }

        [Fact]
        public void Origin_zero_marks_empty_ways_so_it_is_never_reported_even_after_an_add()
        {
            // Node id 0 is reserved (the codec rejects it as BadAddress before any cache lookup), which
            // lets the cache use it as its empty marker instead of spending a stamp per entry.
            DuplicateCache cache = new DuplicateCache(16);
            Assert.False(cache.Contains(0, 0));
            Add(cache, 0, 0);
            Assert.False(cache.Contains(0, 0));
            Add(cache, 1, 0);
            Assert.True(cache.Contains(1, 0));
        }

        [Theory]
        [InlineData(0, 4)]
        [InlineData(1, 4)]
        [InlineData(4, 4)]
        [InlineData(5, 8)]
        [InlineData(100, 128)]
        [InlineData(256, 256)]
        public void Capacity_is_a_power_of_two_multiple_of_the_four_ways(int requested, int expected)
        {
            Assert.Equal(expected, new DuplicateCache(requested).Capacity);
        }

        [Fact]
        public void Single_set_cache_keeps_the_last_four_and_evicts_the_oldest_inserted_first()
        {
            DuplicateCache cache = new DuplicateCache(4); // one set of four ways: every key shares it
            for (uint s = 1; s <= 4; s++)
            {
                Add(cache, 1, s);
            }

            Add(cache, 1, 1); // already present: a no-op, it does not refresh the entry's age
            Add(cache, 1, 5);
            Assert.False(cache.Contains(1, 1));
            for (uint s = 2; s <= 5; s++)
            {
                Assert.True(cache.Contains(1, s));
            }

            Add(cache, 1, 6);
            Assert.False(cache.Contains(1, 2));
            Assert.True(cache.Contains(1, 6));
        }

        [Fact]
        public void Adding_the_same_key_twice_takes_one_slot()
        {
            DuplicateCache cache = new DuplicateCache(4);
            Add(cache, 9, 9);
            Add(cache, 9, 9);
            Add(cache, 9, 10);
            Add(cache, 9, 11);
            Add(cache, 9, 12);
            Assert.True(cache.Contains(9, 9));
        }

        /// <summary>
        /// 200,000 distinct keys (a few origins, mostly increasing sequences with jumps, like real traffic,
        /// plus scattered random keys): the cache never claims a key that was not added, always holds the
        /// last four keys added (each is among the last four of its set), and never holds more than its
        /// capacity; and every key added whose time is still fresh is either held or forgotten by its set's
        /// floor (the cache never lets a fresh message be taken twice). Time runs a second per 40 keys.
        /// </summary>
        [Theory]
        [InlineData(4)]
        [InlineData(64)]
        [InlineData(256)]
        public void Long_pseudo_random_sequence_of_distinct_keys_gives_no_false_positives(int capacity)
        {
            DuplicateCache cache = new DuplicateCache(capacity);
            XorShiftRandom rng = new XorShiftRandom((ulong)capacity);
            HashSet<(uint, uint)> added = new HashSet<(uint, uint)>();
            List<(uint Origin, uint Sequence)> order = new List<(uint, uint)>();
            List<uint> times = new List<uint>();
            uint[] nextSequence = new uint[16];

            for (int i = 0; i < 200_000; i++)
            {
                (uint origin, uint sequence) key;
                if ((rng.NextUInt32() & 7) == 0)
                {
                    key = (rng.NextUInt32(), rng.NextUInt32());
                }
                else
                {
                    int o = (int)(rng.NextUInt32() % 16);
                    nextSequence[o] += 1 + (rng.NextUInt32() % 3 == 0 ? rng.NextUInt32() % 100 : 0);
                    key = ((uint)o + 1, nextSequence[o]);
                }

                if (!added.Add(key))
                {
                    continue;
                }

                Assert.False(cache.Contains(key.origin, key.sequence), $"false positive for new key {key}");
                uint now = T + (uint)(i / 40);
                Add(cache, key.origin, key.sequence, now, now - Window);
                order.Add(key);
                times.Add(now);
                Assert.True(cache.Contains(key.origin, key.sequence));

                for (int back = 1; back < DuplicateCache.Ways && back <= order.Count; back++)
                {
                    (uint origin, uint sequence) recent = order[order.Count - back];
                    Assert.True(cache.Contains(recent.origin, recent.sequence), $"lost one of the last {DuplicateCache.Ways} keys");
                }

                // Probes: near misses of a random earlier key (one bit off in origin or sequence) and random
                // keys. Whatever the cache reports as contained must really have been added.
                // The cache keeps the low 16 bits of a sequence (beside a 16-bit payload tag; the replay window
                // keeps full sequences), so a sequence probe differs in those bits.
                (uint Origin, uint Sequence) old = order[(int)(rng.NextUInt32() % (uint)order.Count)];
                int bit = (int)(rng.NextUInt32() % 32);
                foreach ((uint, uint) probe in new[]
                {
                    (old.Origin, old.Sequence ^ (1u << (bit & 15))),
                    (old.Origin ^ (1u << bit), old.Sequence),
                    (rng.NextUInt32(), rng.NextUInt32()),
                })
                {
                    Assert.True(!cache.Contains(probe.Item1, probe.Item2) || added.Contains(probe), $"false positive for {probe}");
                }
            }

            int held = 0;
            uint end = times[times.Count - 1];
            for (int k = 0; k < order.Count; k++)
            {
                (uint origin, uint sequence) = order[k];
                if (cache.Contains(origin, sequence))
                {
                    held++;
                }
                else if (times[k] >= end - Window)
                {
                    Assert.True(cache.Forgot(origin, sequence, times[k]), $"fresh {order[k]} neither held nor forgotten");
                }
            }

            Assert.InRange(held, DuplicateCache.Ways, cache.Capacity);
        }
    }
}
