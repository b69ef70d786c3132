using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Mqtt;
using Mesh.Protocol;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Mesh.Gateway.Demo
{
    /// <summary>
    /// `mesh-gateway-demo bench`: readings per second from UDP frames in to MQTT messages received by a
    /// live subscriber on the embedded broker, with send-to-subscriber latency percentiles and loss — and,
    /// in the same process, on the same broker, at the same offered rate, a raw MQTTnet publisher with
    /// 1,000 messages in flight (QoS 1, retained, a payload of the same size), so the ratio printed is
    /// gateway ÷ what MQTTnet itself manages on this machine right now. Both rounds are preceded by a
    /// warm-up at the same rate that is not measured (JIT, connection and SQLite caches), and both warm-ups
    /// run before either measured round (the two share MQTTnet's code). The whole gateway
    /// runs as in production (history, outbox, discovery, live feed).
    /// </summary>
    public static class GatewayBenchmark
    {
        private const int RawWindow = 1000;

        public sealed record Round(string Name, int Sent, int Received, double Seconds, double PerSecond, double P50Ms, double P99Ms, double MaxMs)
        {
            /// <summary>The whole process's CPU time (user + system) from the round's start until its last message arrived or was given up.</summary>
            public double CpuSeconds { get; init; }
        }

        public static int Run(int rate, double seconds, double warmup, int origins, TextWriter log)
        {
            if (rate < 1 || seconds <= 0 || warmup < 0 || origins < 1)
            {
                Console.Error.WriteLine("mesh-gateway-demo bench: --rate, --seconds and --origins must be positive, --warmup not negative");
                return 2;
            }

            (Round gateway, Round raw) = RunAsync(rate, seconds, warmup, origins, log, CancellationToken.None).GetAwaiter().GetResult();
            log.WriteLine();
            log.WriteLine($"offered {rate:N0} readings/s for {seconds} s after a {warmup} s warm-up; {origins} origins; GC: {(System.Runtime.GCSettings.IsServerGC ? "server" : "workstation")}, {Environment.ProcessorCount} cores");
            log.WriteLine($"{"",-12} {"gateway",16} {"raw MQTTnet",16} {"gateway/raw",12}");
            log.WriteLine($"{"received",-12} {gateway.Received,16:N0} {raw.Received,16:N0}");
            log.WriteLine($"{"lost",-12} {gateway.Sent - gateway.Received,16:N0} {raw.Sent - raw.Received,16:N0}");
            log.WriteLine($"{"per second",-12} {gateway.PerSecond,16:N0} {raw.PerSecond,16:N0} {gateway.PerSecond / raw.PerSecond,12:F2}");
            log.WriteLine($"{"p50 ms",-12} {gateway.P50Ms,16:F2} {raw.P50Ms,16:F2}");
            log.WriteLine($"{"p99 ms",-12} {gateway.P99Ms,16:F2} {raw.P99Ms,16:F2}");
            log.WriteLine($"{"max ms",-12} {gateway.MaxMs,16:F1} {raw.MaxMs,16:F1}");
            // CPU per message: what the work costs, whatever share of the cores other processes left the rounds (on a
            // shared machine the rates above move with the neighbours' load; this moves much less).
            log.WriteLine($"{"CPU s",-12} {gateway.CpuSeconds,16:F2} {raw.CpuSeconds,16:F2}");
            log.WriteLine($"{"CPU us/msg",-12} {gateway.CpuSeconds * 1e6 / Math.Max(1, gateway.Received),16:F1} {raw.CpuSeconds * 1e6 / Math.Max(1, raw.Received),16:F1} {gateway.CpuSeconds / Math.Max(1, gateway.Received) / (raw.CpuSeconds / Math.Max(1, raw.Received)),12:F2}");
            return gateway.Received == gateway.Sent ? 0 : 1;
        }

        public static async Task<(Round Gateway, Round Raw)> RunAsync(int rate, double seconds, double warmup, int origins, TextWriter log, CancellationToken ct)
        {
            string dir = Path.Combine(Path.GetTempPath(), "mesh-gateway-bench-" + Environment.ProcessId.ToString(CultureInfo.InvariantCulture));
            try
            {
                return await RunInAsync(dir, rate, seconds, warmup, origins, log, ct).ConfigureAwait(false);
            }
            finally
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, recursive: true);
                }
            }
        }

        private static async Task<(Round, Round)> RunInAsync(string dir, int rate, double seconds, double warmup, int origins, TextWriter log, CancellationToken ct)
        {
            int udpPort = 46_000 + Environment.ProcessId % 1000;
            int brokerPort = FreeTcpPort();
            const string key = "a4c19e0b7d3f5268e1b04c9a2f7d83e6"; // random, as a real key is (patterned keys are refused)
            var settings = new Dictionary<string, string?>
            {
                ["Mesh:Key"] = key,
                ["Mesh:DeriveDeviceKeys"] = "true",
                ["State:Directory"] = dir,
                ["Udp:Port"] = udpPort.ToString(CultureInfo.InvariantCulture),
                ["Udp:TimeToLive"] = "0",
                ["Mqtt:Embedded:Port"] = brokerPort.ToString(CultureInfo.InvariantCulture),
                ["Http:Urls"] = "http://127.0.0.1:" + FreeTcpPort().ToString(CultureInfo.InvariantCulture),
                ["Logging:LogLevel:Default"] = "Warning",
            };
            WebApplicationBuilder builder = GatewayApp.CreateBuilder(Array.Empty<string>(), settings);
            GatewayOptions options = OptionsLoader.Load(builder.Configuration, out IReadOnlyList<string> errors, allowWeakKey: true); // demo-style: derived device keys
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

            int warm = (int)(rate * warmup);
            int measured = (int)(rate * seconds);
            // Frames carry the network time they were sealed at and the gateway refuses them 30 s later
            // (FreshnessWindowSeconds): the measured ones are sealed just before their round.
            log.WriteLine($"sealing {warm:N0} frames from {origins} sensor nodes ...");
            var frames = new byte[warm + measured][];
            var ids = new (uint Origin, uint Sequence)[frames.Length];
            var nextSequence = new uint[origins];
            Array.Fill(nextSequence, 1u);
            SealFrames(key, frames, ids, 0, warm, origins, nextSequence);
            var index = new ConcurrentDictionary<(uint, uint), int>();
            for (int i = 0; i < warm; i++)
            {
                index[ids[i]] = i;
            }

            var gatewayTimes = new Timings(frames.Length);
            using IMqttClient subscriber = await SubscribeAsync(brokerPort, "mesh/1/+/temperature", payload =>
                Payloads.TryReadOriginSequence(payload, out uint node, out uint seq) && index.TryGetValue((node, seq), out int i) ? i : -1, gatewayTimes, ct).ConfigureAwait(false);

            using var sender = new UdpMeshTransport(new UdpMeshOptions { Port = udpPort, TimeToLive = 0 });
            MeshGateway mesh = app.Services.GetRequiredService<MeshGateway>();
            MqttOutbox outbox = app.Services.GetRequiredService<MqttOutbox>();
            long progressStart = Stopwatch.GetTimestamp();
            using var progress = new Timer(_ => log.WriteLine(
                $"  t={Stopwatch.GetElapsedTime(progressStart).TotalSeconds,5:F1} s  mesh inbox {mesh.InboxDepth,6}  outbox {outbox.Waiting,7}  published {mqtt.Published,8:N0}  received {gatewayTimes.Received,8:N0}  GC pause {GC.GetTotalPauseDuration().TotalMilliseconds,6:F0} ms (gen2 {GC.CollectionCount(2)})"),
                null, 1000, 1000);

            log.WriteLine($"gateway: warm-up {warm:N0} readings at {rate:N0}/s ...");
            await PaceAsync(rate, 0, warm, i => sender.Send(frames[i], 0, frames[i].Length), gatewayTimes, ct).ConfigureAwait(false);
            await gatewayTimes.WaitForAsync(0, warm, ct).ConfigureAwait(false);

            // The same load straight from an MQTTnet client into the same broker: what MQTT alone costs here.
            byte[] sample = Payloads.Reading(new Model.SensorReading(1, 1000, "temperature", 21.5, "°C", DateTimeOffset.UtcNow, 123456, 1, -50));
            var rawTimes = new Timings(warm + measured);
            using IMqttClient rawSubscriber = await SubscribeAsync(brokerPort, "bench/raw/+/temperature", payload =>
                payload.Length >= 4 ? BitConverter.ToInt32(payload.FirstSpan[..4]) : -1, rawTimes, ct).ConfigureAwait(false);
            using IMqttClient publisher = new MqttClientFactory().CreateMqttClient();
            await publisher.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", brokerPort).WithProtocolVersion(MqttProtocolVersion.V500).Build(), ct)
                .ConfigureAwait(false);
            using var window = new SemaphoreSlim(RawWindow);
            string[] rawTopics = new string[origins];
            for (int o = 0; o < origins; o++)
            {
                rawTopics[o] = "bench/raw/" + (1000 + o).ToString(CultureInfo.InvariantCulture) + "/temperature";
            }

            void Publish(int i)
            {
                byte[] payload = new byte[sample.Length];
                sample.CopyTo(payload, 0);
                BitConverter.TryWriteBytes(payload.AsSpan(0, 4), i);
                window.Wait(ct);
                _ = publisher.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(rawTopics[i % origins]).WithPayload(payload).WithRetainFlag(true)
                    .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce).Build(), ct).ContinueWith(_ => window.Release(), TaskScheduler.Default);
            }

            log.WriteLine($"raw MQTTnet: warm-up {warm:N0} messages at {rate:N0}/s with up to {RawWindow} in flight ...");
            await PaceAsync(rate, 0, warm, Publish, rawTimes, ct).ConfigureAwait(false);
            await rawTimes.WaitForAsync(0, warm, ct).ConfigureAwait(false);

            // Both warm-ups come before either measured round: MQTTnet's code (client and broker) is shared by the
            // two rounds, and under load the runtime is still re-compiling it (tiered JIT: a quarter of the
            // process's CPU in a profile of the gateway's measured round when it ran straight after its own
            // warm-up) — measured first, the gateway paid for the raw round's optimised code.
            log.WriteLine($"sealing {measured:N0} frames ...");
            SealFrames(key, frames, ids, warm, frames.Length, origins, nextSequence);
            for (int i = warm; i < frames.Length; i++)
            {
                index[ids[i]] = i;
            }

            await Task.Delay(TimeSpan.FromSeconds(Math.Min(1, warmup)), ct).ConfigureAwait(false);
            log.WriteLine($"gateway: {measured:N0} readings measured at {rate:N0}/s ...");
            long start = Stopwatch.GetTimestamp();
            TimeSpan cpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            await PaceAsync(rate, warm, frames.Length, i => sender.Send(frames[i], 0, frames[i].Length), gatewayTimes, ct).ConfigureAwait(false);
            await gatewayTimes.WaitForAsync(warm, frames.Length, ct).ConfigureAwait(false);
            Round gatewayRound = gatewayTimes.Summarise("gateway", warm, frames.Length, start) with
            {
                CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - cpuStart).TotalSeconds,
            };

            log.WriteLine($"raw MQTTnet: {measured:N0} messages measured at {rate:N0}/s with up to {RawWindow} in flight ...");
            long rawStart = Stopwatch.GetTimestamp();
            TimeSpan rawCpuStart = Process.GetCurrentProcess().TotalProcessorTime;
            await PaceAsync(rate, warm, warm + measured, Publish, rawTimes, ct).ConfigureAwait(false);
            await rawTimes.WaitForAsync(warm, warm + measured, ct).ConfigureAwait(false);
            Round rawRound = rawTimes.Summarise("raw", warm, warm + measured, rawStart) with
            {
                CpuSeconds = (Process.GetCurrentProcess().TotalProcessorTime - rawCpuStart).TotalSeconds,
            };

            await app.StopAsync(CancellationToken.None).ConfigureAwait(false);
            return (gatewayRound, rawRound);
        }

        /// <summary>Sends items [from, to) at <paramref name="rate"/> per second in 1 ms bursts (a busy loop would take a core from the gateway).</summary>
        /// <remarks>
        /// On a thread of its own, for both rounds: it sleeps between bursts, and the raw round's sends block while
        /// 1,000 messages are in flight. As a thread-pool task it held a pool worker for the whole round, so each
        /// round's speed depended on how many workers the pool happened to have grown by then — which the gateway's
        /// own blocking work decided (12 workers when the gateway's loops ran on the pool, 8 once they had threads of
        /// their own; with the pool forced to 12 workers the raw round went from ~11,500 to 16,800-19,900 messages/s).
        /// The messages, rate, window and client are unchanged.
        /// </remarks>
        private static Task PaceAsync(int rate, int from, int to, Action<int> send, Timings times, CancellationToken ct)
        {
            return DedicatedThread.Start("bench pacer", () =>
            {
                long start = Stopwatch.GetTimestamp();
                double perMs = rate / 1000.0;
                int next = from;
                while (next < to)
                {
                    int due = Math.Min(to, from + (int)(Stopwatch.GetElapsedTime(start).TotalMilliseconds * perMs) + 1);
                    for (; next < due; next++)
                    {
                        times.Sent(next);
                        send(next);
                    }

                    Thread.Sleep(1);
                    ct.ThrowIfCancellationRequested();
                }
            });
        }

        private static async Task<IMqttClient> SubscribeAsync(int port, string filter, Func<System.Buffers.ReadOnlySequence<byte>, int> indexOf, Timings times, CancellationToken ct)
        {
            IMqttClient client = new MqttClientFactory().CreateMqttClient();
            client.ApplicationMessageReceivedAsync += e =>
            {
                if (!e.ApplicationMessage.Retain)
                {
                    times.Received_(indexOf(e.ApplicationMessage.Payload));
                }

                return Task.CompletedTask;
            };
            await client.ConnectAsync(new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", port).WithProtocolVersion(MqttProtocolVersion.V500).Build(), ct).ConfigureAwait(false);
            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(filter).WithAtLeastOnceQoS()).Build(), ct).ConfigureAwait(false);
            return client;
        }

        /// <summary>Send and receive timestamps per message index; thread-safe for one sender and one receiver.</summary>
        private sealed class Timings
        {
            private readonly long[] _sent;
            private readonly long[] _received;
            private int _count;
            private long _last;

            public Timings(int n)
            {
                _sent = new long[n];
                _received = new long[n];
            }

            public int Received => Volatile.Read(ref _count);

            public void Sent(int i) => _sent[i] = Stopwatch.GetTimestamp();

            public void Received_(int i)
            {
                long now = Stopwatch.GetTimestamp();
                if (i >= 0 && i < _received.Length && Interlocked.CompareExchange(ref _received[i], now, 0) == 0)
                {
                    Interlocked.Increment(ref _count);
                    Volatile.Write(ref _last, now);
                }
            }

            /// <summary>Waits until every message in [from, to) arrived, or nothing has arrived for 10 s (the rest are lost).</summary>
            public async Task WaitForAsync(int from, int to, CancellationToken ct)
            {
                long idleSince = Stopwatch.GetTimestamp();
                int seen = -1;
                while (true)
                {
                    int missing = 0;
                    for (int i = from; i < to; i++)
                    {
                        missing += Volatile.Read(ref _received[i]) == 0 ? 1 : 0;
                    }

                    if (missing == 0)
                    {
                        return;
                    }

                    if (missing != seen)
                    {
                        seen = missing;
                        idleSince = Stopwatch.GetTimestamp();
                    }
                    else if (Stopwatch.GetElapsedTime(idleSince) > TimeSpan.FromSeconds(10))
                    {
                        return;
                    }

                    await Task.Delay(20, ct).ConfigureAwait(false);
                }
            }

            public Round Summarise(string name, int from, int to, long start)
            {
                var latencies = new List<double>(to - from);
                long last = start;
                for (int i = from; i < to; i++)
                {
                    long r = Volatile.Read(ref _received[i]);
                    if (r != 0)
                    {
                        latencies.Add((r - _sent[i]) * 1000.0 / Stopwatch.Frequency);
                        last = Math.Max(last, r);
                    }
                }

                latencies.Sort();
                double P(double q) => latencies.Count == 0 ? double.NaN : latencies[Math.Min(latencies.Count - 1, (int)(q * latencies.Count))];
                double wall = (last - start) / (double)Stopwatch.Frequency;
                return new Round(name, to - from, latencies.Count, wall, latencies.Count / wall, P(0.50), P(0.99), latencies.Count > 0 ? latencies[^1] : double.NaN);
            }
        }

        /// <summary>Seals frames [from, to) (origin i % origins), stamped with the network time now; <paramref name="nextSequence"/> carries on per origin.</summary>
        private static void SealFrames(string keyHex, byte[][] frames, (uint, uint)[] ids, int from, int to, int origins, uint[] nextSequence)
        {
            var key = new NetworkKey(Convert.FromHexString(keyHex), DesktopCrypto.Instance);
            var deviceKeys = new DerivedDeviceKeys(Convert.FromHexString(keyHex), DesktopCrypto.Instance);
            uint now = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            var nodes = new MeshNode[origins];
            for (int o = 0; o < origins; o++)
            {
                uint id = (uint)(1000 + o);
                nodes[o] = new MeshNode(new NodeConfig
                {
                    NodeId = id, TransmitQueueSize = 4, ReportIntervalMs = 0, HeartbeatIntervalMs = long.MaxValue / 4,
                    DeviceKey = deviceKeys.KeyOf(id), RequireCheckpointConfirmation = false, InitialNetworkTime = now,
                    InitialSequence = nextSequence[o],
                }, key, new XorShiftRandom((uint)(o + 1 + from)), 0);
            }

            var set = new ReadingSet();
            var buffer = new byte[FrameLayout.MaxFrameSize];
            for (int i = from; i < to; i++)
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

            for (int o = 0; o < origins; o++)
            {
                nextSequence[o] = nodes[o].NextSequence;
            }
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
