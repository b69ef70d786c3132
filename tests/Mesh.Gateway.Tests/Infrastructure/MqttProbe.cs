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

        // Completed (and replaced) whenever a message arrives; guarded by the lock on _messages.
        private TaskCompletionSource _arrived = new(TaskCreationOptions.RunContinuationsAsynchronously);

        private MqttProbe(IMqttClient client)
        {
            _client = client;
            _client.ApplicationMessageReceivedAsync += e =>
            {
                lock (_messages)
                {
                    _messages.Add(new ReceivedMessage(e.ApplicationMessage.Topic, e.ApplicationMessage.ConvertPayloadToString() ?? "", e.ApplicationMessage.Retain));
                    _arrived.TrySetResult();
                    _arrived = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
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

        /// <summary>
        /// Waits until <paramref name="predicate"/> holds for the received messages (generous deadline; not a timing
        /// assertion). Asynchronous on purpose: the test host already blocks two of the thread pool's workers for
        /// the whole run (the test platform's message loop and xunit's assembly runner), and a test that blocked a
        /// third left the in-process gateways' timers and MQTT continuations queued until the pool injected a worker,
        /// about a second later — long enough to break a test of the several-gateway hold-off.
        /// </summary>
        public async Task<IReadOnlyList<ReceivedMessage>> WaitForAsync(Func<IReadOnlyList<ReceivedMessage>, bool> predicate, TimeSpan? timeout = null, string? what = null)
        {
            DateTime deadline = DateTime.UtcNow + (timeout ?? TimeSpan.FromSeconds(30));
            while (true)
            {
                Task arrived;
                lock (_messages)
                {
                    if (predicate(_messages))
                    {
                        return _messages.ToList();
                    }

                    if (DateTime.UtcNow >= deadline)
                    {
                        throw new TimeoutException($"MQTT probe: {what ?? "condition"} not met; received {_messages.Count} messages: " +
                            string.Join(" | ", _messages.TakeLast(10).Select(m => m.Topic + " " + m.Payload)));
                    }

                    arrived = _arrived.Task;
                }

                TimeSpan left = deadline - DateTime.UtcNow;
                await Task.WhenAny(arrived, Task.Delay(left < TimeSpan.FromMilliseconds(200) ? left : TimeSpan.FromMilliseconds(200))).ConfigureAwait(false);
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
