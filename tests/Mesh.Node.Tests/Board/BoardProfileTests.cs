using System;
using System.Linq;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Runtime;
using Mesh.NodeApp.Settings;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;

namespace Mesh.Node.Tests.Board
{
    /// <summary>Per-target defaults (Mesh.NodeApp/Settings/BoardProfile): which row a target gets, and that its pins are usable on that chip.</summary>
    public class BoardProfileTests
    {
        [Theory]
        [InlineData("ESP32_REV0", "ESP32")]
        [InlineData("ESP32_REV3", "ESP32")]
        [InlineData("ESP32_PSRAM_REV0", "ESP32 (PSRAM)")]
        [InlineData("ESP32_PSRAM_REV3", "ESP32 (PSRAM)")]
        [InlineData("ESP32_C3", "ESP32-C3")]
        [InlineData("ESP32_S3_OCTAL", "ESP32-S3 (octal PSRAM)")]
        [InlineData("ESP32_S3_QUAD", "ESP32-S3 (quad/no PSRAM)")]
        [InlineData("esp32_c3", "ESP32-C3")]
        public void Each_nanoff_target_of_the_guide_gets_its_board_row(string target, string profile)
        {
            Assert.Equal(profile, BoardProfile.ForTarget(target)!.Name);
        }

        [Theory]
        [InlineData(null)]
        [InlineData("")]
        [InlineData("WINDOWS_DESKTOP")]
        public void A_target_that_is_no_ESP32_gets_no_profile_and_keeps_the_core_defaults(string? target)
        {
            Assert.Null(BoardProfile.ForTarget(target!));
        }

        /// <summary>
        /// Pins that must not be used, per chip (Espressif datasheets / DevKit user guides): the C3's SPI flash
        /// (GPIO12–17) and strapping pins (2, 8, 9); GPIO16/17 (PSRAM on WROVER modules) and 6–11 (flash) on the
        /// ESP32; on the S3 N8R8 the flash/octal-PSRAM pins 26–37 and the strapping pins 0, 3, 45, 46.
        /// </summary>
        [Theory]
        [InlineData("ESP32_C3", new[] { 2, 8, 9, 12, 13, 14, 15, 16, 17, 18, 19 })]
        [InlineData("ESP32_REV3", new[] { 6, 7, 8, 9, 10, 11, 16, 17, 34, 35, 36, 39 })]
        [InlineData("ESP32_PSRAM_REV3", new[] { 6, 7, 8, 9, 10, 11, 16, 17, 34, 35, 36, 39 })]
        [InlineData("ESP32_S3_OCTAL", new[] { 0, 3, 26, 27, 28, 29, 30, 31, 32, 33, 34, 35, 36, 37, 45, 46 })]
        public void The_profile_uses_no_flash_PSRAM_or_input_only_pin_of_its_chip(string target, int[] forbidden)
        {
            BoardProfile p = BoardProfile.ForTarget(target)!;
            int[] outputsAndBuses = { p.I2cDataPin, p.I2cClockPin, p.LedPin, p.SerialRxPin, p.SerialTxPin };
            Assert.Empty(outputsAndBuses.Intersect(forbidden));
            Assert.Equal(outputsAndBuses.Length, outputsAndBuses.Distinct().Count());
        }

        [Fact]
        public void The_profile_is_applied_under_the_settings_file_and_its_tables_reach_the_core()
        {
            var s = new NodeSettings();
            BoardProfile.ForTarget("ESP32_C3")!.ApplyTo(s);
            NodeSettingsText.Parse("i2c_sda = 4\nserial_rx = 20\nkey = 00112233445566778899aabbccddeeff\n", s, new RecordingLog());
            Assert.Equal(4, s.I2cDataPin);   // the file wins
            Assert.Equal(6, s.I2cClockPin);  // the profile where the file says nothing
            Assert.Equal(20, s.SerialRxPin);

            NodeConfig c = NodeConfigFactory.For(s, BoardProfile.ForTarget("ESP32_C3")!.Tables(), 7, new Mesh.NodeApp.Crypto.ManagedCrypto(), new Mesh.Protocol.XorShiftRandom(1));
            Assert.Equal(32, c.DuplicateCacheSize);
            Assert.Equal(8, c.ReplayTableSize);
            Assert.Equal(8, c.RouteTableSize);
            Assert.Equal(8, c.NeighbourTableSize);
            Assert.Equal(3, c.TransmitQueueSize);
            Assert.Equal(3, c.EventQueueSize);
            Assert.Equal(0, c.PendingCommandSlots); // the board sends no commands
            Assert.Equal(4, c.RecentCommandSlots);
            Assert.Equal(6, c.UpwardSlots); // structured routing's heap was measured with 6 on boards without PSRAM
            Assert.Equal(500, c.UpwardBytes); // their copies in two full frames' bytes
            Assert.Equal(NodeConfig.DefaultHeartbeatNeighbours, c.HeartbeatNeighbours);
            Assert.Equal(PolicyKind.ManagedFlooding, c.Policy.Kind); // structured routing does not fit the C3 (HeapBudgetTests)
            Assert.Null(c.Validate());
        }

