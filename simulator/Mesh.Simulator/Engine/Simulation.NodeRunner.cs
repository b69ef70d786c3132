using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Runtime;
using Mesh.NodeApp.Sensors;
using Mesh.NodeApp.Settings;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine.NodeApp;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// network.application nodeRunner: sensors and relays run the shipped node application
    /// (Mesh.NodeApp's <see cref="NodeRunner"/>, the loop every board and mesh-node run) instead of the
    /// simulator's own answers to the core's events. The simulator gives it a radio whose queue its CSMA
    /// empties, the node's clock, a simulated sensor and flash in memory, and steps it whenever it asked
    /// to be stepped or a frame arrived. Gateways stay simulated cores with mesh-wide tables.
    /// </summary>
    public sealed partial class Simulation
    {
        private void StartRunner(SimNode node, NodeConfig config, long nowUs)
        {
            var settings = new NodeSettings
            {
                NodeId = node.Id,
                NetworkId = config.NetworkId,
                Key = System.Convert.FromHexString(_scenario.Network.Key),
                Role = config.Role,
                Policy = config.Policy,
                HopLimit = config.HopLimit,
                Encrypt = config.EncryptPayloads,
                ReportIntervalSeconds = (int)(config.ReportIntervalMs / 1000),
                HeartbeatIntervalSeconds = (int)(config.HeartbeatIntervalMs / 1000),
                SequenceStart = config.InitialSequence,
                DeviceKey = _deviceKeys.SecretOf(node.Id),
                NetworkTime = config.InitialNetworkTime,
            };
            var board = new SimulatedBoard();
            var radio = new SimulatedRadio();
            radio.Accepted = (frame, length) => ApplicationFrameQueued(node, frame, length);
            var sensors = new SensorSet(new ISensor[] { new SimulatedSensor(node.Random, node.Id) }, board);
            var runner = new NodeRunner(settings, null, node.Id, _crypto, node.Random, radio, sensors, board, board,
                new SettingsStore(board, board), board, node.Clock.LocalMs(nowUs));
            runner.MessageReceived = e =>
            {
                _metrics.Delivered(node, e, _nowUs);
                MessageDelivered?.Invoke(node, e, _nowUs);
            };
            node.Runner = runner;
            node.RunnerRadio = radio;
            node.Core = runner.Node;
            StepRunner(node);
        }

        /// <summary>The application's own readings are counted as sent when it hands them to the radio.</summary>
        private void ApplicationFrameQueued(SimNode node, byte[] frame, int length)
        {
            if (FrameCodec.TryDecode(frame, 0, length, _header) == RejectReason.None
                && _header.Type == MessageType.Readings && _header.Origin == node.Id && _header.HopsTaken == 0)
            {
                NoteSent(MessageClass.Reading, node, _header.Sequence, _header.Time);
            }
        }

        private void StepRunner(SimNode node)
        {
            node.RunnerNextMs = node.Runner!.Step(node.Clock.LocalMs(_nowUs));
            TryTransmit(node);
            ScheduleWake(node);
        }

        /// <summary>A frame the radio decoded goes to the application's inbox, which the next step feeds to the core.</summary>
        private void ReceiveInRunner(SimNode r, byte[] bytes, int length, int rssi)
        {
            MeshNode core = r.Core!;
            long duplicates = core.Counters.RejectedFor(RejectReason.Duplicate);
            r.Runner!.OnFrameReceived(bytes, 0, length, RssiForCore(r, rssi));
            StepRunner(r);
            _metrics.DuplicatesReceived += core.Counters.RejectedFor(RejectReason.Duplicate) - duplicates;
        }
    }
}
