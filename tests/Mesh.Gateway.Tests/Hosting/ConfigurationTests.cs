using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mesh.Gateway.Hosting;
using Microsoft.Extensions.Configuration;

namespace Mesh.Gateway.Tests.Hosting
{
    public class ConfigurationTests
    {
        private static IReadOnlyList<string> Errors(params (string Key, string Value)[] settings)
        {
            var values = new Dictionary<string, string?> { ["Mesh:Key"] = Infrastructure.TestGateway.KeyHex };
            foreach ((string k, string v) in settings)
            {
                values[k] = v;
            }

            IConfiguration c = new ConfigurationBuilder().AddInMemoryCollection(values).Build();
            OptionsLoader.Load(c, out IReadOnlyList<string> errors);
            return errors;
        }

        [Fact]
        public void Valid_defaults_with_a_key_give_no_errors()
        {
            Assert.Empty(Errors());
        }

        [Fact]
        public void Run_refuses_derived_device_keys_which_only_the_demo_may_use()
        {
            string e = Assert.Single(Errors(("Mesh:DeriveDeviceKeys", "true")));
            Assert.Contains("Mesh:DeriveDeviceKeys is for mesh-gateway-demo", e);
        }

        [Fact]
        public void A_64_digit_key_is_accepted_as_on_the_nodes_one_key_format_everywhere()
        {
            Assert.Empty(Errors(("Mesh:Key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff")));
            var settings = new global::Mesh.NodeApp.Settings.NodeSettings();
            Assert.Null(global::Mesh.NodeApp.Settings.NodeSettingsText.Apply("key", "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff", settings));
            Assert.NotNull(global::Mesh.NodeApp.Settings.NodeSettingsText.Apply("key", "0011223344556677", settings));
            Assert.NotNull(global::Mesh.NodeApp.Settings.NodeSettingsText.Apply("key", "00000000000000000000000000000000", settings));
        }

        [Theory]
        [InlineData("Mesh:Key", "", "Mesh:Key is required")]
        [InlineData("Mesh:Key", "not-hex-not-hex-not-hex-not-hex!", "Mesh:Key character 1 is not a hex digit")]
        [InlineData("Mesh:Key", "0011223344556677", "Mesh:Key must be 32 or 64 hex digits")]
        [InlineData("Mesh:NodeId", "0", "Mesh:NodeId")]
        [InlineData("Mesh:Policy", "shouting", "Mesh:Policy must be flooding, gossip, managed or structured")]
        [InlineData("Udp:Group", "10.0.0.1", "Udp:Group must be an IPv4 multicast address")]
        [InlineData("Udp:Port", "70000", "Udp:Port must be a TCP/UDP port")]
        [InlineData("Udp:NominalRssi", "12", "Udp:NominalRssi must be a signal strength in dBm, -127..0 (was 12)")]
        [InlineData("Mqtt:Mode", "carrier-pigeon", "Mqtt:Mode must be 'embedded' or 'external'")]
        [InlineData("Mqtt:TopicPrefix", "mesh/#", "Mqtt:TopicPrefix")]
        [InlineData("Mqtt:Embedded:Port", "0", "Mqtt:Embedded:Port")]
        [InlineData("Mqtt:Embedded:TlsCertificatePath", "/no/such/cert.pfx", "Mqtt:Embedded:TlsCertificatePath")]
        [InlineData("Mqtt:Outbox:MaxMessages", "5", "Mqtt:Outbox:MaxMessages")]
        [InlineData("History:RetentionDays", "0", "History:RetentionDays")]
        [InlineData("Http:Urls", "ftp://example", "Http:Urls")]
        [InlineData("Serial:Enabled", "true", "Serial:PortName is required")]
        public void Each_invalid_setting_is_reported_by_name(string key, string value, string expected)
        {
            IReadOnlyList<string> errors = Errors((key, value));
            Assert.Contains(errors, e => e.Contains(expected, StringComparison.Ordinal));
        }

        [Theory]
        [InlineData("6d6573682d64656d6f2d6b65792d3031", "public demo key")]
        [InlineData("00000000000000000000000000000000", "weak key (every byte the same)")]
        [InlineData("00112233445566778899aabbccddeeff", "equal steps")]
        [InlineData("0f0e0d0c0b0a09080706050403020100", "equal steps")]
        [InlineData("abababababababababababababababab", "weak key (every byte the same)")]
        public void Run_refuses_the_demo_key_and_patterned_keys(string key, string why)
        {
            string e = Assert.Single(Errors(("Mesh:Key", key)));
            Assert.Contains("Mesh:Key is refused because", e);
            Assert.Contains(why, e);
            Assert.DoesNotContain(key, e);
        }

        [Fact]
        public void Demo_may_use_its_published_key()
        {
            IConfiguration c = new ConfigurationBuilder().AddInMemoryCollection(new Dictionary<string, string?> { ["Mesh:Key"] = Gateway.Hosting.KeyStrength.DemoKeyHex }).Build();
            OptionsLoader.Load(c, out IReadOnlyList<string> errors, allowWeakKey: true);
            Assert.Empty(errors);
        }

        [Theory]
        [InlineData("Mqtt:Embedded:Prot", "Mqtt:Embedded:Prot is not a setting (did you mean Mqtt:Embedded:Port?)")]
        [InlineData("Mqtt:Mod", "Mqtt:Mod is not a setting (did you mean Mqtt:Mode?)")]
        [InlineData("Mesh:AllowWeakKey", "Mesh:AllowWeakKey is not a setting")]
        public void A_misspelt_setting_is_an_error_naming_it(string key, string expected)
        {
            Assert.Contains(expected, Assert.Single(Errors((key, "1884"))));
        }

        [Fact]
        public void A_misspelt_section_on_the_command_line_is_an_error_naming_it()
        {
            IConfiguration c = new ConfigurationBuilder().AddCommandLine(new[] { "--Mesh:Key=" + Infrastructure.TestGateway.KeyHex, "--Mqq:Mode=external" }).Build();
            OptionsLoader.Load(c, out IReadOnlyList<string> errors);
            Assert.Contains("Mqq is not a setting (did you mean Mqtt?)", Assert.Single(errors));
        }

        [Fact]
        public void A_value_of_the_wrong_type_names_the_setting()
        {
            string e = Assert.Single(Errors(("Mqtt:Port", "eighteen-eighty-three")));
            Assert.Contains("Mqtt:Port", e);
        }

        [Fact]
        public void The_key_is_never_echoed_in_an_error()
        {
            string secret = "0011223344556677889900112233445566"; // 34 digits: wrong length
            string e = Assert.Single(Errors(("Mesh:Key", secret)));
            Assert.DoesNotContain(secret, e);
        }

        [Fact]
        public void The_gateway_refuses_to_start_with_a_bad_setting_and_exits_non_zero()
        {
            TextWriter saved = Console.Error;
            var captured = new StringWriter();
            Console.SetError(captured);
            int code;
            try
            {
                code = Program.Main(new[] { "run", "--Mesh:Key=", "--Udp:Port=0" });
            }
            finally
            {
                Console.SetError(saved);
            }

            Assert.Equal(2, code);
            string text = captured.ToString();
            Assert.Contains("Mesh:Key is required", text);
            Assert.Contains("Udp:Port", text);
        }
    }
}
