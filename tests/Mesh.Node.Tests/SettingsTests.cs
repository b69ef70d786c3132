using Mesh.NodeApp.Runtime;
using Mesh.NodeApp.Settings;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;

namespace Mesh.Node.Tests
{
    public class SettingsTests
    {
        [Fact]
        public void Every_setting_survives_format_then_parse()
        {
            var s = new NodeSettings
            {
                NodeId = 4242, NetworkId = 7, Key = TextNumbers.ParseHex("000102030405060708090a0b0c0d0e0f"), Role = NodeRole.Edge,
                Policy = PolicySettings.Gossip(0.65, 2), HopLimit = 12, Encrypt = false, Radio = RadioMode.Udp, Channel = 6,
                WifiSsid = "farm", WifiPassword = "p@ss word", UdpGroup = "239.1.2.3", UdpPort = 5000, ReportIntervalSeconds = 120,
                HeartbeatIntervalSeconds = 600, HeartbeatNeighbours = 4, I2cDataPin = 8, I2cClockPin = 9, LedPin = -1, DhtPin = 4, BatteryAdcChannel = 6,
                BatteryDividerPermille = 3200, SerialBaudRate = 921600, SimulateWhenNoSensor = false, SequenceStart = 768,
                BundleFrames = false,
            };
            var log = new RecordingLog();
            var back = new NodeSettings();
            Assert.Equal(0, NodeSettingsText.Parse(NodeSettingsText.Format(s), back, log));
            Assert.Equal(NodeSettingsText.Format(s), NodeSettingsText.Format(back));
            Assert.Equal(PolicyKind.Gossip, back.Policy.Kind);
            Assert.Equal(PolicySettings.ProbabilityToFixed(0.65), back.Policy.GossipProbability);
            Assert.Equal("p@ss word", back.WifiPassword);
            Assert.Equal(4, back.HeartbeatNeighbours);
            Assert.False(back.BundleFrames);
            Assert.False(NodeConfigFactory.For(back, new NodeTables(), 4242, new Mesh.NodeApp.Crypto.ManagedCrypto(), new Mesh.Protocol.XorShiftRandom(1)).BundleFrames);
            Assert.Empty(log.Lines);
        }

        [Fact]
        public void Malformed_lines_keep_safe_defaults_and_each_is_reported_with_its_reason()
        {
            const string text = "report_interval = soon\nrole = overlord\nchannel = 14\nunheard_of = 1\njust some words\npolicy = gossip\ngossip_p = 1.5\nheartbeat_neighbours = 33\n";
            var log = new RecordingLog();
            var s = new NodeSettings();
            int problems = NodeSettingsText.Parse(text, s, log);

            Assert.Equal(7, problems);
            Assert.Equal(NodeSettings.DefaultReportIntervalSeconds, s.ReportIntervalSeconds);
            Assert.Equal(NodeRole.Sensor, s.Role);
            Assert.Equal(1, s.Channel);
            Assert.Equal(PolicyKind.Gossip, s.Policy.Kind); // the valid line still applies
            Assert.Contains("line 1: report_interval: 'soon' is not 0..604800; keeping 60", log.All);
            Assert.Contains("role: 'overlord' is not sensor, relay, bridge or edge", log.All);
            Assert.Contains("channel: '14' is not 1..13", log.All);
            Assert.Contains("unknown setting 'unheard_of'", log.All);
            Assert.Contains("line 5: expected 'name = value'", log.All);
            Assert.Contains("gossip_p: '1.5' is not a probability", log.All);
            Assert.Contains("heartbeat_neighbours: '33' is not 0..32; keeping 8", log.All); // a heartbeat holds at most 32
            Assert.Equal(NodeConfig.DefaultHeartbeatNeighbours, s.HeartbeatNeighbours);
        }

        [Fact]
        public void A_bad_key_is_reported_without_its_value_and_the_node_stays_keyless()
        {
            const string secret = "00112233445566778899aabbccddeeXX";
            var log = new RecordingLog();
            var s = new NodeSettings();
            Assert.Equal(1, NodeSettingsText.Parse("key = " + secret, s, log));
            Assert.Null(s.Key);
            Assert.DoesNotContain(secret, log.All);
            Assert.Contains("the node stays off the air until a key is set", log.All);
        }

        [Fact]
        public void A_missing_or_unreadable_store_gives_defaults_and_says_why()
        {
            var log = new RecordingLog();
            NodeSettings s = new SettingsStore(new MemoryStore(), log).Load(new NodeSettings());
            Assert.Equal(NodeSettings.DefaultReportIntervalSeconds, s.ReportIntervalSeconds);
            Assert.Contains("nothing stored; using defaults", log.All);

            var store = new MemoryStore { Data = System.Text.Encoding.UTF8.GetBytes("report_interval = 30\nhop_limit = 99\n") };
            log = new RecordingLog();
            s = new SettingsStore(store, log).Load(new NodeSettings());
            Assert.Equal(30, s.ReportIntervalSeconds);
            Assert.Equal(8, s.HopLimit);
            Assert.Contains("1 line(s) ignored", log.All);
        }

        [Fact]
        public void A_store_that_refuses_the_write_is_reported()
        {
            var log = new RecordingLog();
            Assert.False(new SettingsStore(new MemoryStore { Refuse = true }, log).Save(new NodeSettings()));
            Assert.Contains("the store refused the write", log.All);
        }

        [Theory]
        [InlineData("0.65", 0.65)]
        [InlineData("1", 1.0)]
        [InlineData(".5", 0.5)]
        public void Fractions_parse_without_culture(string text, double expected)
        {
            Assert.True(TextNumbers.TryParseFraction(text, out double v));
            Assert.Equal(expected, v, 9);
        }

        [Theory]
        [InlineData("")]
        [InlineData("-1")]
        [InlineData("1e3")]
        [InlineData("0,5")]
        [InlineData(".")]
        public void Non_fractions_are_refused(string text) => Assert.False(TextNumbers.TryParseFraction(text, out _));

        [Fact]
        public void Utf8_round_trips_text_with_symbols_and_emoji_and_replaces_invalid_bytes()
        {
            const string text = "Temp 21 °C — ok ✓ 🌡";
            byte[] bytes = Utf8.GetBytes(text);
            Assert.Equal(System.Text.Encoding.UTF8.GetBytes(text), bytes);
            Assert.Equal(text, Utf8.GetString(bytes, 0, bytes.Length));
            Assert.Equal("a\uFFFDb", Utf8.GetString(new byte[] { (byte)'a', 0xC3, (byte)'b' }, 0, 3));
        }
    }
}
