using System;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Model;
using Mesh.Protocol;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Microsoft.Extensions.Logging.Abstractions;

namespace Mesh.Gateway.Tests
{
    public class MeshGatewayTests
    {
        private sealed class Recorder : IMeshListener
        {
            public readonly List<SensorReading> Readings = new();
            public readonly TaskCompletionSource Got = new(TaskCreationOptions.RunContinuationsAsynchronously);

            public void OnReadings(IReadOnlyList<SensorReading> readings)
            {
                lock (Readings)
                {
                    Readings.AddRange(readings);
                }

                Got.TrySetResult();
            }

            public void OnHeartbeat(NodeHeartbeat heartbeat)
            {
            }

            public void OnCommandOutcome(CommandOutcome outcome)
            {
            }

            public void OnText(ushort network, uint node, string text)
            {
            }

            public void OnFrameRejected(string transport, RejectReason reason)
            {
            }
        }

        [Fact]
        public async Task A_reading_sent_over_real_udp_multicast_on_loopback_reaches_the_gateway_listener()
        {
            int port = 40_000 + Environment.ProcessId % 20_000;
            var options = new UdpMeshOptions { Port = port, TimeToLive = 0 };
            byte[] secret = Convert.FromHexString(TestGateway.KeyHex);
            var key = new NetworkKey(secret, DesktopCrypto.Instance);
            var devices = new DerivedDeviceKeys(secret, DesktopCrypto.Instance);
            var recorder = new Recorder();
            await using var transport = new UdpFrameTransport(options);
            var gateway = new MeshGateway(new NodeConfig { NodeId = 100, Role = NodeRole.Bridge, DeviceKeys = devices }, key, new XorShiftRandom(1),
                new IFrameTransport[] { transport }, new IMeshListener[] { recorder }, new SequenceStore(null), TimeProvider.System,
                NullLogger<MeshGateway>.Instance);
            using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(20));
            Task run = gateway.RunAsync(cts.Token);

            using var sensorUdp = new UdpMeshTransport(options);
            var sensor = new MeshNode(new NodeConfig { NodeId = 7, DeviceKey = devices.KeyOf(7), RequireCheckpointConfirmation = false }, key, new XorShiftRandom(2), 0);
            var set = new ReadingSet();
            set.Add(Quantity.Temperature, 22.25);
            Assert.Equal(SendResult.Queued, sensor.SendReadings(set, 0));
            var frame = new byte[FrameLayout.MaxFrameSize];
            Assert.True(sensor.TryTakeTransmit(0, frame, 0, out int length));
            sensorUdp.Send(frame, 0, length);

            await recorder.Got.Task.WaitAsync(cts.Token);
            cts.Cancel();
            await run;

            SensorReading r = Assert.Single(recorder.Readings);
            Assert.Equal(7u, r.Node);
            Assert.Equal("temperature", r.Quantity);
            Assert.Equal(22.25, r.Value, 6);
            Assert.Equal("°C", r.Unit);
            Assert.Equal(1, r.Hops);
        }
    }
}
