using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;
using static Mesh.Protocol.Tests.Security.Attacks.AttackKit;

namespace Mesh.Protocol.Tests.Security.Attacks
{
    /// <summary>
    /// Attacks 2 and 9: replays that outlive the replay state. A board's tables (64 origins, 256 frames)
    /// cycle in a mesh of more than 64 nodes, and a restarted gateway remembers nothing; the network
    /// time under the MIC refuses what is older than the freshness window anyway.
    /// </summary>
    public class ReplayAfterEvictionTests
    {
        private const uint Board = 1000;
        private const int Origins = 100;

        /// <summary>A board-sized relay (default tables) hearing 100 sensors directly, and a gateway next to it.</summary>
        private static InMemoryMesh Star()
        {
            var mesh = new InMemoryMesh();
            NodeConfig board = InMemoryMesh.Config(Board, NodeRole.Relay);
            Assert.Equal(64, board.ReplayTableSize);
            mesh.Add(board);
            mesh.Add(GatewayConfig());
            mesh.Link(Board, Gateway);
            for (uint o = 0; o < Origins; o++)
            {
                mesh.Add(InMemoryMesh.Config(100 + o, NodeRole.Sensor));
                mesh.Link(100 + o, Board);
                mesh.Link(100 + o, Gateway);
            }

            mesh.AddRadio(Attacker);
            mesh.Link(Attacker, Board);
            mesh.Link(Attacker, Gateway);
            return mesh;
        }

        /// <summary>A gateway's tables are sized for the mesh (as mesh-gateway configures them); a restart empties them.</summary>
        private static NodeConfig GatewayConfig()
        {
            NodeConfig c = InMemoryMesh.Config(Gateway, NodeRole.Bridge);
            c.ReplayTableSize = 1024;
            c.DuplicateCacheSize = 4096;
            c.EventQueueSize = 256;
            return c;
        }

        /// <summary>Every sensor reports once, <paramref name="spacingMs"/> apart; returns the frames as their origins sent them.</summary>
        private static List<byte[]> Round(InMemoryMesh mesh, int spacingMs = 0)
        {
            int first = mesh.Air.Count;
            for (uint o = 0; o < Origins; o++)
            {
                mesh[100 + o].SendReadings(Readings(20 + o), mesh.Now);
                mesh.RunFor(spacingMs);
            }

            mesh.RunFor(1000);
            return mesh.Air.Skip(first)
                .Where(a => a.Node >= 100 && LittleEndian.ReadUInt32(a.Frame, FrameLayout.OffsetOrigin) == a.Node)
                .Select(a => a.Frame).ToList();
        }

        [Fact]
        public void Frames_captured_rounds_earlier_are_refused_by_a_board_whose_tables_have_cycled()
        {
            var mesh = Star();
            List<byte[]> captured = Round(mesh);
            Assert.Equal(Origins, captured.Count);
            for (int round = 0; round < 3; round++)
            {
                mesh.RunFor(60_000); // a report a minute: every origin's entry has been recycled by now
                Round(mesh);
            }

            long acceptedBefore = mesh[Board].Counters.FramesAccepted;
            long relayedBefore = mesh[Board].Counters.RelaysScheduled;
            long staleBefore = mesh[Board].Counters.RejectedFor(RejectReason.Stale);
            foreach (byte[] frame in captured)
            {
                mesh.Inject(Attacker, frame);
            }

            mesh.RunFor(100);
            Assert.Equal(acceptedBefore, mesh[Board].Counters.FramesAccepted);
            Assert.Equal(relayedBefore, mesh[Board].Counters.RelaysScheduled);
            Assert.Equal(staleBefore + Origins, mesh[Board].Counters.RejectedFor(RejectReason.Stale));
        }

        [Fact]
        public void Within_the_window_a_board_refuses_replays_of_origins_its_replay_table_has_evicted()
        {
            // 100 sensors report over 50 s; the 64-origin table has evicted 36 of them. Replayed 5 s
            // later — inside the 30 s freshness window — every frame is refused: by the replay window
            // while the origin is remembered, by the eviction floor once it is not.
            var mesh = Star();
            List<byte[]> captured = Round(mesh, spacingMs: 500);
            mesh.RunFor(5_000);

            long acceptedBefore = mesh[Board].Counters.FramesAccepted;
            foreach (byte[] frame in captured)
            {
                mesh.Inject(Attacker, frame);
            }

            mesh.RunFor(100);
            Assert.Equal(acceptedBefore, mesh[Board].Counters.FramesAccepted);
        }

        [Fact]
        public void A_restarted_gateway_does_not_publish_readings_captured_before_it_stopped()
        {
            var mesh = Star();
            List<byte[]> captured = Round(mesh);
            int delivered = ReadingsDelivered(mesh, Gateway);
            Assert.Equal(Origins, delivered);

            mesh.RunFor(120_000); // the gateway is down for two minutes, then starts from the wall clock
            NodeConfig restarted = GatewayConfig();
            restarted.InitialNetworkTime = TestKeys.Epoch + (uint)(mesh.Now / 1000);
            mesh.Restart(restarted);
            foreach (byte[] frame in captured)
            {
                mesh.Inject(Attacker, frame);
            }

            mesh.RunFor(100);
            Assert.Equal(delivered, ReadingsDelivered(mesh, Gateway));
            Assert.Equal(Origins, mesh[Gateway].Counters.RejectedFor(RejectReason.Stale));
        }

        [Fact]
        public void A_node_adopts_a_later_network_time_but_never_goes_back()
        {
            var mesh = Line();
            uint before = mesh[Sensor].NetworkTime(mesh.Now);
            NodeConfig ahead = InMemoryMesh.Config(Gateway, NodeRole.Bridge);
            ahead.InitialNetworkTime = before + 1000;
            mesh.Restart(ahead);
            mesh[Gateway].SendText(new byte[] { 1 }, 0, 1, NodeAddress.Broadcast, mesh.Now);
            mesh.RunFor(100);
            Assert.True(mesh[Sensor].NetworkTime(mesh.Now) >= before + 1000);

            // An older (but still fresh for its sender) time does not pull it back.
            mesh[Relay].SendText(new byte[] { 2 }, 0, 1, NodeAddress.Broadcast, mesh.Now);
            mesh.RunFor(100);
            Assert.True(mesh[Sensor].NetworkTime(mesh.Now) >= before + 1000);
        }
    }
}
