using System;
using System.IO;
using System.Linq;
using System.Text.RegularExpressions;

namespace Mesh.Protocol.Tests.NanoFramework
{
    /// <summary>
    /// Facts about the board layer and its guide that a Linux machine can check by reading them (the board
    /// project itself is compiled by ../shared/tools/nanofw, not here).
    /// </summary>
    public class BoardSourceFactsTests
    {
        private static string Board => Path.Combine(NanoPaths.RepoRoot, "firmware", "Mesh.Board");

        private static string[] BoardSources() =>
            Directory.EnumerateFiles(Board, "*.cs", SearchOption.AllDirectories)
                .Where(f => !f.Contains(Path.DirectorySeparatorChar + "obj" + Path.DirectorySeparatorChar, StringComparison.Ordinal)
                    && !f.Contains(Path.DirectorySeparatorChar + "bin" + Path.DirectorySeparatorChar, StringComparison.Ordinal))
                .ToArray();

        [Fact]
        public void The_image_leaves_the_policy_to_the_board_profile()
        {
            // The policy is per board (BoardProfile.Policy: structured routing where it fits, managed flooding on the
            // ESP32-C3; Mesh.Node.Tests HeapBudgetTests); a policy line here would override it on every board.
            string text = File.ReadAllText(Path.Combine(Board, "ImageDefaults.cs"));
            Assert.DoesNotMatch(new Regex(@"""\s*policy\s*="), text);
            Assert.Contains("profile.ApplyTo(defaults);", File.ReadAllText(Path.Combine(Board, "Program.cs")));
        }

        [Fact]
        public void The_image_defaults_hold_no_key_and_no_WiFi_credentials()
        {
            // A key compiled in was written to flash once and then ignored forever (issue #11, item 3); a key or a
            // password in the image also makes every board of a build share it. Both belong in I:\mesh.conf.
            string text = File.ReadAllText(Path.Combine(Board, "ImageDefaults.cs"));
            Assert.DoesNotMatch(new Regex(@"""\s*#?\s*(key|wifi_ssid|wifi_password)\s*=", RegexOptions.IgnoreCase), text);
            Assert.False(File.Exists(Path.Combine(Board, "FirstBoot.cs")));
        }

        [Fact]
        public void The_board_logs_through_Console_because_Debug_WriteLine_is_compiled_out_of_Release()
        {
            // nanoFramework.CoreLibrary 1.17.11: System.Diagnostics.Debug's methods are [Conditional("DEBUG")].
            foreach (string file in BoardSources())
            {
                string code = string.Join("\n", File.ReadAllLines(file).Where(l => !l.TrimStart().StartsWith("//", StringComparison.Ordinal)));
                Assert.DoesNotContain("Debug.Write", code, StringComparison.Ordinal);
            }

            Assert.Contains("Console.WriteLine", File.ReadAllText(Path.Combine(Board, "Platform", "ConsoleLog.cs")), StringComparison.Ordinal);
        }

        [Fact]
        public void The_guide_names_only_firmware_targets_that_exist()
        {
            // nf-interpreter main, targets/ESP32/CMakePresets.json (there is no plain ESP32_S3).
            string[] published = { "ESP32_REV0", "ESP32_REV3", "ESP32_PSRAM_REV0", "ESP32_PSRAM_REV3", "ESP32_C3", "ESP32_S3_QUAD", "ESP32_S3_OCTAL" };
            string guide = File.ReadAllText(Path.Combine(NanoPaths.RepoRoot, "hardware", "README.md"));
            var named = Regex.Matches(guide, @"`(ESP32_[A-Z0-9_]+)`|--target (ESP32_[A-Z0-9_]+)")
                .Select(m => m.Groups[1].Success ? m.Groups[1].Value : m.Groups[2].Value)
                .Distinct()
                .ToArray();
            Assert.NotEmpty(named);
            Assert.All(named, t => Assert.Contains(t, published));
            Assert.Contains("ESP32_S3_OCTAL", named);
        }

        [Fact]
        public void The_bridge_UART_and_the_I2C_bus_take_their_pins_from_the_settings_not_constants()
        {
            string program = File.ReadAllText(Path.Combine(Board, "Program.cs"));
            Assert.Contains("SetPinFunction(settings.SerialRxPin, DeviceFunction.COM2_RX)", program, StringComparison.Ordinal);
            Assert.Contains("SetPinFunction(settings.SerialTxPin, DeviceFunction.COM2_TX)", program, StringComparison.Ordinal);
            Assert.DoesNotMatch(new Regex(@"SetPinFunction\(\s*\d"), string.Concat(BoardSources().Select(File.ReadAllText)));
        }
    }
}
