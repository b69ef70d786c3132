using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using Xunit.Abstractions;
using static Mesh.Protocol.Tests.Routing.StructuredMesh;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>PROTOCOL.md "Structured routing", gradient: a relay whose upward slots are nearly full advertises a dearer route until half are free.</summary>
    public class UpwardLoadTests
    {
        private readonly ITestOutputHelper _output;

        public UpwardLoadTests(ITestOutputHelper output)
        {
            _output = output;
        }

        [Fact]
        public void A_child_moves_off_a_parent_whose_upward_slots_fill_up()
        {
            // Gateway 1; relays 2 and 3 both hear it; node 4 hears 2 and 3; ten sensors 5 … 14 hear only 2.
            var mesh = new InMemoryMesh();
            mesh.Add(Gateway(1));
            for (uint i = 2; i <= 14; i++)
            {
                var c = Sensor(i);
                if (i == 2)
                {
                    c.HopRetries = 250; // its link to the gateway must not fail within the test: only its load may move 4
                }

                mesh.Add(c);
            }

            mesh.Link(1, 2);
            mesh.Link(1, 3);
            mesh.Link(2, 4);
            mesh.Link(3, 4);
            for (uint i = 5; i <= 14; i++)
            {
                mesh.Link(2, i);
            }

            mesh.RunFor(60_000);
            Assert.Equal(2u, mesh[4].Routing!.Gradient.Parent); // equal routes: the lower id

            // The readings 2 relays stop reaching the gateway (2's own frames, by which the link is measured, still
            // arrive), so 2 holds every frame of its ten sensors in a slot while it retries: its slots fill, with its
            // link estimate unchanged and no link failure.
            mesh.DropWhen = (from, to, frame) => from == 2 && to == 1 && (MessageType)frame[FrameLayout.OffsetType] == MessageType.Readings
                && LittleEndian.ReadUInt32(frame, FrameLayout.OffsetOrigin) != 2;
            // A reading from each every 5 s for 3 minutes: long enough for a beacon Trickle schedules (the
            // interval is 32-64 s by now; the penalty is no reason to reset it).
            for (int round = 0; round < 36; round++)
            {
                for (uint i = 5; i <= 14; i++)
                {
                    SendReading(mesh, i);
                }

                mesh.RunFor(5_000);
            }

            var r2 = mesh[2].Routing!;
            _output.WriteLine($"node 2: {r2.Load.Spells} load spells, {r2.Upward.Evicted} evicted, {r2.LinkFailures} link failures, cost {r2.Gradient.Cost}; node 4: parent {mesh[4].Routing!.Gradient.Parent}");
            Assert.True(r2.Load.Spells >= 1, "node 2 never counted as loaded");
            Assert.Equal(0, r2.LinkFailures);
            // 2's route is as cheap as 3's; its load makes it 48 dearer (the hysteresis is 24), and 4 moves.
            Assert.Equal(3u, mesh[4].Routing!.Gradient.Parent);
        }

        [Fact]
        public void The_penalty_starts_with_all_but_one_slot_taken_and_ends_when_half_are_free()
        {
            var load = new UpwardLoad();
            for (int used = 0; used <= 8; used++)
            {
                load.Track(used, 10);
                Assert.False(load.Loaded, $"{used} of 10 slots");
                Assert.Equal(40, load.Advertise(40));
            }

            load.Track(9, 10);
            Assert.True(load.Loaded);
            Assert.Equal(40 + UpwardLoad.Penalty, load.Advertise(40));

            // Hysteresis: it stays loaded down to half, so it does not flap with every frame acknowledged.
            for (int used = 9; used > 5; used--)
            {
                load.Track(used, 10);
                Assert.True(load.Loaded, $"{used} of 10 slots");
            }

            load.Track(5, 10);
            Assert.False(load.Loaded);
            Assert.Equal(1, load.Spells);
        }

        [Fact]
        public void No_route_stays_no_route_and_the_cost_never_reaches_no_route()
        {
            var load = new UpwardLoad();
            load.Track(10, 10);
            Assert.Equal(Beacon.NoCost, load.Advertise(Beacon.NoCost));
            Assert.Equal(Beacon.NoCost - 1, load.Advertise(Beacon.NoCost - 2));
        }

        [Fact]
        public void A_single_slot_never_counts_as_loaded()
        {
            var load = new UpwardLoad();
            load.Track(1, 1);
            Assert.False(load.Loaded);
        }
    }
}
