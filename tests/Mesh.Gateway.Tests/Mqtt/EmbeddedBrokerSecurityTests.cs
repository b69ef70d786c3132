using System;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography;
using System.Security.Cryptography.X509Certificates;
using System.Text.Json;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;
using MQTTnet;
using MQTTnet.Adapter;
using MQTTnet.Formatter;

namespace Mesh.Gateway.Tests.Mqtt
{
    /// <summary>The embedded broker's optional username/password and TLS listener, with real clients.</summary>
    public class EmbeddedBrokerSecurityTests
    {
        [Fact]
        public async Task With_a_username_and_password_the_gateway_publishes_and_a_client_with_wrong_credentials_is_refused()
        {
            await using var gateway = await TestGateway.StartAsync(s =>
            {
                s["Mqtt:Embedded:Username"] = "mesh";
                s["Mqtt:Embedded:Password"] = "s3cret";
            });

            await using (var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/31/#", configure: b => b.WithCredentials("mesh", "s3cret")))
            {
                await using var sensor = new MeshSensor(31, gateway.UdpPort);
                sensor.Report((Quantity.Temperature, 17.5));
                ReceivedMessage m = (await probe.WaitForAsync(x => x.Any(r => r.Topic == "mesh/1/31/temperature"), what: "the reading through the authenticated broker"))
                    .First(r => r.Topic == "mesh/1/31/temperature");
                Assert.Equal(17.5, JsonDocument.Parse(m.Payload).RootElement.GetProperty("value").GetDouble());
            }

            using IMqttClient intruder = new MqttClientFactory().CreateMqttClient();
            MqttClientOptions wrong = new MqttClientOptionsBuilder().WithTcpServer("127.0.0.1", gateway.BrokerPort)
                .WithProtocolVersion(MqttProtocolVersion.V500).WithCredentials("mesh", "guess").Build();
            try
            {
                MqttClientConnectResult r = await intruder.ConnectAsync(wrong);
                Assert.Equal(MqttClientConnectResultCode.BadUserNameOrPassword, r.ResultCode);
            }
            catch (MqttConnectingFailedException ex)
            {
                Assert.Contains("BadUserNameOrPassword", ex.Message);
            }

            Assert.False(intruder.IsConnected);
        }

        [Fact]
        public async Task With_a_certificate_the_broker_also_listens_with_tls_and_readings_arrive_over_it()
        {
            string directory = TempDirectory.Create("tls");
            string pfx = Path.Combine(directory, "broker.pfx");
            using (RSA key = RSA.Create(2048))
            {
                var request = new CertificateRequest("CN=127.0.0.1", key, HashAlgorithmName.SHA256, RSASignaturePadding.Pkcs1);
                var san = new SubjectAlternativeNameBuilder();
                san.AddIpAddress(IPAddress.Loopback);
                request.CertificateExtensions.Add(san.Build());
                using X509Certificate2 certificate = request.CreateSelfSigned(DateTimeOffset.UtcNow.AddDays(-1), DateTimeOffset.UtcNow.AddDays(1));
                await File.WriteAllBytesAsync(pfx, certificate.Export(X509ContentType.Pfx, "pfx-password"));
            }

            int tlsPort = Ports.FreeTcp();
            await using var gateway = await TestGateway.StartAsync(s =>
            {
                s["Mqtt:Embedded:TlsCertificatePath"] = pfx;
                s["Mqtt:Embedded:TlsCertificatePassword"] = "pfx-password";
                s["Mqtt:Embedded:TlsPort"] = tlsPort.ToString(System.Globalization.CultureInfo.InvariantCulture);
            }, directory);

            await using var probe = await MqttProbe.ConnectAsync(tlsPort, "mesh/1/32/#", configure: b => b.WithTlsOptions(t => t
                .UseTls(true)
                .WithTargetHost("127.0.0.1")
                .WithCertificateValidationHandler(e => e.Certificate.Subject == "CN=127.0.0.1"))); // self-signed: pin it by subject
            await using var sensor = new MeshSensor(32, gateway.UdpPort);
            sensor.Report((Quantity.Humidity, 61.0));
            await probe.WaitForAsync(x => x.Any(r => r.Topic == "mesh/1/32/humidity"), what: "the reading over TLS");
        }
    }
}
