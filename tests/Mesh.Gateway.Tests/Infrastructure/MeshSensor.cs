using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>
    /// A desktop-emulated sensor node: a real <see cref="MeshNode"/> on the loopback UDP mesh, driven by
    /// a small loop of its own — it answers commands addressed to it, as a board would.
    /// </summary>
    public sealed class MeshSensor : IAsyncDisposable
    {
        private readonly MeshNode _node;
        private readonly UdpMeshTransport _udp;
        private readonly object _lock = new();
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _loop;
        private readonly long _start = Environment.TickCount64;
        private readonly MeshEvent _event = new();
        private readonly byte[] _tx = new byte[FrameLayout.MaxFrameSize];
        private Func<uint, int>? _rssiFrom;

        public MeshSensor(uint id, int udpPort, string keyHex = TestGateway.KeyHex, ushort network = 1, long heartbeatIntervalMs = 3_600_000)
            : this(id, udpPort, new NetworkKey(Convert.FromHexString(keyHex), DesktopCrypto.Instance),
                // Provisioned as the gateway's demo/test mode derives device keys.
                new DerivedDeviceKeys(Convert.FromHexString(keyHex), DesktopCrypto.Instance).KeyOf(id), network, 0, heartbeatIntervalMs)
        {
        }

        /// <summary>A sensor provisioned from a registry: its own network key (and index) and device key.</summary>
        /// <param name="initialSequence">Where its sequence starts (0: the default); a restarted node starts above what it sent before.</param>
        public MeshSensor(uint id, int udpPort, NetworkKey key, DeviceKey deviceKey, ushort network = 1, uint initialSequence = 0, long heartbeatIntervalMs = 3_600_000)
        {
            Key = key;
            // Its clock is the wall clock.
            _node = new MeshNode(new NodeConfig
            {
                NodeId = id, NetworkId = network, Role = NodeRole.Sensor, ReportIntervalMs = 0, HeartbeatIntervalMs = heartbeatIntervalMs,
                TransmitQueueSize = 64, // tests report from several sensors at once, and each schedules relays of the others' frames
                DeviceKey = deviceKey, RequireCheckpointConfirmation = false,
                InitialSequence = initialSequence == 0 ? new NodeConfig().InitialSequence : initialSequence,
                Crypto = DesktopCrypto.Instance, // builds network keys received by command (key refresh)
                InitialNetworkTime = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds(),
            }, Key, new XorShiftRandom(id), 0);
            _udp = new UdpMeshTransport(new UdpMeshOptions { Port = udpPort, TimeToLive = 0 });
            _loop = Task.Run(LoopAsync);
        }

        public NetworkKey Key { get; }

        public uint Id => _node.NodeId;

        /// <summary>Every frame this sensor transmitted, in order (for replay tests).</summary>
        public List<byte[]> Sent { get; } = new();

        public List<(CommandKind Kind, ushort Id)> CommandsReceived { get; } = new();

        private long Now => Environment.TickCount64 - _start;

        /// <summary>Sends one reading set; returns the sequence it went out under.</summary>
        public uint Report(params (Quantity Q, double V)[] values)
        {
            var set = new ReadingSet();
            foreach ((Quantity q, double v) in values)
            {
                set.Add(q, v);
            }

            lock (_lock)
            {
                uint seq = _node.NextSequence;
                SendResult r = _node.SendReadings(set, Now);
                if (r != SendResult.Queued)
                {
                    throw new InvalidOperationException("sensor refused to send: " + r);
                }

                Flush();
                return seq;
            }
        }

        /// <summary>Sends text (network-sealed, as by default) to <paramref name="destination"/> (0xFFFFFFFF: everyone).</summary>
        public void Text(string text, uint destination = NodeAddress.Broadcast)
        {
            byte[] bytes = System.Text.Encoding.UTF8.GetBytes(text);
            lock (_lock)
            {
                SendResult r = _node.SendText(bytes, 0, bytes.Length, destination, Now);
                if (r != SendResult.Queued)
                {
                    throw new InvalidOperationException("sensor refused to send text: " + r);
                }

                Flush();
            }
        }

        /// <summary>Runs <paramref name="action"/> on the node under the sensor's lock (to read or set its key ring).</summary>
        public T With<T>(Func<MeshNode, T> action)
        {
            lock (_lock)
            {
                return action(_node);
            }
        }

        /// <summary>Key changes the core reported (SettingsChanged, NetworkKey): (index, phase).</summary>
        public List<(int Index, int Phase)> KeyChanges { get; } = new();

        /// <summary>Device key indexes the core switched to (SettingsChanged, DeviceKey).</summary>
        public List<int> DeviceKeyChanges { get; } = new();

        /// <summary>Frames this predicate picks are not sent (a lost frame); set under <see cref="With{T}"/> or before traffic.</summary>
        public Func<byte[], bool>? DropWhen { get; set; }

        /// <summary>
        /// The RSSI this sensor hears a frame at, by the frame's previous hop (UDP has no signal strength;
        /// the default is -55 dBm from everyone): lets a test lay out a radio geometry.
        /// </summary>
        public Func<uint, int>? RssiFrom
        {
            get { lock (_lock) { return _rssiFrom; } }
            set { lock (_lock) { _rssiFrom = value; } }
        }

        /// <summary>Every frame this sensor received from the group (its own copies included), in order.</summary>
        public List<byte[]> Heard
        {
            get { lock (_lock) { return new List<byte[]>(_heard); } }
        }

        private readonly List<byte[]> _heard = new();

        /// <summary>Sends raw bytes on the mesh group, as an attacker or a broken node would.</summary>
        public void SendRaw(byte[] frame) => _udp.Send(frame, 0, frame.Length);

        private void Flush()
        {
            while (_node.TryTakeTransmit(Now, _tx, 0, out int n))
            {
                byte[] copy = _tx.AsSpan(0, n).ToArray();
                if (DropWhen?.Invoke(copy) == true)
                {
                    continue;
                }

                Sent.Add(copy);
                _udp.Send(copy, 0, n);
            }
        }

        private async Task LoopAsync()
        {
            var buffer = new byte[FrameLayout.MaxFrameSize + 1];
            Task<int>? receive = null;
            while (!_stop.IsCancellationRequested)
            {
                receive ??= _udp.ReceiveAsync(buffer, _stop.Token).AsTask();
                Task done = await Task.WhenAny(receive, Task.Delay(20, _stop.Token)).ConfigureAwait(false);
                lock (_lock)
                {
                    if (done == receive && receive.IsCompletedSuccessfully)
                    {
                        int length = receive.Result;
                        int rssi = _rssiFrom != null && length >= FrameLayout.HeaderSize
                            ? _rssiFrom(LittleEndian.ReadUInt32(buffer, FrameLayout.OffsetPreviousHop)) : -55;
                        _heard.Add(buffer.AsSpan(0, length).ToArray());
                        _node.Receive(buffer, 0, length, rssi, Now);
                        receive = null;
                    }

                    _node.Poll(Now);
                    while (_node.TryTakeEvent(_event))
                    {
                        if (_event.Kind == MeshEventKind.SettingsChanged && _event.Payload[0] == (byte)SettingsChange.NetworkKey)
                        {
                            KeyChanges.Add((_event.Payload[1], _event.Payload[2]));
                        }

                        if (_event.Kind == MeshEventKind.SettingsChanged && _event.Payload[0] == (byte)SettingsChange.DeviceKey)
                        {
                            DeviceKeyChanges.Add(_event.Payload[1]);
                        }

                        if (_event.Kind == MeshEventKind.Message && _event.Type == MessageType.Command && _event.Destination == _node.NodeId)
                        {
                            CommandKind kind = CommandCodec.Kind(_event.Payload, 0);
                            ushort id = CommandCodec.CommandId(_event.Payload, 0);
                            CommandsReceived.Add((kind, id));
                            if (!CommandCodec.IsHandledByCore(kind))
                            {
                                _node.Acknowledge(_event.Origin, id, CommandStatus.Ok, Now);
                            }
                        }
                    }

                    Flush();
                }

                if (receive != null && receive.IsFaulted)
                {
                    receive = null;
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            _stop.Cancel();
            try
            {
                await _loop.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
            }

            _udp.Dispose();
        }
    }
}
