using System.Linq;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Security.Attacks.AttackKit;

namespace Mesh.Protocol.Tests.Security.Attacks
{
    /// <summary>
    /// Attacks 3 and 5 (4, rewriting hop fields, is pinned bit by bit in Wire/FrameTamperingTests): an
    /// overheard directed frame re-sent with invented previous hops, and echoes of one relayer's copy
    /// cancelling a managed-flooding relay.
    /// </summary>
    public class HopAndRelayAttackTests
    {
        [Fact]
        public void An_overheard_directed_command_re_sent_as_captured_or_with_invented_hops_is_refused_and_teaches_nothing()
        {
            // 1 (gateway) - 2 - 3 (target); 4 overhears 1 and 2 but is not on the path.
            var mesh = Line();
            mesh.Add(InMemoryMesh.Config(4, NodeRole.Relay));
            mesh.Link(4, Gateway);
            mesh.Link(4, Relay);
            mesh.Link(Attacker, 4);
            mesh[Sensor].SendReadings(Readings(20), mesh.Now);
            mesh.RunFor(500);
            mesh[Gateway].SendCommand(Sensor, CommandKind.Ping, new byte[0], 0, 0, mesh.Now, out _);
            mesh.RunFor(500);
            byte[] captured = Captured(mesh, Gateway, MessageType.Command);
            Assert.NotEqual(0u, LittleEndian.ReadUInt32(captured, FrameLayout.OffsetNextHop)); // directed, through 2
            Assert.True(mesh[4].Counters.FramesOverheard >= 1);
            uint routeBefore = mesh[4].Routes.NextHop(Gateway, mesh.Now);

            mesh.Inject(Attacker, captured);
            mesh.RunFor(50);
            Assert.Equal(RejectReason.Duplicate, mesh.Results[4][^1]); // recorded when overheard

            for (uint invented = 0x7000; invented < 0x7010; invented++)
            {
                byte[] forged = (byte[])captured.Clone();
                LittleEndian.WriteUInt32(forged, FrameLayout.OffsetPreviousHop, invented);
                forged[FrameLayout.OffsetHopsTaken] = 0;
                mesh.Inject(Attacker, forged);
                mesh.RunFor(10);
                Assert.NotEqual(RejectReason.None, mesh.Results[4][^1]);
                Assert.False(mesh[4].Neighbours.IsKnown(invented));
            }

            Assert.Equal(routeBefore, mesh[4].Routes.NextHop(Gateway, mesh.Now));
            Assert.Equal(1, CommandsDelivered(mesh, Sensor));
        }

        [Fact]
        public void Echoes_of_one_relayers_copy_do_not_cancel_a_managed_flooding_relay_but_two_distinct_relayers_do()
        {
            NodeConfig Managed(uint id) { NodeConfig c = InMemoryMesh.Config(id, NodeRole.Relay); c.Policy = PolicySettings.Managed(2); return c; }

            // Origin 10 is heard by relays 11 and 12 and by R (20); R waits its contention delay.
            var mesh = new InMemoryMesh();
            mesh.Add(InMemoryMesh.Config(10, NodeRole.Sensor));
            mesh.Add(Managed(11));
            mesh.Add(Managed(12));
            mesh.Add(Managed(20));
            mesh.Link(10, 20, -90); // R hears the origin weakly: it would speak early
            mesh.Link(10, 11);
            mesh.Link(10, 12);
            mesh.AddRadio(Attacker);
            mesh.Link(Attacker, 20);

            // Capture relay 11's copy elsewhere (same frames, a mesh where 11 relays).
            var source = new InMemoryMesh();
            source.Add(InMemoryMesh.Config(10, NodeRole.Sensor));
            source.Add(InMemoryMesh.Config(11, NodeRole.Relay));
            source.Add(InMemoryMesh.Config(12, NodeRole.Relay));
            source.Link(10, 11);
            source.Link(10, 12);
            source[10].SendReadings(Readings(20), source.Now);
            source.RunFor(100);
            byte[] original = source.Air.First(a => a.Node == 10).Frame;
            byte[] via11 = source.Air.First(a => a.Node == 11).Frame;
            byte[] via12 = source.Air.First(a => a.Node == 12).Frame;

            // R takes the original and schedules its relay; the attacker echoes 11's copy twice.
            var r = mesh[20];
            Assert.Equal(RejectReason.None, r.Receive(original, 0, original.Length, -90, 0));
            Assert.Equal(1, r.PendingTransmits);
            r.Receive(via11, 0, via11.Length, -60, 1);
            r.Receive(via11, 0, via11.Length, -60, 1);
            Assert.Equal(0, r.Counters.RelaysCancelled);
            Assert.Equal(1, r.PendingTransmits);

            // A copy from a second, distinct relayer does cancel it (C = 2).
            r.Receive(via12, 0, via12.Length, -60, 1);
            Assert.Equal(1, r.Counters.RelaysCancelled);
            Assert.Equal(0, r.PendingTransmits);
        }
    }
}