        /// <summary>
        /// Every board starts with the policy its heap allows (HeapBudgetTests): structured routing where it leaves
        /// 15 KB, managed flooding on the ESP32-C3 and on ESP32_S3_QUAD (its heap without PSRAM is not known here);
        /// the settings file still decides.
        /// </summary>
        [Theory]
        [InlineData("ESP32_REV0", PolicyKind.Structured)]
        [InlineData("ESP32_REV3", PolicyKind.Structured)]
        [InlineData("ESP32_PSRAM_REV3", PolicyKind.Structured)]
        [InlineData("ESP32_S3_OCTAL", PolicyKind.Structured)]
        [InlineData("ESP32_S3_QUAD", PolicyKind.ManagedFlooding)]
        [InlineData("ESP32_C3", PolicyKind.ManagedFlooding)]
        public void Each_board_starts_with_the_policy_its_heap_allows_and_the_settings_file_may_change_it(string target, PolicyKind expected)
        {
            var s = new NodeSettings();
            BoardProfile.ForTarget(target)!.ApplyTo(s);
            Assert.Equal(expected, s.Policy.Kind);
            Assert.Equal(2, s.Policy.CancelThreshold); // the flooded frames' (and the backbone's) C

            NodeSettingsText.Parse("policy = managed\n", s, new RecordingLog());
            Assert.Equal(PolicyKind.ManagedFlooding, s.Policy.Kind);
        }

        [Fact]
        public void Every_profile_builds_a_valid_core_configuration_and_a_node_with_its_inbox_size()
        {
            foreach (string target in new[] { "ESP32_C3", "ESP32_REV0", "ESP32_PSRAM_REV0", "ESP32_S3_OCTAL", "ESP32_S3_QUAD" })
            {
                var s = new NodeSettings { Key = Convert.FromHexString("00112233445566778899aabbccddeeff") };
                BoardProfile p = BoardProfile.ForTarget(target)!;
                p.ApplyTo(s);
                Assert.Null(NodeConfigFactory.For(s, p.Tables(), 7, new Mesh.NodeApp.Crypto.ManagedCrypto(), new Mesh.Protocol.XorShiftRandom(1)).Validate());
                var log = new RecordingLog();
                var runner = new NodeRunner(s, p.Tables(), 7, new Mesh.NodeApp.Crypto.ManagedCrypto(),
                    new Mesh.Protocol.XorShiftRandom(1), new RecordingRadio(), new Mesh.NodeApp.Sensors.SensorSet(Array.Empty<ISensor>(), log),
                    new RecordingLed(), new RecordingDevice(), new SettingsStore(new MemoryStore(), log), log, 0);
                var frame = new byte[10];
                int accepted = 0;
                while (runner.OnFrameReceived(frame, 0, frame.Length, -60))
                {
                    accepted++;
                }

                Assert.Equal(p.InboxSlots, accepted);
            }
        }

        /// <summary>
        /// Table sizes are read once, when the node is built, and not kept: every field of an object a board keeps for
        /// ever is a 12-byte heap block, and the settings object lives as long as the runner (HeapBudgetTests).
        /// </summary>
        [Fact]
        public void Table_sizes_are_not_kept_in_the_settings_or_by_the_runner()
        {
            var tableFields = typeof(NodeTables).GetFields().Select(f => f.Name).ToArray();
            Assert.Equal(11, tableFields.Length);
            Assert.Empty(typeof(NodeSettings).GetFields().Select(f => f.Name).Intersect(tableFields));
            const System.Reflection.BindingFlags all = System.Reflection.BindingFlags.Instance | System.Reflection.BindingFlags.NonPublic | System.Reflection.BindingFlags.Public;
            Assert.DoesNotContain(typeof(NodeRunner).GetFields(all), f => f.FieldType == typeof(NodeTables));
        }
    }
}
