using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using MQTTnet;
using MQTTnet.Formatter;

namespace Mesh.Gateway.Tests.Infrastructure
{
    public sealed record ReceivedMessage(string Topic, string Payload, bool Retain);

    /// <summary>A real MQTTnet subscriber that records what it receives.</summary>
    public sealed class MqttProbe : IAsyncDisposable
    {
        private readonly IMqttClient _client;
        private readonly List<ReceivedMessage> _messages = new();

        private MqttProbe(IMqttClient client)
        {
            _client = client;
            _client.ApplicationMessageReceivedAsync += e =>
            {
                lock (_messages)
                {
                    _messages.Add(new ReceivedMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString() ?? "", e.ApplicationMessage.Retain));
                    Monitor.PulseAll(_messages);
                }

                return Task.CompletedTask;
            };
        }

        public IMqttClient Client => _client;

        public static async Task<MqttProbe> ConnectAsync(int port, string filter, string? clientId = null, bool persistentSession = false, TimeSpan? retryFor = null,
            Action<MqttClientOptionsBuilder>? configure = null)
        {
            IMqttClient client = new MqttClientFactory().CreateMqttClient();
            var probe = new MqttProbe(client);
            MqttClientOptionsBuilder builder = new MqttClientOptionsBuilder()
                .WithTcpServer("127.0.0.1", port)
                .WithProtocolVersion(MqttProtocolVersion.V500)
                .WithClientId(clientId ?? "probe-" + Guid.NewGuid().ToString("N")[..8])
                .WithCleanStart(!persistentSession)
                .WithSessionExpiryInterval(persistentSession ? 3600u : 0u);
            configure?.Invoke(builder);
            MqttClientOptions options = builder.Build();
            DateTime deadline = DateTime.UtcNow + (retryFor ?? TimeSpan.FromSeconds(10));
            while (true)
            {
                try
                {
                    MqttClientConnectResult r = await client.ConnectAsync(options);
                    if (persistentSession && r.IsSessionPresent)
                    {
                        return probe; // the broker kept our subscription
                    }

                    break;
                }
                catch (Exception) when (DateTime.UtcNow < deadline)
                {
                    await Task.Delay(100);
                }
            }

            await client.SubscribeAsync(new MqttClientSubscribeOptionsBuilder().WithTopicFilter(f => f.WithTopic(filter).WithAtLeastOnceQoS()).Build());
            return probe;
        }

        public IReadOnlyList<ReceivedMessage> Messages
        {
            get
            {
                lock (_messages)
                {
                    return _messages.ToList();
                }
            }
        }

        /// <summary>Waits until <paramref name="predicate"/> holds for the received messages (generous deadline; not a timing assertion).</summary>
        public IReadOnlyList<ReceivedMessage> WaitFor(Func<IReadOnlyList<ReceivedMessage>, bool> predicate, TimeSpan? timeout = null, string? what = null)
        {
            DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
            lock (_messages)
            {
                while (!predicate(_messages))
                {
                    TimeSpan left = deadline - DateTime.UtcNow;
                    if (left <= TimeSpan.Zero)
                    {
                        throw new TimeoutException($"MQTT probe: {what ?? "condition"} not met; received {_messages.Count} messages: " +
                            string.Join(" | ", _messages.TakeLast(10).Select(m => m.Topic + " " + m.Payload)));
                    }

                    Monitor.Wait(_messages, left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200));
                }

                return _messages.ToList();
            }
        }

        public async Task PublishAsync(string topic, string payload, bool retain = false)
        {
            await _client.PublishAsync(new MqttApplicationMessageBuilder().WithTopic(topic).WithPayload(payload).WithRetainFlag(retain)
                .WithQualityOfServiceLevel(MQTTnet.Protocol.MqttQualityOfServiceLevel.AtLeastOnce).Build());
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_client.IsConnected)
                {
                    await _client.DisconnectAsync(new MqttClientDisconnectOptionsBuilder().Build());
                }
            }
            catch (Exception)
            {
            }

            _client.Dispose();
        }
    }
}
