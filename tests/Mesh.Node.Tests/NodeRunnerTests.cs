using System.Linq;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Runtime;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;

namespace Mesh.Node.Tests
{
    /// <summary>Real NodeRunners (each with a real MeshNode) on a shared in-memory channel, in virtual time.</summary>
    public class NodeRunnerTests
    {
        private static ushort Send(Air.Station from, uint to, CommandKind kind, Air air, params byte[] args)
        {
            SendResult r = from.Runner.Node.SendCommand(to, kind, args, 0, args.Length, air.Now, out ushort id);
            Assert.Equal(SendResult.Queued, r);
            return id;
        }

        [Fact]
        public void Sensor_readings_are_reported_on_schedule_and_reach_the_gateway_through_a_relay()
        {
            var air = new Air();
            Air.Station gateway = air.Add(1, NodeRole.Bridge);
            Air.Station relay = air.Add(2, NodeRole.Relay);
            Air.Station sensor = air.Add(3, NodeRole.Sensor, new ScriptedSensor("t"));
            air.Run(35_000); // three 10 s report intervals

            Assert.Equal(4, gateway.Received.Count(r => r.Origin == 3)); // at 0, 10, 20 and 30 s
            Assert.DoesNotContain(relay.Log.Lines, l => l.Level != LogLevel.Info);
            Assert.Equal(LedPattern.Joined, sensor.Runner.Led == LedPattern.Relaying ? LedPattern.Joined : sensor.Runner.Led);
            Assert.True(sensor.Device.WatchdogFeeds > 30, "the loop feeds the watchdog at least once a second");
        }

        [Fact]
        public void Identify_blinks_the_led_for_the_asked_time_and_is_acknowledged()
        {
            var air = new Air();
            Air.Station gateway = air.Add(1, NodeRole.Bridge);
            Air.Station node = air.Add(5, NodeRole.Sensor);
            air.Run(100);
            Send(gateway, 5, CommandKind.Identify, air, 3, 0); // 3 s
            air.Run(500);
            Assert.Equal(LedPattern.Identify, node.Runner.Led);
            Assert.Equal(1, gateway.Runner.Node.Counters.CommandsAcknowledged);
            air.Run(3_000);
            Assert.NotEqual(LedPattern.Identify, node.Runner.Led);
        }

        [Fact]
        public void Reboot_is_acknowledged_first_and_the_board_restarts_after_the_delay()
        {
            var air = new Air();
            Air.Station gateway = air.Add(1, NodeRole.Bridge);
            Air.Station node = air.Add(6, NodeRole.Sensor);
            air.Run(100);
            Send(gateway, 6, CommandKind.Reboot, air);
            air.Run(200);
            Assert.Equal(1, gateway.Runner.Node.Counters.CommandsAcknowledged);
            Assert.Equal(0, node.Device.Reboots);
            air.Run(NodeRunner.RebootDelayMs + 100);
            Assert.Equal(1, node.Device.Reboots);
        }

        [Fact]
        public void Settings_changed_by_the_gateway_are_persisted_for_the_next_boot()
        {
            var air = new Air();
            Air.Station gateway = air.Add(1, NodeRole.Bridge);
            Air.Station node = air.Add(7, NodeRole.Sensor);
            air.Run(100);
            Send(gateway, 7, CommandKind.SetReportInterval, air, 30, 0, 0, 0);
            air.Run(300);
            var policy = new byte[PolicySettings.EncodedSize];
            PolicySettings.Gossip(0.5, 2).Write(policy, 0);
            Send(gateway, 7, CommandKind.SetForwardingPolicy, air, policy);
            air.Run(300);

            Assert.Equal(2, gateway.Runner.Node.Counters.CommandsAcknowledged);
            Assert.Equal(30_000, node.Runner.Node.ReportIntervalMs);
            Assert.Contains("report_interval = 30\n", node.Store.Text);
            Assert.Contains("policy = gossip\n", node.Store.Text);
            Assert.Contains("gossip_k = 2\n", node.Store.Text);
        }

        [Fact]
        public void The_sequence_checkpoint_is_stored_before_the_first_frame_so_a_reboot_never_reuses_a_sequence()
        {
            var air = new Air();
            Air.Station node = air.Add(8, NodeRole.Sensor);
            uint checkpoint = node.Runner.Node.SequenceCheckpoint;
            Assert.True(checkpoint > node.Runner.Node.NextSequence);
            Assert.Contains("sequence_start = " + checkpoint + "\n", node.Store.Text);
        }

        [Fact]
        public void A_radio_that_keeps_refusing_frames_turns_the_led_to_error_and_is_logged_once()
        {
            var air = new Air();
            air.Add(1, NodeRole.Bridge);
            Air.Station node = air.Add(9, NodeRole.Sensor, new ScriptedSensor("t"));
            node.Broken = true;
            air.Run(60_000);
            Assert.Equal(LedPattern.Error, node.Runner.Led);
            Assert.Single(node.Log.Lines, l => l.Message.Contains("refused 5 frames in a row"));
            Assert.True(node.Runner.RadioFailures >= 5);
        }

        [Fact]
        public void An_edge_node_receives_everything_and_never_relays()
        {
            var air = new Air();
            Air.Station edge = air.Add(1, NodeRole.Edge);
            Air.Station a = air.Add(2, NodeRole.Sensor, new ScriptedSensor("t"));
            air.Run(25_000);
            Assert.Equal(3, edge.Received.Count(r => r.Origin == 2)); // at 0, 10 and 20 s
            Assert.Equal(0, edge.Runner.Node.Counters.RelaysScheduled);
        }
    }
}
