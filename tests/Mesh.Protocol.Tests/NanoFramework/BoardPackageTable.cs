using System.Collections.Generic;

namespace Mesh.Protocol.Tests.NanoFramework
{
    /// <summary>
    /// What the board's NuGet packages are, written down from their sources so the board project's files can be
    /// checked against them here, where the packages themselves do not restore.
    /// </summary>
    public static class BoardPackageTable
    {
        /// <summary>
        /// The assembly file each package ships under lib\ — the file a HintPath must name. Source: the package's
        /// .nuspec &lt;file target="lib\..."&gt; at the pinned tag (nanoframework/&lt;repo&gt;), for
        /// nanoFramework.IoT.Device the device folder's .nuspec at commit 122ebb1a7, for UnitsNet the per-quantity
        /// .nfproj's AssemblyName (its .nuspec packs "UnitsNet.*"). The file name is not the package id:
        /// nanoFramework.System.Security.Cryptography ships nanoFramework.System.Security.Cryptography.dll but
        /// nanoFramework.System.Net ships System.Net.dll. Packages the board no longer uses stay listed, so that the
        /// mistakes they caused are still caught.
        /// </summary>
        public static readonly IReadOnlyDictionary<string, string> ShippedAssembly = new Dictionary<string, string>
        {
            ["nanoFramework.CoreLibrary"] = "mscorlib",
            ["nanoFramework.Runtime.Events"] = "nanoFramework.Runtime.Events",
            ["nanoFramework.Runtime.Native"] = "nanoFramework.Runtime.Native",
            ["nanoFramework.Hardware.Esp32"] = "nanoFramework.Hardware.Esp32",
            ["nanoFramework.Hardware.Esp32.Rmt"] = "nanoFramework.Hardware.Esp32.Rmt",
            ["nanoFramework.System.Collections"] = "nanoFramework.System.Collections",
            ["nanoFramework.System.Text"] = "nanoFramework.System.Text",
            ["nanoFramework.System.Threading"] = "System.Threading",
            ["nanoFramework.System.Math"] = "System.Math",
            ["nanoFramework.System.Device.Gpio"] = "System.Device.Gpio",
            ["nanoFramework.System.Device.I2c"] = "System.Device.I2c",
            ["nanoFramework.System.Device.Adc"] = "System.Device.Adc",
            ["nanoFramework.System.Device.Model"] = "System.Device.Model",
            ["nanoFramework.System.Device.Wifi"] = "System.Device.Wifi",
            ["nanoFramework.System.Net"] = "System.Net",
            ["nanoFramework.System.Net.Sockets.UdpClient"] = "System.Net.Sockets.UdpClient",
            ["nanoFramework.System.IO.Ports"] = "System.IO.Ports",
            ["nanoFramework.System.IO.FileSystem"] = "System.IO.FileSystem",
            ["nanoFramework.System.IO.Streams"] = "System.IO.Streams",
            ["nanoFramework.System.Security.Cryptography"] = "nanoFramework.System.Security.Cryptography",
            ["nanoFramework.System.Buffers.Binary.BinaryPrimitives"] = "System.Buffers.Binary.BinaryPrimitives",
            ["nanoFramework.System.Diagnostics.Stopwatch"] = "System.Diagnostics.Stopwatch",
            ["nanoFramework.Iot.Device.Common.WeatherHelper"] = "Iot.Device.Common.WeatherHelper",
            ["nanoFramework.Iot.Device.Bmxx80"] = "Iot.Device.Bmxx80",
            ["nanoFramework.Iot.Device.Sht3x"] = "Iot.Device.Sht3x",
            ["nanoFramework.Iot.Device.Ahtxx"] = "Iot.Device.Ahtxx",
            ["nanoFramework.Iot.Device.Dhtxx"] = "Iot.Device.Dhtxx",
            ["nanoFramework.Iot.Device.Dhtxx.Esp32"] = "Iot.Device.Dhtxx.Esp32",
            ["UnitsNet.nanoFramework.Duration"] = "UnitsNet.Duration",
            ["UnitsNet.nanoFramework.ElectricResistance"] = "UnitsNet.ElectricResistance",
            ["UnitsNet.nanoFramework.Length"] = "UnitsNet.Length",
            ["UnitsNet.nanoFramework.Pressure"] = "UnitsNet.Pressure",
            ["UnitsNet.nanoFramework.RelativeHumidity"] = "UnitsNet.RelativeHumidity",
            ["UnitsNet.nanoFramework.Temperature"] = "UnitsNet.Temperature",
        };

