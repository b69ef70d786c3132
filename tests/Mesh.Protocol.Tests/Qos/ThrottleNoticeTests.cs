using System;
using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.Qos
{
    /// <summary>
    /// PROTOCOL.md, "Per-origin fair share": the throttled origin learns it is being throttled. Structured
    /// nodes say so in their beacons; a node under flooding, gossip or managed flooding (what boards ship
    /// with) sends no beacons, so it sends a throttle notice — a one-hop beacon with only the QoS fields —
    /// at most once every 30 s.
    /// </summary>
    public class ThrottleNoticeTests
    {
        [Fact]
        public void A_notice_is_a_21_byte_beacon_without_route_or_neighbours_carrying_the_qos_fields()
        {
            var b = new byte[Beacon.FixedSize];
            int n = Beacon.EncodeNotice(b, 0, (int)NodeRole.Relay, congested: true, utilisation: 51, throttled: 0x01020304, throttledCount: 70_000);

            Assert.Equal(21, n);
            // flags (congested) · role · cost FFFF · hops FF · parent 0 · gateway 0 · utilisation · throttled · n 65535 (saturated) · 0 neighbours
            Assert.Equal("04" + ((int)NodeRole.Relay).ToString("x2") + "ffff" + "ff" + "00000000" + "00000000" + "33" + "04030201" + "ffff" + "00",
                Convert.ToHexString(b).ToLowerInvariant());

            var full = new Beacon();
            Assert.True(full.TryDecode(b, 0, n));
            Assert.Equal(0x01020304u, full.Throttled);
            Assert.Equal(Beacon.NoCost, full.Cost);
            Assert.False(full.IsGateway);
        }

        [Fact]
        public void The_throttle_fields_are_read_from_any_well_formed_beacon_and_malformed_ones_are_refused()
        {
            var beacon = new Beacon { Cost = 300, Hops = 2, Parent = 9, Gateway = 1, Throttled = 77, ThrottledCount = 12, NeighbourCount = 2 };
            beacon.NeighbourIds[0] = 5;
            beacon.NeighbourIds[1] = 6;
            var b = new byte[Beacon.MaxSize];
            int n = beacon.Encode(b, 0);

            Assert.True(Beacon.TryReadThrottle(b, 0, n, out uint throttled, out int count));
            Assert.Equal(77u, throttled);
            Assert.Equal(12, count);
            Assert.False(Beacon.TryReadThrottle(b, 0, n - 1, out _, out _)); // wrong length for its n
            Assert.False(Beacon.TryReadThrottle(b, 0, 20, out _, out _));
            b[0] = 0x80; // a reserved flag bit
            Assert.False(Beacon.TryReadThrottle(b, 0, n, out _, out _));
        }

        [Theory]
        [InlineData(Forwarding.PolicyKind.Flooding)]
        [InlineData(Forwarding.PolicyKind.ManagedFlooding)]
        public void Under_a_pure_mesh_policy_the_throttled_origin_hears_a_notice_at_most_every_30_s(Forwarding.PolicyKind kind)
        {
            const uint Babbler = 1, Relay = 2, Gateway = 3;
            var mesh = new InMemoryMesh();
            NodeConfig babbler = InMemoryMesh.Config(Babbler, NodeRole.Sensor);
            babbler.DutyCyclePermille = 1000;
            babbler.TransmitQueueSize = 64;
            babbler.Policy = Policy(kind);
            mesh.Add(babbler);
            NodeConfig relay = InMemoryMesh.Config(Relay, NodeRole.Relay);
            relay.Policy = Policy(kind);
            mesh.Add(relay);
            mesh.Add(InMemoryMesh.Config(Gateway, NodeRole.Bridge));
            mesh.Link(Babbler, Relay);
            mesh.Link(Relay, Gateway);

            const long durationMs = 120_000;
            var set = new ReadingSet();
            for (long t = 0; t < durationMs; t += 20)
            {
                set.Clear();
                set.AddRaw(Quantity.Temperature, (int)(t % 5000));
                mesh[Babbler].SendReadings(set, mesh.Now);
                mesh.RunFor(20);
            }

            long notices = mesh[Relay].Counters.ThrottleNoticesSent;
            Assert.InRange(notices, 1, durationMs / MeshNode.ThrottleNoticeIntervalMs + 1);
            Assert.Equal(notices, mesh.Log.Count(x => x.Node == Relay && x.Type == MessageType.Beacon));
            // The babbler heard them, and counted the frames they name.
            Assert.True(mesh[Babbler].Counters.ThrottledByNeighbours > 100,
                $"the babbler learnt of {mesh[Babbler].Counters.ThrottledByNeighbours} throttled frames");
            Assert.True(mesh[Babbler].Counters.ThrottledByNeighbours <= mesh[Relay].Counters.ThrottledFrames);
        }

        private static Forwarding.PolicySettings Policy(Forwarding.PolicyKind kind) =>
            kind == Forwarding.PolicyKind.Flooding ? Forwarding.PolicySettings.Flooding() : Forwarding.PolicySettings.Managed(2);
    }
}
