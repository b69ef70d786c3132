using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Text;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Model;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet;
using MQTTnet.Formatter;
using MQTTnet.Protocol;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>
    /// The gateway's MQTT client: connects (and reconnects) to the broker with a last will, publishes
    /// the outbox in order at QoS 1 and deletes each message only once acknowledged, and takes commands,
    /// Home Assistant's birth message and the other gateways' presence and readings in.
    /// </summary>
    public sealed partial class MqttConnection : BackgroundService, IMetricsSource
    {
        // Publishes in flight on the one connection. MQTTnet's client matches every PUBACK against its list of
        // waiting publishes one by one (MqttPacketDispatcher.TryDispatch scans the whole list, and the list's
        // Remove scans it again), so a window of W costs O(W) per message: 1,000 in flight spent more CPU in
        // that scan than in the rest of the publish. 128 keeps a loopback or LAN broker busy (at a 1 ms round
        // trip, 128,000 messages/s) for an eighth of that cost.
        private const int Window = 128;
        private static readonly double[] LatencyBucketsMs = { 1, 2, 5, 10, 25, 50, 100, 250, 1000, 5000 };

        private readonly MqttSettings _settings;
        private readonly MqttOutbox _outbox;
        private readonly MqttBridge _bridge;
        private readonly GatewayRoster _roster;
        private readonly MeshGateway _mesh;
        private readonly ILogger _logger;
        private readonly ILogger _commandLog;
        private readonly IMqttClient _client;
        private readonly CoalescingClientAdapterFactory _adapters = new();
        private readonly TopicTree _topics;
        private readonly uint _gatewayNode;
        private readonly long[] _latencyBuckets = new long[LatencyBucketsMs.Length + 1];
        private double _latencySumMs;
        private long _latencyCount;
        private long _published;
        private long _connects;
        private volatile bool _connected;

        public MqttConnection(MqttSettings settings, MqttOutbox outbox, MqttBridge bridge, GatewayRoster roster, MeshGateway mesh, ILogger<MqttConnection> logger,
            ILoggerFactory loggers)
        {
            _commandLog = loggers.CreateLogger("Mesh.Gateway.Commands");
            _settings = settings;
            _outbox = outbox;
            _bridge = bridge;
            _roster = roster;
            _mesh = mesh;
            _logger = logger;
            _topics = bridge.Topics;
            _gatewayNode = mesh.NodeId;
            _client = new MqttClientFactory().CreateMqttClient(_adapters);
            _client.ApplicationMessageReceivedAsync += OnMessageAsync;
        }

        /// <summary>Key refresh and device key rotation over MQTT (set by the host; null: not offered).</summary>
        public MqttKeyCommands? KeyCommands { get; set; }

        public bool IsConnected => _connected;

        public long Published => Interlocked.Read(ref _published);

        public string BrokerDescription => (_settings.IsEmbedded ? _settings.Embedded.LocalConnectAddress : _settings.Host) + ":" +
            (_settings.IsEmbedded ? _settings.Embedded.Port : _settings.Port).ToString(CultureInfo.InvariantCulture);

        protected override async Task ExecuteAsync(CancellationToken stoppingToken)
        {
            int failures = 0;
            DateTime lastWarning = DateTime.MinValue;
            while (!stoppingToken.IsCancellationRequested)
            {
                try
                {
                    await ConnectAsync(stoppingToken).ConfigureAwait(false);
                    failures = 0;
                    await PumpAsync(stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
                {
                    break;
                }
                catch (Exception ex)
                {
                    _connected = false;
                    failures++;
                    // Retry every Mqtt:ReconnectDelayMs, but say so with back-off: the 1st, 2nd, 4th, 8th ...
                    // failure of an outage, then at most once a minute — not a warning every 2 s for hours.
                    bool power = (failures & (failures - 1)) == 0;
                    if (power || DateTime.UtcNow - lastWarning >= TimeSpan.FromMinutes(1))
                    {
                        lastWarning = DateTime.UtcNow;
                        _logger.LogWarning("MQTT broker {Broker}: {Reason}; {Waiting} messages kept in the outbox; retrying every {Delay} ms ({Failures} failed attempts so far)",
                            BrokerDescription, ex.Message, _outbox.Waiting, _settings.ReconnectDelayMs, failures);
                    }
                }

                try
                {
                    await Task.Delay(_settings.ReconnectDelayMs, stoppingToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                    break;
                }
            }

            await DisconnectCleanlyAsync().ConfigureAwait(false);
        }

        private MqttClientOptions ClientOptions()
        {
            var b = new MqttClientOptionsBuilder()
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(_settings.ClientId ?? "mesh-gateway-" + _gatewayNode.ToString(CultureInfo.InvariantCulture))
                .WithCleanStart(true)
                .WithKeepAlivePeriod(TimeSpan.FromSeconds(15))
                .WithTimeout(TimeSpan.FromSeconds(10))
                .WithWillTopic(_topics.GatewayStatus(_gatewayNode))
                .WithWillPayload("offline")
                .WithWillRetain(true)
                .WithWillQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce);
            if (_settings.IsEmbedded)
            {
                b.WithTcpServer(_settings.Embedded.LocalConnectAddress, _settings.Embedded.Port);
                if (_settings.Embedded.Username != null)
                {
                    b.WithCredentials(_settings.Embedded.Username, _settings.Embedded.Password);
                }
            }
            else
            {
                b.WithTcpServer(_settings.Host, _settings.Port);
                if (_settings.Username != null)
                {
                    b.WithCredentials(_settings.Username, _settings.Password);
                }

                if (_settings.Tls)
                {
                    b.WithTlsOptions(t => t.UseTls(true).WithTargetHost(_settings.Host).WithAllowUntrustedCertificates(_settings.AllowUntrustedCertificates)
                        .WithCertificateValidationHandler(_settings.AllowUntrustedCertificates ? _ => true : null!));
                }
            }

            return b.Build();
        }

        private async Task ConnectAsync(CancellationToken ct)
        {
            MqttClientConnectResult result = await _client.ConnectAsync(ClientOptions(), ct).ConfigureAwait(false);
            if (result.ResultCode != MqttClientConnectResultCode.Success)
            {
                throw new InvalidOperationException("connection refused: " + result.ResultCode + (result.ReasonString is { } s ? " (" + s + ")" : ""));
            }

            _connected = true;
            _connects++;
            _logger.LogInformation("MQTT broker {Broker}: connected; {Waiting} messages waiting in the outbox", BrokerDescription, _outbox.Waiting);

            var subscribe = new MqttClientSubscribeOptionsBuilder()
                // Every network's command topics: ours are run (or answered with what is wrong), others are logged as not ours.
                // Retain-as-published: a retained command must be recognisable as such, to be refused.
                .WithTopicFilter(f => f.WithTopic(_topics.Prefix + "/+/+/cmd/#").WithAtLeastOnceQoS().WithNoLocal(true).WithRetainAsPublished(true))
                .WithTopicFilter(f => f.WithTopic(_topics.Prefix + "/" + _topics.Network.ToString(CultureInfo.InvariantCulture) + "/gateway/+/status").WithAtLeastOnceQoS().WithNoLocal(true))
                .WithTopicFilter(f => f.WithTopic(_topics.Prefix + "/" + _topics.Network.ToString(CultureInfo.InvariantCulture) + "/+/+").WithAtMostOnceQoS().WithNoLocal(true));
            if (_settings.Discovery)
            {
                subscribe.WithTopicFilter(f => f.WithTopic(_topics.HomeAssistantStatus).WithAtLeastOnceQoS());
            }

            await _client.SubscribeAsync(subscribe.Build(), ct).ConfigureAwait(false);
            await PublishDirectAsync(_topics.GatewayStatus(_gatewayNode), Payloads.Utf8("online"), true, ct).ConfigureAwait(false);
            await AnnounceAsync(ct).ConfigureAwait(false);
        }

        /// <summary>Sends every discovery config again: the broker may be a new one, or Home Assistant restarted.</summary>
        private async Task AnnounceAsync(CancellationToken ct)
        {
            if (_settings.Discovery)
            {
                await PublishDirectAsync(HomeAssistantDiscovery.GatewayConfigTopic(_topics, _gatewayNode), HomeAssistantDiscovery.GatewayConfig(_topics, _gatewayNode), true, ct)
                    .ConfigureAwait(false);
            }

            foreach ((string topic, byte[] payload) in _bridge.DiscoveryConfigs())
            {
                await PublishDirectAsync(topic, payload, true, ct).ConfigureAwait(false);
            }
        }

        private async Task PublishDirectAsync(string topic, byte[] payload, bool retain, CancellationToken ct)
        {
            MqttClientPublishResult r = await _client.PublishAsync(Message(topic, payload, retain), ct).ConfigureAwait(false);
            if (!r.IsSuccess)
            {
                throw new InvalidOperationException($"publish to {topic} refused: {r.ReasonCode}");
            }
        }

        private static MqttApplicationMessage Message(string topic, byte[] payload, bool retain) =>
            new MqttApplicationMessageBuilder()
                .WithTopic(topic)
                .WithPayload(payload)
                .WithRetainFlag(retain)
                .WithQualityOfServiceLevel(MqttQualityOfServiceLevel.AtLeastOnce)
                .Build();

        private async Task PumpAsync(CancellationToken ct)
        {
            // A sliding window: up to Window publishes in flight on the one connection (the broker keeps
            // per-client order), each acknowledged message confirmed to the outbox in order as its PUBACK
            // arrives, new messages sent as soon as the outbox has committed them. A failure leaves every
            // unacknowledged message in the outbox: it is sent again after reconnecting (at least once).
            _outbox.Rewind();
            var inFlight = new Queue<(OutboxMessage Message, Task<MqttClientPublishResult> Ack)>(Window);
            while (!ct.IsCancellationRequested)
            {
                if (!_client.IsConnected)
                {
                    throw new InvalidOperationException("connection lost");
                }

                Task ready = _outbox.Ready;
                if (inFlight.Count < Window)
                {
                    List<OutboxMessage> batch = _outbox.Next(Window - inFlight.Count);
                    if (batch.Count > 0)
                    {
                        // The batch's PUBLISH packets go to the socket together (one send instead of two per message).
                        CoalescingMqttChannel? channel = _adapters.Current;
                        channel?.Cork();
                        try
                        {
                            foreach (OutboxMessage m in batch)
                            {
                                inFlight.Enqueue((m, _client.PublishAsync(Message(m.Topic, m.Payload, m.Retain), ct)));
                            }
                        }
                        finally
                        {
                            if (channel != null)
                            {
                                await channel.UncorkAsync().ConfigureAwait(false);
                            }
                        }
                    }
                }

                if (inFlight.Count == 0)
                {
                    await Task.WhenAny(ready, Task.Delay(1000, ct)).ConfigureAwait(false);
                    continue;
                }

                long confirmed = 0;
                while (inFlight.Count > 0 && inFlight.Peek().Ack.IsCompleted)
                {
                    (OutboxMessage m, Task<MqttClientPublishResult> ack) = inFlight.Dequeue();
                    MqttClientPublishResult r;
                    try
                    {
                        r = await ack.ConfigureAwait(false);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException || !ct.IsCancellationRequested)
                    {
                        Confirm(confirmed);
                        throw new InvalidOperationException("publishing stopped: " + ex.Message, ex);
                    }

                    if (!r.IsSuccess)
                    {
                        Confirm(confirmed);
                        throw new InvalidOperationException($"publishing stopped: broker refused {m.Topic}: {r.ReasonCode}");
                    }

                    confirmed = m.Id;
                    Observe(m.AcceptedTicks);
                    Interlocked.Increment(ref _published);
                }

                Confirm(confirmed);
                if (inFlight.Count > 0 && !inFlight.Peek().Ack.IsCompleted)
                {
                    // Wait for the oldest acknowledgement, or (with room in the window) for new messages.
                    await (inFlight.Count >= Window ? (Task)inFlight.Peek().Ack : Task.WhenAny(inFlight.Peek().Ack, ready)).ConfigureAwait(false);
                }
            }
        }

        private void Confirm(long id)
        {
            if (id > 0)
            {
                _outbox.Acknowledge(id);
            }
        }

        private void Observe(long acceptedTicks)
        {
            if (acceptedTicks == 0)
            {
                return;
            }

            double ms = Stopwatch.GetElapsedTime(acceptedTicks).TotalMilliseconds;
            int b = 0;
            while (b < LatencyBucketsMs.Length && ms > LatencyBucketsMs[b])
            {
                b++;
            }

            Interlocked.Increment(ref _latencyBuckets[b]);
            _latencySumMs += ms;
            _latencyCount++;
        }

        private async Task DisconnectCleanlyAsync()
        {
            if (!_client.IsConnected)
            {
                return;
            }

            try
            {
                using var cts = new CancellationTokenSource(TimeSpan.FromSeconds(3));
                await PublishDirectAsync(_topics.GatewayStatus(_gatewayNode), Payloads.Utf8("offline"), true, cts.Token).ConfigureAwait(false);
                await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build(), cts.Token).ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                _logger.LogDebug(ex, "MQTT disconnect at shutdown");
            }
        }

        public void WriteMetrics(StringBuilder o)
        {
            o.Append("# HELP mesh_gateway_mqtt_connected 1 while connected to the MQTT broker.\n# TYPE mesh_gateway_mqtt_connected gauge\n");
            o.Append("mesh_gateway_mqtt_connected ").Append(_connected ? 1 : 0).Append('\n');
            o.Append("# HELP mesh_gateway_mqtt_published_total Messages the broker acknowledged.\n# TYPE mesh_gateway_mqtt_published_total counter\n");
            o.Append("mesh_gateway_mqtt_published_total ").Append(Published).Append('\n');
            o.Append("# HELP mesh_gateway_mqtt_outbox_depth Messages accepted and not yet acknowledged by the broker.\n# TYPE mesh_gateway_mqtt_outbox_depth gauge\n");
            o.Append("mesh_gateway_mqtt_outbox_depth ").Append(_outbox.Waiting).Append('\n');
            o.Append("# HELP mesh_gateway_mqtt_outbox_dropped_total Messages dropped because the outbox bound was reached.\n# TYPE mesh_gateway_mqtt_outbox_dropped_total counter\n");
            o.Append("mesh_gateway_mqtt_outbox_dropped_total ").Append(_outbox.Dropped).Append('\n');
            o.Append("# HELP mesh_gateway_mqtt_readings_left_to_other_gateways_total Readings another gateway published first.\n# TYPE mesh_gateway_mqtt_readings_left_to_other_gateways_total counter\n");
            o.Append("mesh_gateway_mqtt_readings_left_to_other_gateways_total ").Append(_bridge.ReadingsLeftToOthers).Append('\n');
            o.Append("# HELP mesh_gateway_publish_latency_ms From a message's acceptance to the broker's acknowledgement.\n# TYPE mesh_gateway_publish_latency_ms histogram\n");
            long cumulative = 0;
            for (int i = 0; i < LatencyBucketsMs.Length; i++)
            {
                cumulative += Interlocked.Read(ref _latencyBuckets[i]);
                o.Append("mesh_gateway_publish_latency_ms_bucket{le=\"").Append(LatencyBucketsMs[i].ToString(CultureInfo.InvariantCulture)).Append("\"} ").Append(cumulative).Append('\n');
            }

            cumulative += Interlocked.Read(ref _latencyBuckets[LatencyBucketsMs.Length]);
            o.Append("mesh_gateway_publish_latency_ms_bucket{le=\"+Inf\"} ").Append(cumulative).Append('\n');
            o.Append("mesh_gateway_publish_latency_ms_sum ").Append(_latencySumMs.ToString("0.###", CultureInfo.InvariantCulture)).Append('\n');
            o.Append("mesh_gateway_publish_latency_ms_count ").Append(_latencyCount).Append('\n');
        }

        public override void Dispose()
        {
            _client.Dispose();
            base.Dispose();
        }
    }
}
