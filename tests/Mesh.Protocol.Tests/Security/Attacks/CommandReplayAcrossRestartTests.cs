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
    /// Attack 1: a captured reboot (or set-policy) command, re-sent after the target restarted, must not
    /// run again — v1 kept the replay window, duplicate cache and recent-command table only in RAM.
    /// </summary>
    public class CommandReplayAcrossRestartTests
    {
        private static NodeConfig RestartedSensor(InMemoryMesh mesh)
        {
            NodeConfig config = InMemoryMesh.Config(Sensor, NodeRole.Sensor);
            config.InitialCommandCounters = PersistedCounters(mesh, Sensor);
            config.InitialSequence = mesh[Sensor].SequenceCheckpoint;
            config.InitialNetworkTime = mesh[Sensor].NetworkTime(mesh.Now);
            return config;
        }

        [Fact]
        public void A_captured_reboot_replayed_after_each_of_five_restarts_never_runs_again()
        {
            var mesh = Line();
            mesh[Sensor].SendReadings(Readings(20), mesh.Now); // the gateway learns a route
            mesh.RunFor(500);
            Assert.Equal(SendResult.Queued, mesh[Gateway].SendCommand(Sensor, CommandKind.Reboot, new byte[0], 0, 0, mesh.Now, out ushort id));
            mesh.RunFor(500);
            Assert.Equal(1, CommandsDelivered(mesh, Sensor));
            mesh[Sensor].Acknowledge(Gateway, id, CommandStatus.Ok, mesh.Now);
            mesh.RunFor(500);
            byte[] captured = Captured(mesh, Gateway, MessageType.Command);

            for (int restart = 0; restart < 5; restart++)
            {
                mesh.Restart(RestartedSensor(mesh));
                int before = CommandsDelivered(mesh, Sensor);
                mesh.Inject(Attacker, captured);
                mesh.RunFor(200);
                Assert.Equal(before, CommandsDelivered(mesh, Sensor));
            }

            Assert.Equal(1, CommandsDelivered(mesh, Sensor));
        }

        [Fact]
        public void A_replayed_set_policy_command_cannot_switch_relaying_back_after_the_gateway_changed_it_again()
        {
            var mesh = Line();
            mesh[Sensor].SendReadings(Readings(20), mesh.Now);
            mesh.RunFor(500);
            byte[] gossipZero = new byte[PolicySettings.EncodedSize];
            PolicySettings.Gossip(0, 0).Write(gossipZero, 0);
            mesh[Gateway].SendCommand(Sensor, CommandKind.SetForwardingPolicy, gossipZero, 0, gossipZero.Length, mesh.Now, out _);
            mesh.RunFor(1000);
            byte[] captured = Captured(mesh, Gateway, MessageType.Command);
            byte[] flooding = new byte[PolicySettings.EncodedSize];
            PolicySettings.Flooding().Write(flooding, 0);
            mesh[Gateway].SendCommand(Sensor, CommandKind.SetForwardingPolicy, flooding, 0, flooding.Length, mesh.Now, out _);
            mesh.RunFor(1000);
            Assert.Equal(PolicyKind.Flooding, mesh[Sensor].Policy.Settings.Kind);

            NodeConfig config = RestartedSensor(mesh);
            config.Policy = PolicySettings.Flooding();
            // The counter alone: a board restarting with an old stored clock learns when it started only from
            // the fresh frames it hears, so the start floor may not refuse a replay sent first (PROTOCOL.md).
            config.RefuseFramesFromBeforeStart = false;
            mesh.Restart(config);
            mesh.Inject(Attacker, captured);
            mesh.RunFor(200);

            Assert.Equal(RejectReason.CommandReplayed, LastResult(mesh, Sensor));
            Assert.Equal(PolicyKind.Flooding, mesh[Sensor].Policy.Settings.Kind);
        }

        [Fact]
        public void The_command_counter_is_reported_for_persistence_before_the_command_reaches_the_application()
        {
            var mesh = Line();
            mesh[Gateway].SendCommand(Sensor, CommandKind.Reboot, new byte[0], 0, 0, mesh.Now, out _);
            mesh.RunFor(500);

            int counterAt = mesh.Events[Sensor].FindIndex(e => e.Kind == MeshEventKind.SettingsChanged && e.Payload[0] == (byte)SettingsChange.CommandCounter);
            int commandAt = mesh.Events[Sensor].FindIndex(e => e.Kind == MeshEventKind.Message && e.Type == MessageType.Command);
            Assert.True(counterAt >= 0 && commandAt > counterAt, $"counter event at {counterAt}, command at {commandAt}");
        }

        [Fact]
        public void Two_commands_that_overtake_each_other_both_run_once()
        {
            var mesh = Line();
            mesh[Sensor].SendReadings(Readings(20), mesh.Now);
            mesh.RunFor(500);
            mesh[Gateway].SendCommand(Sensor, CommandKind.Ping, new byte[0], 0, 0, mesh.Now, out _);
            mesh[Gateway].SendCommand(Sensor, CommandKind.Identify, new byte[] { 1, 0 }, 0, 2, mesh.Now, out _);
            mesh.RunFor(50);
            var frames = mesh.Air.Where(a => a.Node == Gateway && a.Frame[FrameLayout.OffsetType] == (byte)MessageType.Command).Select(a => a.Frame).ToList();
            Assert.Equal(2, frames.Count);

            // A fresh target hears the later command first, then the earlier one.
            var other = Line();
            other.Inject(Attacker, frames[1]);
            other.RunFor(50);
            other.Inject(Attacker, frames[0]);
            other.RunFor(50);
            Assert.Equal(2, CommandsDelivered(other, Sensor));
        }
    }
}