        /// <summary>
        /// The native-backed packages the board pins: the native checksum of the assembly at that version and the
        /// dates between which nf-interpreter main declared it (null: still declared at main's head, 2026-07-24). A
        /// board refuses an assembly whose checksum its firmware does not declare, so these decide which firmware
        /// runs the image. Source: ../shared/tools/nanofw (metadata processor v3.0.100 over each library built from
        /// its tag; fwwindow.py over nf-interpreter main). Raising a version means re-running that tool and writing
        /// its line here.
        /// </summary>
        public static readonly IReadOnlyDictionary<string, (string Version, uint Checksum, string DeclaredFrom, string? DeclaredUntil)> NativeBacked =
            new Dictionary<string, (string, uint, string, string?)>
            {
                ["nanoFramework.Runtime.Events"] = ("1.11.37", 0x0EAB00C9, "1970-01-01", null),
                ["nanoFramework.Runtime.Native"] = ("1.7.11", 0x0EAE898B, "2024-10-10", null),
                ["nanoFramework.System.Text"] = ("1.3.42", 0x8E6EB73D, "1970-01-01", null),
                ["nanoFramework.System.Net"] = ("1.11.54", 0x6DFA71D6, "2026-04-07", "2026-07-10"),
                ["nanoFramework.System.Device.Wifi"] = ("1.5.147", 0xEE721CDA, "2026-05-29", null),
                ["nanoFramework.Hardware.Esp32"] = ("1.6.37", 0x6A20A689, "2023-09-04", null),
                ["nanoFramework.Hardware.Esp32.Rmt"] = ("2.0.35", 0x8ADAC728, "2025-02-26", null),
                ["nanoFramework.System.Math"] = ("1.5.116", 0x9F9E2A7E, "2023-11-09", null),
                ["nanoFramework.System.Device.Gpio"] = ("1.1.57", 0x097E7BC5, "2022-09-13", null),
                ["nanoFramework.System.Device.I2c"] = ("1.1.29", 0xFA806D33, "1970-01-01", null),
                ["nanoFramework.System.Device.Adc"] = ("1.1.24", 0xE5B80F0B, "2021-10-29", null),
                ["nanoFramework.System.IO.Ports"] = ("1.1.132", 0xB798CE30, "2022-05-26", null),
                ["nanoFramework.System.IO.FileSystem"] = ("1.1.87", 0x1777E2FE, "2024-12-06", null),
                ["nanoFramework.System.Collections"] = ("1.5.67", 0x40DC251F, "2024-09-26", null),
            };

        /// <summary>
        /// The firmware that declares every checksum above: built from nf-interpreter main from 2026-05-29 (commit
        /// d52d4767f, Wifi's declaration v100.0.6.6) to 2026-07-10 (3367392a0, before #3460 moved System.Net to
        /// 0x8EFB9944). Versions by Nerdbank.GitVersioning's height rule over nf-interpreter's history (version.json
        /// 1.16.0 from 463e6ee9a, 1.17.0 from df0676f46); computed, not checked against the published list.
        /// </summary>
        public const string FirmwareFrom = "1.16.0.43";

        public const string FirmwareTo = "1.17.0.30";

        /// <summary>The firmware version the guide tells users to flash (inside the window above).</summary>
        public const string FirmwarePinned = "1.17.0.30";

        /// <summary>
        /// Versions that must not come back: checksums the current firmware window does not declare (the tool's
        /// "stale" lines for the pins before issue #11), or a version older than a dependency requires.
        /// </summary>
        public static readonly IReadOnlyDictionary<string, string> RefusedByCurrentFirmware = new Dictionary<string, string>
        {
            ["nanoFramework.System.Net"] = "1.11.47",             // 0xD82C1452, declared 2024-01-26 .. 2026-04-07
            ["nanoFramework.Runtime.Events"] = "1.11.32",         // same checksum, but Wifi 1.5.147 and System.Net 1.11.54 need >= 1.11.37
            ["nanoFramework.System.Device.Wifi"] = "1.5.139",     // 0x030E2768, declared 2025-12-16 .. 2026-05-29
            ["nanoFramework.System.Security.Cryptography"] = "1.0.38", // 0x343142CA, declared 2024-07-30 .. 2026-02-26
        };
    }
}
