using System.Collections.Generic;
using Mesh.Protocol;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Tests.Memory
{
    /// <summary>
    /// The collision ledger packs messages that have gone quiet and unpacks them when a late copy
    /// arrives; its counts must be those of plain sets of (message, receiver) pairs whatever was packed.
    /// </summary>
    public class CollisionLedgerTests
    {
        [Fact]
        public void Counts_match_plain_sets_across_packing_late_copies_and_settling()
        {
            const int nodes = 700;
            var ledger = new CollisionLedger(nodes);
            var received = new Dictionary<ulong, HashSet<int>>();
            var lost = new Dictionary<ulong, HashSet<int>>();
            long lostPairs = 0, settledNeverReceived = 0;
            var random = new XorShiftRandom(21);
            long now = 0;
            for (int step = 0; step < 400_000; step++)
            {
                now += RandomExtensions.NextBelow(random, 2_000);
                // Mostly the message of the moment (a new one every 20 ms), sometimes one up to a minute old
                // again (a late copy, a retry): packed by then if it was quiet for 5 s, never settled (that
                // takes 120 s of quiet), so plain sets that never forget must give the same counts.
                ulong message = (ulong)(now / 20_000) + 10_000 - (ulong)(RandomExtensions.NextBelow(random, 20) == 0 ? RandomExtensions.NextBelow(random, 3_000) : 0);
                int receiver = RandomExtensions.NextBelow(random, nodes);
                if (!received.ContainsKey(message))
                {
                    received[message] = new HashSet<int>();
                    lost[message] = new HashSet<int>();
                }

                if (RandomExtensions.NextBelow(random, 4) == 0)
                {
                    ledger.Collided(message, receiver, now);
                    if (!received[message].Contains(receiver) && lost[message].Add(receiver))
                    {
                        lostPairs++;
                    }
                }
                else
                {
                    ledger.Received(message, receiver, now);
                    received[message].Add(receiver);
                }

                Assert.Equal(lostPairs, ledger.Lost);
            }

            foreach (var (message, set) in lost)
            {
                foreach (int r in set)
                {
                    if (!received[message].Contains(r))
                    {
                        settledNeverReceived++;
                    }
                }
            }

            Assert.Equal(settledNeverReceived, ledger.NeverReceived());
        }
    }
}
