using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Xml.Linq;

namespace Mesh.Protocol.Tests.NanoFramework
{
    /// <summary>
    /// The board project's references against what its packages really ship (<see cref="BoardPackageTable"/>):
    /// a HintPath naming a file the package does not contain fails the build with CS0246 in Visual Studio, and a
    /// native-backed package whose checksum current firmware does not declare fails at boot on the board.
    /// </summary>
    public class BoardPackageTests
    {
        private static string BoardDirectory => Path.Combine(NanoPaths.RepoRoot, "firmware", "Mesh.Board");

        private static XElement[] Elements(XDocument doc, string localName) =>
            doc.Descendants().Where(e => e.Name.LocalName == localName).ToArray();

        /// <summary>The board images: the full one, and the relay image for the ESP32-C3 (no sensor bindings).</summary>
        public static TheoryData<string, string> BoardProjects => new TheoryData<string, string>
        {
            { "Mesh.Board", "Mesh.Board.nfproj" },
            { "Mesh.Board.Relay", "Mesh.Board.Relay.nfproj" },
        };

        private static Dictionary<string, string> PinnedPackages(string folder = "Mesh.Board") =>
            Elements(XDocument.Load(Path.Combine(NanoPaths.RepoRoot, "firmware", folder, "packages.config")), "package")
                .ToDictionary(p => (string)p.Attribute("id")!, p => (string)p.Attribute("version")!);

        private static (string Include, string HintPath)[] References(string folder = "Mesh.Board", string project = "Mesh.Board.nfproj") =>
            Elements(XDocument.Load(Path.Combine(NanoPaths.RepoRoot, "firmware", folder, project)), "Reference")
                .Select(r => ((string)r.Attribute("Include")!, r.Elements().Single(e => e.Name.LocalName == "HintPath").Value))
                .ToArray();

        /// <summary>Null when <paramref name="hintPath"/> is what the package ships; otherwise what is wrong.</summary>
        public static string? HintPathProblem(string packageId, string version, string include, string hintPath)
        {
            if (!BoardPackageTable.ShippedAssembly.TryGetValue(packageId, out string? assembly))
            {
                return packageId + ": not in BoardPackageTable.ShippedAssembly (read its .nuspec and add it)";
            }

            string expected = @"..\..\packages\" + packageId + "." + version + @"\lib\" + assembly + ".dll";
            if (!string.Equals(hintPath, expected, StringComparison.Ordinal))
            {
                return packageId + ": HintPath " + hintPath + " but the package ships " + expected;
            }

            string name = include.Split(',')[0].Trim();
            return name == assembly ? null : packageId + ": Reference Include=\"" + name + "\" but the assembly is " + assembly;
        }

        [Theory]
        [MemberData(nameof(BoardProjects))]
        public void Every_HintPath_names_the_assembly_file_its_package_ships_at_the_pinned_version(string folder, string project)
        {
            Dictionary<string, string> pinned = PinnedPackages(folder);
            var problems = new List<string>();
            foreach ((string include, string hintPath) in References(folder, project))
            {
                string[] parts = hintPath.Split('\\');
                Assert.True(parts.Length == 6 && parts[0] == ".." && parts[1] == ".." && parts[2] == "packages" && parts[4] == "lib", "unexpected HintPath shape: " + hintPath);
                KeyValuePair<string, string> package = pinned.SingleOrDefault(p => parts[3] == p.Key + "." + p.Value);
                if (package.Key == null)
                {
                    problems.Add(hintPath + ": no package of packages.config at this folder");
                    continue;
                }

                string? problem = HintPathProblem(package.Key, package.Value, include, hintPath);
                if (problem != null)
                {
                    problems.Add(problem);
                }
            }

            Assert.True(problems.Count == 0, string.Join(Environment.NewLine, problems));
            Assert.Equal(pinned.Count, References(folder, project).Length);
        }

        /// <summary>
        /// The relay image takes the full image's packages at the same versions (one firmware serves both, and the
        /// native checksums checked below are the same), less the sensor bindings, UnitsNet and what only they use.
        /// </summary>
        [Fact]
        public void The_relay_image_pins_a_subset_of_the_full_images_packages_at_the_same_versions_without_sensor_bindings_bridge_or_esp32_library()
        {
            Dictionary<string, string> full = PinnedPackages();
            Dictionary<string, string> relay = PinnedPackages("Mesh.Board.Relay");
            foreach ((string id, string version) in relay)
            {
                Assert.True(full.TryGetValue(id, out string? v) && v == version, id + " " + version + " in the relay image but not at that version in ../Mesh.Board/packages.config");
            }

            string[] leftOut =
            {
                "nanoFramework.Hardware.Esp32.Rmt", "nanoFramework.System.Math", "nanoFramework.System.Device.I2c",
                "nanoFramework.System.Device.Model", "nanoFramework.System.Buffers.Binary.BinaryPrimitives",
                "nanoFramework.System.Diagnostics.Stopwatch",
                "nanoFramework.System.IO.Ports", "nanoFramework.Hardware.Esp32", // the bridge and the HighResTimer clock (NO_BRIDGE, NO_ESP32_LIBRARY)
            };
            foreach (string id in relay.Keys)
            {
                Assert.False(id.StartsWith("nanoFramework.Iot.Device.", StringComparison.Ordinal) || id.StartsWith("UnitsNet.", StringComparison.Ordinal) || leftOut.Contains(id), id + " is what the relay image leaves out");
            }

            // Everything else the full image pins (the radio, WiFi, sockets, flash file system, GPIO/ADC) is kept.
            foreach (string id in full.Keys.Where(k => !k.StartsWith("nanoFramework.Iot.Device.", StringComparison.Ordinal) && !k.StartsWith("UnitsNet.", StringComparison.Ordinal) && !leftOut.Contains(k)))
            {
                Assert.True(relay.ContainsKey(id), id + " is missing from the relay image");
            }

            Assert.Equal(13, relay.Count);
        }

