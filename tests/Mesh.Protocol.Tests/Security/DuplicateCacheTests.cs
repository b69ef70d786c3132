using System.Collections.Generic;
using Mesh.Protocol.Forwarding;

namespace Mesh.Protocol.Tests.Security
{
    public class DuplicateCacheTests
    {
        [Fact]
        public void Contains_an_entry_after_Add_and_not_its_neighbours()
        {
            DuplicateCache cache = new DuplicateCache(256);
            Assert.False(cache.Contains(7, 100));
            cache.Add(7, 100);
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
            cache.Add(0, 0);
            Assert.False(cache.Contains(0, 0));
            cache.Add(1, 0);
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
                cache.Add(1, s);
            }

            cache.Add(1, 1); // already present: a no-op, it does not refresh the entry's age
            cache.Add(1, 5);
            Assert.False(cache.Contains(1, 1));
            for (uint s = 2; s <= 5; s++)
            {
                Assert.True(cache.Contains(1, s));
            }

            cache.Add(1, 6);
            Assert.False(cache.Contains(1, 2));
            Assert.True(cache.Contains(1, 6));
        }

        [Fact]
        public void Adding_the_same_key_twice_takes_one_slot()
        {
            DuplicateCache cache = new DuplicateCache(4);
            cache.Add(9, 9);
            cache.Add(9, 9);
            cache.Add(9, 10);
            cache.Add(9, 11);
            cache.Add(9, 12);
            Assert.True(cache.Contains(9, 9));
        }

        /// <summary>
        /// 200,000 distinct keys (a few origins, mostly increasing sequences with jumps, like real traffic,
        /// plus scattered random keys): the cache never claims a key that was not added, always holds the
        /// last four keys added (each is among the last four of its set), and never holds more than its
        /// capacity.
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
                cache.Add(key.origin, key.sequence);
                order.Add(key);
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
            foreach ((uint origin, uint sequence) in order)
            {
                if (cache.Contains(origin, sequence))
                {
                    held++;
                }
            }

            Assert.InRange(held, DuplicateCache.Ways, cache.Capacity);
        }
    }
}
