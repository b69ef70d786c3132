using System;
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

        public EmbeddedBroker(EmbeddedBrokerSettings settings, ILogger<EmbeddedBroker> logger)
        {
            _settings = settings;
            _logger = logger;
        }

        public MqttServer? Server => _server;

        public async Task StartAsync(CancellationToken cancellationToken)
        {
            var b = new MqttServerOptionsBuilder()
                .WithDefaultEndpoint()
                .WithDefaultEndpointBoundIPAddress(IPAddress.Parse(_settings.BindAddress))
                .WithDefaultEndpointPort(_settings.Port);
            if (_settings.TlsCertificatePath != null)
            {
                X509Certificate2 certificate = X509CertificateLoader.LoadPkcs12FromFile(_settings.TlsCertificatePath, _settings.TlsCertificatePassword);
                b.WithEncryptedEndpoint()
                    .WithEncryptedEndpointBoundIPAddress(IPAddress.Parse(_settings.BindAddress))
                    .WithEncryptedEndpointPort(_settings.TlsPort)
                    .WithEncryptionCertificate(certificate);
            }

            _server = new MqttServerFactory().CreateMqttServer(b.Build());
            _server.ValidatingConnectionAsync += e =>
            {
                // MQTT 5 clients may connect without a client id and have the broker assign one
                // (§3.2.2.3.7). MQTTnet assigns only for MQTT 5: an MQTT 3.1.1 client must send an id
                // (mosquitto_sub: -V mqttv5, or -i <id>).
                if (string.IsNullOrEmpty(e.ClientId))
                {
                    e.AssignedClientIdentifier = "auto-" + Guid.NewGuid().ToString("N")[..12];
                }

                if (_settings.Username != null && (e.UserName != _settings.Username || e.Password != _settings.Password))
                {
                    e.ReasonCode = MqttConnectReasonCode.BadUserNameOrPassword;
                    _logger.LogWarning("embedded broker: refused client {ClientId} from {Endpoint}: bad username or password", e.ClientId, e.RemoteEndPoint);
                }

                return Task.CompletedTask;
            };

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
