using System;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Tests.Performance;
using Mesh.Protocol.Wire;
using Xunit.Abstractions;

namespace Mesh.Protocol.Tests.Routing
{
    /// <summary>Structured routing allocates nothing per frame: beacons, upward forwarding, passive and explicit hop acks, retransmissions.</summary>
    public class RoutingAllocationTests
    {
        private readonly ITestOutputHelper _output;

        public RoutingAllocationTests(ITestOutputHelper output)
        {
            _output = output;
        }

        private sealed class Line
        {
            public readonly MeshNode[] Nodes = new MeshNode[4];
            public readonly byte[] Air = new byte[FrameLayout.MaxFrameSize];
            public readonly MeshEvent Event = new MeshEvent();
            public readonly ReadingSet Readings = new ReadingSet();
            public long Now;
            public long Delivered;

            /// <summary>Node 3's directed upward frames are lost (its floods are not): it falls back to flooding, and node 2 rejoins them to the gradient.</summary>
            public bool DirectedFrom3Lost;

            /// <summary>1 gateway — 2 relay — 3 sensor, driven without the harness (whose lists allocate).</summary>
            public static Line Create()
            {
                NetworkKey key = TestKeys.Network();
                var devices = TestKeys.Devices();
                var line = new Line();
                for (uint i = 1; i <= 3; i++)
                {
                    NodeConfig c = i == 1 ? StructuredMesh.Gateway(1) : StructuredMesh.Sensor(i);
                    c.FairShareFramesPerMinute = 6000; // a reading a second: the routing path is measured here, throttling in AllocationTests
                    line.Nodes[i] = new MeshNode(TestKeys.Provisioned(c, devices), key, new XorShiftRandom(i), 0);
                }

                return line;
            }

            private static bool Linked(int a, int b) => (a == 1 && b == 2) || (a == 2 && b == 1) || (a == 2 && b == 3) || (a == 3 && b == 2);

            public void RunUntil(long until)
            {
                for (; Now < until; Now += 5)
                {
                    long t = Now;
                    if (t % 1000 == 0)
                    {
                        Readings.Clear();
                        Readings.AddRaw(Quantity.Temperature, (int)(t / 1000));
                        Nodes[3].SendReadings(Readings, t);
                    }

                    for (int n = 1; n <= 3; n++)
                    {
                        Nodes[n].Poll(t);
                        while (Nodes[n].TryTakeTransmit(t, Air, 0, out int length))
                        {
                            // Every fourth reading's first transmission by the sensor is lost: it retransmits.
                            bool lose = n == 3 && Air[FrameLayout.OffsetType] == (byte)MessageType.Readings
                                && LittleEndian.ReadUInt32(Air, FrameLayout.OffsetSequence) % 4 == 0
                                && t % 1000 < 20;
                            lose |= n == 3 && DirectedFrom3Lost && Air[FrameLayout.OffsetType] == (byte)MessageType.Readings
                                && LittleEndian.ReadUInt32(Air, FrameLayout.OffsetNextHop) != NodeAddress.None;
                            for (int m = 1; m <= 3; m++)
                            {
                                if (Linked(n, m) && !lose)
                                {
                                    Nodes[m].Receive(Air, 0, length, -60, t);
                                }
                            }
                        }
                    }

                    for (int n = 1; n <= 3; n++)
                    {
                        while (Nodes[n].TryTakeEvent(Event))
                        {
                            if (n == 1 && Event.Type == MessageType.Readings)
                            {
                                Delivered++;
                            }
                        }
                    }
                }
            }
        }

        [Fact]
        public void A_routed_line_with_hop_acks_and_retransmissions_allocates_nothing()
        {
            var line = Line.Create();

            line.RunUntil(120_000);
            Assert.Equal(2u, line.Nodes[3].Routing!.Gradient.Parent);
            long deliveredBefore = line.Delivered;
            var r3 = line.Nodes[3].Routing!;
            long retxBefore = r3.Retransmissions;
            long before = AllocationTests.AllocatedBytesBaseline();
            line.RunUntil(720_000);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            _output.WriteLine($"{allocated} B allocated; {line.Delivered - deliveredBefore} readings delivered; sensor: {r3.Retransmissions - retxBefore} retransmissions, {r3.PassiveAcks} passive acks, {r3.HopAcksHeard} hop acks heard; gateway sent {line.Nodes[1].Routing!.HopAcksSent} hop acks, relay {line.Nodes[2].Routing!.HopAcksSent}");
            Assert.True(line.Delivered - deliveredBefore >= 590, $"{line.Delivered - deliveredBefore} delivered");
            Assert.True(r3.Retransmissions - retxBefore > 0, "no retransmission was exercised");
            Assert.Equal(0, allocated);
        }

        [Fact]
        public void Rejoining_an_origins_fallback_flood_allocates_nothing()
        {
            var line = Line.Create();

            line.RunUntil(120_000);
            line.DirectedFrom3Lost = true;
            line.RunUntil(180_000);
            var r2 = line.Nodes[2].Routing!;
            long rejoinedBefore = r2.FloodsRejoined;
            long deliveredBefore = line.Delivered;
            long before = AllocationTests.AllocatedBytesBaseline();
            line.RunUntil(480_000);
            long allocated = GC.GetAllocatedBytesForCurrentThread() - before;
            _output.WriteLine($"{allocated} B allocated; {line.Delivered - deliveredBefore} readings delivered; relay rejoined {r2.FloodsRejoined - rejoinedBefore} floods");
            Assert.True(r2.FloodsRejoined - rejoinedBefore >= 100, $"{r2.FloodsRejoined - rejoinedBefore} floods rejoined");
            Assert.True(line.Delivered - deliveredBefore >= 100, $"{line.Delivered - deliveredBefore} delivered");
            Assert.Equal(0, allocated);
        }
    }
}