        [Fact]
        public void The_check_catches_the_cryptography_HintPath_that_did_not_build()
        {
            // As committed before issue #11: the package ships nanoFramework.System.Security.Cryptography.dll.
            string? problem = HintPathProblem("nanoFramework.System.Security.Cryptography", "1.0.38", "System.Security.Cryptography",
                @"..\..\packages\nanoFramework.System.Security.Cryptography.1.0.38\lib\System.Security.Cryptography.dll");
            Assert.NotNull(problem);
            Assert.Contains(@"lib\nanoFramework.System.Security.Cryptography.dll", problem, StringComparison.Ordinal);
            Assert.Null(HintPathProblem("nanoFramework.System.Net", "1.11.54", "System.Net", @"..\..\packages\nanoFramework.System.Net.1.11.54\lib\System.Net.dll"));
        }

        [Fact]
        public void Every_native_backed_package_is_pinned_at_the_checked_version_and_one_firmware_window_declares_them_all()
        {
            Dictionary<string, string> pinned = PinnedPackages();
            string from = "0000-00-00";
            string until = "9999-99-99";
            foreach ((string id, (string version, uint checksum, string declaredFrom, string? declaredUntil)) in BoardPackageTable.NativeBacked)
            {
                Assert.True(pinned.ContainsKey(id), id + " is in the checked table but not in packages.config: remove the row");
                Assert.True(pinned[id] == version, id + " " + pinned[id] + " is pinned, but " + version + " is the version checked against the firmware");
                Assert.NotEqual(0u, checksum);
                from = string.CompareOrdinal(declaredFrom, from) > 0 ? declaredFrom : from;
                until = declaredUntil != null && string.CompareOrdinal(declaredUntil, until) < 0 ? declaredUntil : until;
            }

            // The window the firmware constants describe: Wifi 1.5.147 from 2026-05-29, System.Net 1.11.54 until 2026-07-10.
            Assert.Equal("2026-05-29", from);
            Assert.Equal("2026-07-10", until);

            foreach ((string id, string refused) in BoardPackageTable.RefusedByCurrentFirmware)
            {
                Assert.False(pinned.TryGetValue(id, out string? v) && v == refused, id + " " + refused + " must not be pinned again");
            }
        }

        [Fact]
        public void The_guide_pins_the_firmware_inside_the_window_and_says_which_package_ties_it()
        {
            string guide = File.ReadAllText(Path.Combine(NanoPaths.RepoRoot, "hardware", "README.md"));
            Assert.Contains("--fwversion " + BoardPackageTable.FirmwarePinned, guide, StringComparison.Ordinal);
            Assert.Contains(BoardPackageTable.FirmwareFrom, guide, StringComparison.Ordinal);
            Assert.Contains(BoardPackageTable.FirmwareTo, guide, StringComparison.Ordinal);
            Assert.Contains("0x8EFB9944", guide, StringComparison.Ordinal); // what a newer System.Net must declare
        }

        /// <summary>
        /// A package that carries native code (its assembly has a native checksum) must be in the checked table.
        /// Which ones do is read from the same tool output; the managed-only ones are listed here with the reason.
        /// </summary>
        [Fact]
        public void Every_pinned_package_is_either_checked_against_the_firmware_or_known_to_be_managed_only()
        {
            var managedOnly = new HashSet<string>
            {
                "nanoFramework.CoreLibrary",                      // mscorlib: matched by the firmware version itself (nanoff's target image)
                "nanoFramework.System.Threading",                 // no native methods (checksum 0 in its .pe)
                "nanoFramework.System.IO.Streams",
                "nanoFramework.System.Net.Sockets.UdpClient",
                "nanoFramework.System.Device.Model",
                "nanoFramework.System.Buffers.Binary.BinaryPrimitives",
                "nanoFramework.System.Diagnostics.Stopwatch",
                "nanoFramework.Iot.Device.Common.WeatherHelper",
                "nanoFramework.Iot.Device.Bmxx80",
                "nanoFramework.Iot.Device.Sht3x",
                "nanoFramework.Iot.Device.Ahtxx",
                "nanoFramework.Iot.Device.Dhtxx.Esp32",
                "UnitsNet.nanoFramework.Duration",
                "UnitsNet.nanoFramework.ElectricResistance",
                "UnitsNet.nanoFramework.Length",
                "UnitsNet.nanoFramework.Pressure",
                "UnitsNet.nanoFramework.RelativeHumidity",
                "UnitsNet.nanoFramework.Temperature",
            };
            foreach (string id in PinnedPackages().Keys)
            {
                Assert.True(BoardPackageTable.NativeBacked.ContainsKey(id) ^ managedOnly.Contains(id), id + ": say whether it is native-backed");
            }
        }

        [Fact]
        public void The_hardware_guide_lists_every_native_backed_package_at_its_pinned_version()
        {
            string guide = File.ReadAllText(Path.Combine(NanoPaths.RepoRoot, "hardware", "README.md"));
            foreach ((string id, (string version, uint checksum, string _, string? _)) in BoardPackageTable.NativeBacked)
            {
                Assert.Contains("| " + id + " | " + version + " | 0x" + checksum.ToString("X8") + " |", guide, StringComparison.Ordinal);
            }
        }
    }
}
