using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Mqtt;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;

namespace Mesh.Gateway.Bench
{
    /// <summary>
    /// `mesh-gateway bench`: readings per second from UDP frames in to MQTT messages received by a live
    /// subscriber on the embedded broker, with accept-to-subscriber latency percentiles and loss. The
    /// whole gateway runs as in production (history, outbox, discovery, live feed); frames are sealed
    /// by real sensor nodes beforehand and paced onto the loopback multicast group (TTL 0).
    /// </summary>
    public static class GatewayBenchmark
    {
        public sealed record Result(int Sent, int Received, double Seconds, double ReadingsPerSecond, double P50Ms, double P99Ms, double MaxMs, long DatagramsDroppedBeforeGateway);

        public static async Task<Result> RunAsync(int rate, double seconds, int origins, TextWriter log, CancellationToken ct)
        {
            string dir = Path.Combine(Path.GetTempPath(), "mesh-gateway-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            Directory.CreateDirectory(dir);
            int udpPort = 46_000 + Environment.ProcessId % 1000;
            int brokerPort = FreeTcpPort();
            const string key = "a4c19e0b7d3f5268e1b04c9a2f7d83e6"; // random, as a real key is (weak keys are refused)
            var settings = new Dictionary<string, string?>
            {
                ["Mesh:Key"] = key,
                ["Mesh:SequenceFile"] = Path.Combine(dir, "gw.seq"),
                ["Udp:Port"] = udpPort.ToString(CultureInfo.InvariantCulture),
                ["Udp:TimeToLive"] = "0",
                ["Mqtt:Embedded:Port"] = brokerPort.ToString(CultureInfo.InvariantCulture),
                ["Mqtt:Outbox:Path"] = Path.Combine(dir, "outbox.db"),
                ["History:Path"] = Path.Combine(dir, "history.db"),
                ["Http:Urls"] = "http://127.0.0.1:" + FreeTcpPort().ToString(CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Default"] = "Warning",
            };
            WebApplicationBuilder builder = GatewayApp.CreateBuilder(Array.Empty<string>(), settings);
            GatewayOptions options = OptionsLoader.Load(builder.Configuration, out IReadOnlyList<string> errors);
            if (errors.Count > 0)
            {
                throw new InvalidOperationException(string.Join("; ", errors));
            }

            await using WebApplication app = GatewayApp.Build(builder, options);
            await app.StartAsync(ct).ConfigureAwait(false);
            MqttConnection mqtt = app.Services.GetRequiredService<MqttConnection>();
            while (!mqtt.IsConnected)
            {
                await Task.Delay(20, ct).ConfigureAwait(false);
            }

            int total = (int)(rate * seconds);
            log.WriteLine($"sealing {total:N0} frames from {origins} sensor nodes ...");
            byte[][] frames = SealFrames(key, total, origins, out (uint Origin, uint Sequence)[] ids);
            var index = new Dictionary<(uint, uint), int>(total);
            for (int i = 0; i < total; i++)
            {
                index[ids[i]] = i;
            }

            long[] sentAt = new long[total];
            long[] receivedAt = new long[total];
            int received = 0;
            long lastReceive = 0;
            var done = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);

            using IMqttClient subscriber = new MqttClientFactory().CreateMqttClient();
            subscriber.ApplicationMessageReceivedAsync += e =>
            {
                long now = Stopwatch.GetTimestamp();
                if (!e.ApplicationMessage.Retain && Payloads.TryReadOriginSequence(e.ApplicationMessage.Payload, out uint node, out uint seq)
                    && index.TryGetValue((node, seq), out int i) && Interlocked.CompareExchange(ref receivedAt[i], now, 0) == 0)
                {
                    Volatile.Write(ref lastReceive, now);
                    if (Interlocked.Increment(ref received) == total)
                    {
                        done.TrySetResult();
                    }
                }

                return Task.CompletedTask;
            };
            await subscriber.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort).WithProtocolVersion(MqttProtocolVersion.V500).Build(), ct).ConfigureAwait(false);
            await subscriber.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic("mesh/1/+/temperature").WithAtLeastOnceQoS()).Build(), ct).ConfigureAwait(false);

            using var sender = new UdpMeshTransport(new UdpMeshOptions { Port = udpPort, TimeToLive = 0 });
            log.WriteLine($"sending {total:N0} readings at {rate:N0}/s for {seconds} s ...");
            long start = Stopwatch.GetTimestamp();
            MeshGateway mesh = app.Services.GetRequiredService<MeshGateway>();
            MqttOutbox outbox = app.Services.GetRequiredService<MqttOutbox>();
            using var progress = new Timer(_ => log.WriteLine(
                $"  t={Stopwatch.GetElapsedTime(start).TotalSeconds,5:F1} s  mesh inbox {mesh.InboxDepth,6}  outbox {outbox.Waiting,7}  published {mqtt.Published,8:N0}  received {Volatile.Read(ref received),8:N0}"),
                null, 1000, 1000);
            double perTick = rate / 1000.0;
            int next = 0;
            while (next < total)
            {
                double elapsedMs = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
                int due = Math.Min(total, (int)(elapsedMs * perTick) + 1);
                for (; next < due; next++)
                {
                    sentAt[next] = Stopwatch.GetTimestamp();
                    sender.Send(frames[next], 0, frames[next].Length);
                }

                Thread.Sleep(1); // send in 1 ms bursts: a busy loop would take a core from the gateway
            }

            await Task.WhenAny(done.Task, Task.Delay(TimeSpan.FromSeconds(10), ct)).ConfigureAwait(false);
            double wall = (Volatile.Read(ref lastReceive) - start) / (double)Stopwatch.Frequency;
            var latencies = new List<double>(received);
            for (int i = 0; i < total; i++)
            {
                if (receivedAt[i] != 0)
                {
                    latencies.Add((receivedAt[i] - sentAt[i]) * 1000.0 / Stopwatch.Frequency);
                }
            }

            latencies.Sort();
            double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
            long gatewayIn = mesh.FramesIn.TryGetValue("udp", out long v) ? v : 0;
            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return new Result(total, received, wall, received / wall, P(0.50), P(0.99), latencies.Count > 0 ? latencies[^1] : double.NaN, total - gatewayIn);
        }

        private static byte[][] SealFrames(string keyHex, int total, int origins, out (uint, uint)[] ids)
        {
            var key = new NetworkKey(Convert.FromHexString(keyHex), DesktopCrypto.Instance);
            var nodes = new MeshNode[origins];
            for (int o = 0; o < origins; o++)
            {
                nodes[o] = new MeshNode(new NodeConfig { NodeId = (uint)(1000 + o), TransmitQueueSize = 4, ReportIntervalMs = 0, HeartbeatIntervalMs = long.MaxValue / 4 },
                    key, new XorShiftRandom((uint)(o + 1)), 0);
            }

            var frames = new byte[total][];
            ids = new (uint, uint)[total];
            var set = new ReadingSet();
            var buffer = new byte[FrameLayout.MaxFrameSize];
            for (int i = 0; i < total; i++)
            {
                MeshNode n = nodes[i % origins];
                set.Clear();
                set.Add(Quantity.Temperature, 20 + (i % 1000) / 100.0);
                ids[i] = (n.NodeId, n.NextSequence);
                if (n.SendReadings(set, 0) != SendResult.Queued || !n.TryTakeTransmit(0, buffer, 0, out int length))
                {
                    throw new InvalidOperationException("sensor node refused to seal a frame");
                }

                frames[i] = buffer.AsSpan(0, length).ToArray();
            }

            return frames;
        }

        private static int FreeTcpPort()
        {
            var l = new TcpListener(System.Net.IPAddress.Loopback, 0);
            l.Start();
            int port = ((System.Net.IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }
    }
}
