using System.Collections.Generic;
using System.IO;
using System.Net;

namespace Mesh.Gateway.Hosting
{
    /// <summary>MQTT: the embedded broker (default) or an external one, topics, discovery and the outbox.</summary>
    public sealed class MqttSettings
    {
        /// <summary>embedded: start MQTTnet's broker in process and publish to it. external: publish to Host:Port.</summary>
        public string Mode { get; set; } = "embedded";

        public string Host { get; set; } = "127.0.0.1";

        public int Port { get; set; } = 1883;

        public string? Username { get; set; }

        public string? Password { get; set; }

        public bool Tls { get; set; }

        /// <summary>Accept a broker certificate that does not chain to a trusted root (self-signed test brokers).</summary>
        public bool AllowUntrustedCertificates { get; set; }

        /// <summary>Defaults to mesh-gateway-&lt;node id&gt;: unique per gateway, stable across restarts.</summary>
        public string? ClientId { get; set; }

        public string TopicPrefix { get; set; } = "mesh";

        public bool Discovery { get; set; } = true;

        public string DiscoveryPrefix { get; set; } = "homeassistant";

        public int ReconnectDelayMs { get; set; } = 2000;

        /// <summary>
        /// How long a gateway that is not a reading's preferred publisher waits for the preferred one
        /// (or any other) to publish it before publishing it itself. See gateway/README.md, "Several gateways".
        /// </summary>
        public int DedupHoldOffMs { get; set; } = 1500;

        public EmbeddedBrokerSettings Embedded { get; set; } = new();

        public OutboxSettings Outbox { get; set; } = new();

        public bool IsEmbedded => Mode == "embedded";

        internal void Validate(List<string> errors)
        {
            if (Mode != "embedded" && Mode != "external")
            {
                errors.Add($"Mqtt:Mode must be 'embedded' or 'external' (was '{Mode}')");
                return;
            }

            if (Mode == "external")
            {
                if (string.IsNullOrWhiteSpace(Host))
                {
                    errors.Add("Mqtt:Host is required when Mqtt:Mode is external");
                }

                GatewayOptions.Port(errors, "Mqtt:Port", Port);
            }
            else
            {
                Embedded.Validate(errors);
            }

            if (string.IsNullOrWhiteSpace(TopicPrefix) || TopicPrefix.IndexOfAny(new[] { '+', '#' }) >= 0 || TopicPrefix.EndsWith('/'))
            {
                errors.Add($"Mqtt:TopicPrefix must be a non-empty topic without wildcards or a trailing '/' (was '{TopicPrefix}')");
            }

            if (Discovery && (string.IsNullOrWhiteSpace(DiscoveryPrefix) || DiscoveryPrefix.IndexOfAny(new[] { '+', '#' }) >= 0))
            {
                errors.Add($"Mqtt:DiscoveryPrefix must be a non-empty topic without wildcards (was '{DiscoveryPrefix}')");
            }

            if (ReconnectDelayMs < 100 || ReconnectDelayMs > 300_000)
            {
                errors.Add($"Mqtt:ReconnectDelayMs must be 100..300000 (was {ReconnectDelayMs})");
            }

            if (DedupHoldOffMs < 0 || DedupHoldOffMs > 60_000)
            {
                errors.Add($"Mqtt:DedupHoldOffMs must be 0..60000 (was {DedupHoldOffMs})");
            }

            if ((Username == null) != (Password == null))
            {
                errors.Add("Mqtt:Username and Mqtt:Password must be set together");
            }

            Outbox.Validate(errors);
        }
    }

    public sealed class EmbeddedBrokerSettings
    {
        public int Port { get; set; } = 1883;

        /// <summary>Loopback by default: other machines reach the broker only when this is set deliberately.</summary>
        public string BindAddress { get; set; } = "127.0.0.1";

        /// <summary>Where the gateway's own client reaches the broker: the bound address, or loopback of its family when bound to every address.</summary>
        public string LocalConnectAddress => IPAddress.TryParse(BindAddress, out IPAddress? a)
            ? a.Equals(IPAddress.Any) ? "127.0.0.1" : a.Equals(IPAddress.IPv6Any) ? "::1" : a.ToString()
            : "127.0.0.1";

        public string? Username { get; set; }

        public string? Password { get; set; }

        /// <summary>When set, the broker also listens with TLS on <see cref="TlsPort"/> using this PKCS#12 file.</summary>
        public string? TlsCertificatePath { get; set; }

        public string? TlsCertificatePassword { get; set; }

        public int TlsPort { get; set; } = 8883;

        internal void Validate(List<string> errors)
        {
            GatewayOptions.Port(errors, "Mqtt:Embedded:Port", Port);
            if (!IPAddress.TryParse(BindAddress, out _))
            {
                errors.Add($"Mqtt:Embedded:BindAddress must be an IP address (was '{BindAddress}')");
            }

            if ((Username == null) != (Password == null))
            {
                errors.Add("Mqtt:Embedded:Username and Mqtt:Embedded:Password must be set together");
            }

            if (TlsCertificatePath != null)
            {
                if (!File.Exists(TlsCertificatePath))
                {
                    errors.Add($"Mqtt:Embedded:TlsCertificatePath: file '{TlsCertificatePath}' does not exist");
                }

                GatewayOptions.Port(errors, "Mqtt:Embedded:TlsPort", TlsPort);
            }
        }
    }

    public sealed class OutboxSettings
    {
        /// <summary>SQLite file holding messages not yet acknowledged by the broker.</summary>
        public string Path { get; set; } = "mesh-outbox.db";

        /// <summary>Upper bound on waiting messages; beyond it the oldest are dropped with a warning.</summary>
        public int MaxMessages { get; set; } = 1_000_000;

        internal void Validate(List<string> errors)
        {
            if (string.IsNullOrWhiteSpace(Path))
            {
                errors.Add("Mqtt:Outbox:Path is required");
            }

            if (MaxMessages < 100)
            {
                errors.Add($"Mqtt:Outbox:MaxMessages must be at least 100 (was {MaxMessages})");
            }
        }
    }
}
