using System;
using System.Collections.Generic;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using MQTTnet.Protocol;
using MQTTnet.Server;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>
    /// MQTTnet's broker, in process, so the demo and small installations need nothing else: loopback
    /// by default, optional username/password, optional TLS listener. Started before the gateway's own
    /// client connects (hosted services start in registration order).
    /// </summary>
    public sealed class EmbeddedBroker : IHostedService, IDisposable
    {
        private readonly EmbeddedBrokerSettings _settings;
        private readonly ILogger _logger;
        private MqttServer? _server;

        private readonly ILogger? _commandLog;

        public EmbeddedBroker(EmbeddedBrokerSettings settings, ILogger<EmbeddedBroker> logger, ILogger? commandLog = null)
        {
            _settings = settings;
            _logger = logger;
            _commandLog = commandLog;
        }

        public MqttServer? Server => _server;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            // MQTTnet listens on IPv4 and IPv6 at once, IPv6 on [::] unless told otherwise: bind exactly the
            // configured address, in its own family, and switch the other family off (IPAddress.None).
            IPAddress bind = IPAddress.Parse(_settings.BindAddress);
            bool v6 = bind.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6;
            IPAddress v4Address = v6 ? IPAddress.None : bind;
            IPAddress v6Address = v6 ? bind : IPAddress.None;
            var b = new MqttServerOptionsBuilder()
                .WithDefaultEndpoint()
                .WithDefaultEndpointBoundIPAddress(v4Address)
                .WithDefaultEndpointBoundIPV6Address(v6Address)
                .WithDefaultEndpointPort(_settings.Port);
            if (_settings.TlsCertificatePath != null)
            {
                X509Certificate2 certificate = X509CertificateLoader.LoadPkcs12FromFile(_settings.TlsCertificatePath, _settings.TlsCertificatePassword);
                b.WithEncryptedEndpoint()
                    .WithEncryptedEndpointBoundIPAddress(v4Address)
                    .WithEncryptedEndpointBoundIPV6Address(v6Address)
                    .WithEncryptedEndpointPort(_settings.TlsPort)
                    .WithEncryptionCertificate(certificate);
            }

            var factory = new MqttServerFactory();
            var adapters = new List<IMqttServerAdapter>();
            foreach (Func<MqttServerFactory, IMqttServerAdapter> create in factory.DefaultServerAdapters)
            {
                adapters.Add(new ClientIdAssigningAdapter(create(factory)));
            }

            _server = factory.CreateMqttServer(b.Build(), adapters);
            _server.ValidatingConnectionAsync += e =>
            {
                // MQTT 5 clients may connect without a client id and have the broker assign one
                // (§3.2.2.3.7); MQTT 3.1.1 clients get theirs from ClientIdAssigningAdapter.
                if (string.IsNullOrEmpty(e.ClientId))
                {
                    e.AssignedClientIdentifier = ClientIdAssigningAdapter.NewId();
                }

                if (_settings.Username != null && (e.UserName != _settings.Username || e.Password != _settings.Password))
                {
                    e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                    _logger.LogWarning("embedded broker: refused client {ClientId} from {Endpoint}: bad username or password", e.ClientId, e.RemoteEndPoint);
                }

                return Task.CompletedTask;
            };

            if (_commandLog != null)
            {
                // The gateway's own client sees a command's topic, not who sent it; the broker knows the sender.
                _server.InterceptingPublishAsync += e =>
                {
                    string topic = e.ApplicationMessage.Topic;
                    if (topic.Contains("/cmd/", StringComparison.Ordinal) && !topic.EndsWith("/result", StringComparison.Ordinal))
                    {
                        _commandLog.LogInformation("MQTT client {ClientId} (user {User}) published command topic {Topic}{Retained}", e.ClientId, e.UserName ?? "-", topic,
                            e.ApplicationMessage.Retain ? " retained" : "");
                    }

                    return Task.CompletedTask;
                };
            }

            try
            {
                await _server.StartAsync().ConfigureAwait(false);
            }
            catch (Exception ex)
            {
                throw new InvalidOperationException(
                    $"Mqtt:Embedded:Port {_settings.Port}: the embedded MQTT broker could not listen on {_settings.BindAddress}:{_settings.Port} ({ex.Message}). " +
                    "Is another broker running? Choose another port or set Mqtt:Mode=external.", ex);
            }

            _logger.LogInformation("embedded MQTT broker listening on {Address}:{Port}{Tls}", _settings.BindAddress, _settings.Port,
                _settings.TlsCertificatePath != null ? $" and TLS on {_settings.TlsPort}" : "");
        }

        public async Task StopAsync(CancellationToken cancellationToken)
        {
            if (_server != null)
            {
                await _server.StopAsync(new MqttServerStopOptionsBuilder().Build()).ConfigureAwait(false);
            }
        }

        public void Dispose() => _server?.Dispose();
    }
}
