using System;
using System.Linq;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.NodeBehaviour
{
    public class CommandTests
    {
        private static NodeConfig Node(uint id, NodeRole role = NodeRole.Relay)
        {
            NodeConfig c = InMemoryMesh.Config(id, role);
            c.CommandTimeoutMs = 500;
            c.CommandMaxAttempts = 3;
            return c;
        }

        /// <summary>A 2 × 4 ladder: 1-2-3-4 on top, 5-6-7-8 below, rungs between them. Bridge 1, target 4.</summary>
        private static InMemoryMesh Ladder()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(Node(1, NodeRole.Bridge));
            for (uint id = 2; id <= 8; id++)
            {
                mesh.Add(Node(id, id == 4 ? NodeRole.Sensor : NodeRole.Relay));
            }

            for (uint i = 1; i <= 3; i++)
            {
                mesh.Link(i, i + 1);
                mesh.Link(i + 4, i + 5);
            }

            for (uint i = 1; i <= 4; i++)
            {
                mesh.Link(i, i + 4, -80); // weaker rungs: the top row is the better path
            }

            return mesh;
        }

        private static void ReportFrom(InMemoryMesh mesh, uint id)
        {
            var set = new ReadingSet();
            set.Add(Quantity.Temperature, 19.5);
            Assert.Equal(SendResult.Queued, mesh[id].SendReadings(set, mesh.Now));
            mesh.RunFor(500);
        }

        /// <summary>
        /// One flood from every node, as heartbeats would do over time: each node then knows its neighbours,
        /// the precondition for a later duplicate to shorten a learned route (PROTOCOL.md, route learning).
        /// </summary>
        private static void Settle(InMemoryMesh mesh)
        {
            for (uint id = 1; id <= 8; id++)
            {
                ReportFrom(mesh, id);
            }
        }

        private static ushort Send(InMemoryMesh mesh, uint from, uint to, CommandKind kind, byte[]? args = null)
        {
            args ??= Array.Empty<byte>();
            Assert.Equal(SendResult.Queued, mesh[from].SendCommand(to, kind, args, 0, args.Length, mesh.Now, out ushort id));
            return id;
        }

        [Fact]
        public void A_command_follows_the_learned_reverse_path_and_its_ack_comes_back()
        {
            var mesh = Ladder();
            Settle(mesh);
            ReportFrom(mesh, 4); // teaches every node a route to 4, and 4 a route to 1
            int before = mesh.Log.Count;
            ushort id = Send(mesh, 1, 4, CommandKind.Ping);
            mesh.RunFor(2000);

            var commandSends = mesh.Log.Skip(before).Where(t => t.Type == MessageType.Command).ToList();
            Assert.Equal(new uint[] { 1, 2, 3 }, commandSends.Select(t => t.Node).ToArray());
            Assert.All(commandSends, t => Assert.NotEqual(0u, t.NextHop));
            var ackSends = mesh.Log.Skip(before).Where(t => t.Type == MessageType.Ack).ToList();
            Assert.Equal(new uint[] { 4, 3, 2 }, ackSends.Select(t => t.Node).ToArray());

            MeshEvent ack = Assert.Single(mesh.Events[1], e => e.Kind == MeshEventKind.CommandAcknowledged);
            Assert.Equal(id, ack.CommandId);
            Assert.Equal(CommandStatus.Ok, ack.CommandStatus);
            Assert.Equal(4u, ack.Origin);
        }

        [Fact]
        public void Core_commands_change_the_targets_policy_and_report_interval()
        {
            var mesh = Ladder();
            ReportFrom(mesh, 4);
            var policy = PolicySettings.Gossip(0.5, 2);
            var args = new byte[PolicySettings.EncodedSize];
            policy.Write(args, 0);
            Send(mesh, 1, 4, CommandKind.SetForwardingPolicy, args);
            var seconds = new byte[4];
            LittleEndian.WriteUInt32(seconds, 0, 90);
            Send(mesh, 1, 4, CommandKind.SetReportInterval, seconds);
            mesh.RunFor(3000);

            Assert.Equal(PolicyKind.Gossip, mesh[4].Policy.Settings.Kind);
            Assert.Equal(2, mesh[4].Policy.Settings.GossipAlwaysHops);
            Assert.Equal(90_000, mesh[4].ReportIntervalMs);
            Assert.Equal(2, mesh.Events[1].Count(e => e.Kind == MeshEventKind.CommandAcknowledged && e.CommandStatus == CommandStatus.Ok));
        }

        [Fact]
        public void An_invalid_argument_is_acknowledged_with_InvalidArgument_and_changes_nothing()
        {
            var mesh = Ladder();
            ReportFrom(mesh, 4);
            Send(mesh, 1, 4, CommandKind.SetReportInterval, new byte[] { 1, 2 });
            mesh.RunFor(2000);

            MeshEvent ack = Assert.Single(mesh.Events[1], e => e.Kind == MeshEventKind.CommandAcknowledged);
            Assert.Equal(CommandStatus.InvalidArgument, ack.CommandStatus);
            Assert.Equal(0, mesh[4].ReportIntervalMs);
        }

        [Fact]
        public void An_application_command_is_delivered_and_acknowledged_by_the_application()
        {
            var mesh = Ladder();
            ReportFrom(mesh, 4);
            ushort id = Send(mesh, 1, 4, CommandKind.Identify, new byte[] { 10, 0 });
            mesh.RunFor(200);

            MeshEvent cmd = Assert.Single(mesh.Events[4], e => e.Type == MessageType.Command);
            Assert.Equal(CommandKind.Identify, CommandCodec.Kind(cmd.Payload, 0));
            Assert.Equal(id, CommandCodec.CommandId(cmd.Payload, 0));
            Assert.DoesNotContain(mesh.Events[1], e => e.Kind == MeshEventKind.CommandAcknowledged);

            Assert.Equal(SendResult.Queued, mesh[4].Acknowledge(1, id, CommandStatus.Ok, mesh.Now));
            mesh.RunFor(500);
            Assert.Single(mesh.Events[1], e => e.Kind == MeshEventKind.CommandAcknowledged && e.CommandId == id);
        }

        [Fact]
        public void When_the_path_breaks_the_retry_floods_around_and_the_command_runs_once()
        {
            // Ring 1-2-3-4-5-6-1; the route 1 -> 4 goes through 2 and 3 (learnt from 4's report).
            var mesh = new InMemoryMesh();
            mesh.Add(Node(1, NodeRole.Bridge));
            for (uint n = 2; n <= 6; n++)
            {
                mesh.Add(Node(n, n == 4 ? NodeRole.Sensor : NodeRole.Relay));
            }

            for (uint i = 1; i <= 6; i++)
            {
                mesh.Link(i, i % 6 + 1, i <= 3 ? -50 : -85);
            }

            ReportFrom(mesh, 4);
            uint firstHop = mesh[1].Routes.NextHop(4, mesh.Now);
            Assert.True(firstHop == 2 || firstHop == 6);
            mesh.Kill(firstHop);
            ushort id = Send(mesh, 1, 4, CommandKind.Identify, new byte[] { 5, 0 });
            mesh.RunFor(1200);
            // The directed attempt died with the relay; the flooded retry (after 500 ms) went round the
            // other way. The application acknowledges it.
            MeshEvent cmd = Assert.Single(mesh.Events[4], e => e.Type == MessageType.Command);
            mesh[4].Acknowledge(1, id, CommandStatus.Ok, mesh.Now);
            mesh.RunFor(5000);

            Assert.Single(mesh.Events[4], e => e.Type == MessageType.Command);
            Assert.Single(mesh.Events[1], e => e.Kind == MeshEventKind.CommandAcknowledged && e.CommandId == id);
            Assert.True(mesh[1].Counters.CommandRetries >= 1);
            Assert.Equal(0u, mesh[1].Routes.NextHop(4, mesh.Now) == firstHop ? 1u : 0u);
        }

        [Fact]
        public void A_retried_command_is_executed_once_and_every_copy_is_re_acknowledged()
        {
            var mesh = InMemoryMesh.Line(2, id => Node(id, id == 1 ? NodeRole.Bridge : NodeRole.Sensor));
            ushort id = Send(mesh, 1, 2, CommandKind.Ping);
            // Swallow the first ack: the command is already on air at t = 0; unlink so the ack sent at
            // t = 1 is lost, and relink before the retry.
            mesh.RunFor(0);
            mesh.Unlink(1, 2);
            mesh.RunFor(400);
            mesh.Link(1, 2);
            mesh.RunFor(3000);

            Assert.Equal(2, mesh.Log.Count(t => t.Node == 1 && t.Type == MessageType.Command));
            Assert.Equal(2, mesh.Log.Count(t => t.Node == 2 && t.Type == MessageType.Ack));
            Assert.Single(mesh.Events[1], e => e.Kind == MeshEventKind.CommandAcknowledged && e.CommandId == id);
        }

        [Fact]
        public void Retries_stop_after_the_configured_attempts_with_one_timeout_event()
        {
            var mesh = InMemoryMesh.Line(3, id => Node(id, id == 1 ? NodeRole.Bridge : NodeRole.Relay));
            ushort id = Send(mesh, 1, 77, CommandKind.Ping); // nobody has id 77
            mesh.RunFor(60_000);

            Assert.Equal(3, mesh.Log.Count(t => t.Node == 1 && t.Type == MessageType.Command));
            MeshEvent timeout = Assert.Single(mesh.Events[1], e => e.Kind == MeshEventKind.CommandTimedOut);
            Assert.Equal(id, timeout.CommandId);
            Assert.Equal(77u, timeout.Origin);
            Assert.Equal(long.MaxValue, mesh[1].NextTransmitMs);
            Assert.True(mesh[1].NextWakeMs > mesh.Now + 1_000_000, "no command deadline left");
        }

        [Fact]
        public void A_full_set_of_command_slots_refuses_a_new_command_instead_of_dropping_one()
        {
            // Only a gateway (a bridge holding the target's device key) can send commands at all.
            var mesh = new InMemoryMesh();
            mesh.Add(Node(1, NodeRole.Bridge));
            mesh.Add(Node(2, NodeRole.Sensor));
            mesh.Link(1, 2);
            for (int i = 0; i < new NodeConfig().PendingCommandSlots; i++)
            {
                Send(mesh, 1, 2, CommandKind.Ping);
            }

            Assert.Equal(SendResult.NoCommandSlot, mesh[1].SendCommand(2, CommandKind.Ping, Array.Empty<byte>(), 0, 0, mesh.Now, out _));
        }

        [Fact]
        public void A_node_without_command_slots_refuses_to_send_one_and_still_executes_and_acknowledges_what_it_receives()
        {
            // The board application sends no commands and keeps no commander state (PendingCommandSlots = 0).
            var mesh = new InMemoryMesh();
            mesh.Add(Node(1, NodeRole.Bridge));
            NodeConfig sensor = Node(2, NodeRole.Sensor);
            sensor.PendingCommandSlots = 0;
            Assert.Null(sensor.Validate());
            mesh.Add(sensor);
            mesh.Link(1, 2);

            Assert.Equal(SendResult.NoCommandSlot, mesh[2].SendCommand(1, CommandKind.Ping, Array.Empty<byte>(), 0, 0, mesh.Now, out _));
            byte[] args = { 30, 0, 0, 0 };
            Assert.Equal(SendResult.Queued, mesh[1].SendCommand(2, CommandKind.SetReportInterval, args, 0, 4, mesh.Now, out ushort id));
            mesh.RunFor(2_000);

            Assert.Equal(30_000, mesh[2].ReportIntervalMs);
            Assert.Contains(mesh.Events[1], e => e.Kind == MeshEventKind.CommandAcknowledged && e.CommandId == id);
            NodeConfig negative = Node(3, NodeRole.Sensor);
            negative.PendingCommandSlots = -1;
            Assert.Equal("PendingCommandSlots: must be 0 (this node sends no commands) or more", negative.Validate());
        }

        [Fact]
        public void A_command_the_core_handles_is_still_handed_to_the_application_intact_so_it_can_persist_the_change()
        {
            var mesh = new InMemoryMesh();
            mesh.Add(Node(1, NodeRole.Bridge));
            mesh.Add(Node(2, NodeRole.Sensor));
            mesh.Link(1, 2);
            byte[] args = { 30, 0, 0, 0 };
            Assert.Equal(SendResult.Queued, mesh[1].SendCommand(2, CommandKind.SetReportInterval, args, 0, 4, mesh.Now, out ushort id));
            mesh.RunFor(500);

            Assert.Equal(30_000, mesh[2].ReportIntervalMs);
            MeshEvent e = Assert.Single(mesh.Events[2], x => x.Kind == MeshEventKind.Message && x.Type == MessageType.Command);
            Assert.Equal(id, CommandCodec.CommandId(e.Payload, 0));
            Assert.Equal(CommandKind.SetReportInterval, CommandCodec.Kind(e.Payload, 0));
            Assert.Equal(4, CommandCodec.ArgLength(e.Payload, 0));
            Assert.Equal(30u, LittleEndian.ReadUInt32(e.Payload, CommandCodec.HeaderSize));
            Assert.Contains(mesh.Events[1], x => x.Kind == MeshEventKind.CommandAcknowledged && x.CommandId == id);
        }
    }
}
