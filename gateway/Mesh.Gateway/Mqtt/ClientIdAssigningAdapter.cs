using System;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MQTTnet.Adapter;
using MQTTnet.Diagnostics.Logger;
using MQTTnet.Formatter;
using MQTTnet.Packets;
using MQTTnet.Server;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>
    /// Wraps MQTTnet's TCP server adapter so that MQTT 3.1.1 clients may connect with an empty client id,
    /// as the standard allows (MQTT 3.1.1 §3.1.3.1: the server assigns a unique id to a clean-session client
    /// that sends a zero-length one). MQTTnet assigns ids only to MQTT 5 clients and refuses the others with
    /// "identifier rejected" — which is what stock <c>mosquitto_sub</c> without <c>-i</c> met. The id is
    /// filled into the CONNECT packet as it arrives, before MQTTnet validates it. A client asking for a
    /// persistent session without an id is still refused, as §3.1.3.1 requires.
    /// </summary>
    public sealed class ClientIdAssigningAdapter : IMqttServerAdapter
    {
        private readonly IMqttServerAdapter _inner;
        private Func<IMqttChannelAdapter, Task>? _handler;

        public ClientIdAssigningAdapter(IMqttServerAdapter inner)
        {
            _inner = inner;
        }

        public Func<IMqttChannelAdapter, Task> ClientHandler
        {
            get => _handler!;
            set
            {
                _handler = value;
                _inner.ClientHandler = value == null ? null! : channel => value(new Channel(channel));
            }
        }

        public Task StartAsync(MqttServerOptions options, IMqttNetLogger logger) => _inner.StartAsync(options, logger);

        public Task StopAsync() => _inner.StopAsync();

        public void Dispose() => _inner.Dispose();

        /// <summary>An id no client chooses by accident: the prefix MQTT 5 assignment uses here too.</summary>
        public static string NewId() => "auto-" + Guid.NewGuid().ToString("N")[..12];

        private sealed class Channel : IMqttChannelAdapter
        {
            private readonly IMqttChannelAdapter _inner;
            private bool _first = true;

            public Channel(IMqttChannelAdapter inner)
            {
                _inner = inner;
            }

            public long BytesReceived => _inner.BytesReceived;

            public long BytesSent => _inner.BytesSent;

            public X509Certificate2 ClientCertificate => _inner.ClientCertificate;

            public EndPoint RemoteEndPoint => _inner.RemoteEndPoint;

            public EndPoint LocalEndPoint => _inner.LocalEndPoint;

            public bool IsSecureConnection => _inner.IsSecureConnection;

            public MqttPacketFormatterAdapter PacketFormatterAdapter => _inner.PacketFormatterAdapter;

            public Task ConnectAsync(CancellationToken cancellationToken) => _inner.ConnectAsync(cancellationToken);

            public Task DisconnectAsync(CancellationToken cancellationToken) => _inner.DisconnectAsync(cancellationToken);

            public async Task<MqttPacket> ReceivePacketAsync(CancellationToken cancellationToken)
            {
                MqttPacket packet = await _inner.ReceivePacketAsync(cancellationToken).ConfigureAwait(false);
                if (_first)
                {
                    _first = false;
                    if (packet is MqttConnectPacket connect && string.IsNullOrEmpty(connect.ClientId) && connect.CleanSession
                        && PacketFormatterAdapter.ProtocolVersion != MqttProtocolVersion.V500)
                    {
                        connect.ClientId = NewId();
                    }
                }

                return packet;
            }

            public void ResetStatistics() => _inner.ResetStatistics();

            public Task SendPacketAsync(MqttPacket packet, CancellationToken cancellationToken) => _inner.SendPacketAsync(packet, cancellationToken);

            public void Dispose() => _inner.Dispose();
        }
    }
}
