using System;
using System.Text;
using Mesh.NodeApp.Runtime;
using Mesh.NodeApp.Settings;

namespace Mesh.Node.Tests.Board
{
    /// <summary>I:\mesh.update on the board: a partial settings file merged into the stored one, keeping what the node keeps there.</summary>
    public class SettingsUpdateTests
    {
        [Fact]
        public void An_update_changes_only_its_lines_and_keeps_the_stored_sequence_checkpoint_and_key()
        {
            var log = new RecordingLog();
            var store = new MemoryStore();
            var settingsStore = new SettingsStore(store, log);
            byte[] key = Convert.FromHexString("00112233445566778899aabbccddeeff");
            var running = new NodeSettings { Key = key, SequenceStart = 5121, ReportIntervalSeconds = 60 };
            settingsStore.Save(running);

            NodeSettings loaded = settingsStore.Load(new NodeSettings());
            Assert.True(settingsStore.ApplyUpdate(loaded, Encoding.UTF8.GetBytes("report_interval = 30\nwifi_ssid = attic\n")));

            NodeSettings after = settingsStore.Load(new NodeSettings());
            Assert.Equal(30, after.ReportIntervalSeconds);
            Assert.Equal("attic", after.WifiSsid);
            Assert.Equal(5121u, after.SequenceStart);
            Assert.Equal(key, after.Key);
        }

        [Fact]
        public void A_malformed_line_in_an_update_is_reported_and_the_rest_applied()
        {
            var log = new RecordingLog();
            var settingsStore = new SettingsStore(new MemoryStore(), log);
            var s = new NodeSettings();
            Assert.True(settingsStore.ApplyUpdate(s, Encoding.UTF8.GetBytes("report_interval = soon\nhop_limit = 5\n")));
            Assert.Equal(5, s.HopLimit);
            Assert.Equal(NodeSettings.DefaultReportIntervalSeconds, s.ReportIntervalSeconds);
            Assert.Contains("report_interval", log.All);
            Assert.Contains("1 line(s) ignored", log.All);
        }

        [Fact]
        public void An_update_of_binary_garbage_changes_nothing_and_says_so()
        {
            var log = new RecordingLog();
            var s = new NodeSettings { ReportIntervalSeconds = 45 };
            new SettingsStore(new MemoryStore(), log).ApplyUpdate(s, new byte[] { 0xFF, 0xFE, 0xC0, 0x0A, 0x01 });
            Assert.Equal(45, s.ReportIntervalSeconds);
            Assert.Null(s.Key);
            Assert.Contains("line(s) ignored", log.All);
        }
    }
}
