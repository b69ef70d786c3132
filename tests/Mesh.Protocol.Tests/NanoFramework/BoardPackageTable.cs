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
        /// The native-backed packages the board pins, with the native checksum of the assembly at that version and
        /// whether nf-interpreter main declares it. Source: ../shared/tools/nanofw (metadata processor v3.0.100 over
        /// the library built from its tag; fwwindow.py over nf-interpreter main, head 2026-07-24). A board refuses
        /// an assembly whose checksum its firmware does not declare, so these are what decides whether the image loads.
        /// Raising a version means re-running that tool and writing the new checksum here.
        /// </summary>
        public static readonly IReadOnlyDictionary<string, (string Version, uint Checksum)> NativeBacked = new Dictionary<string, (string, uint)>
        {
            ["nanoFramework.Runtime.Events"] = ("1.11.37", 0x0EAB00C9),
            ["nanoFramework.Runtime.Native"] = ("1.7.11", 0x0EAE898B),
            ["nanoFramework.System.Text"] = ("1.3.42", 0x8E6EB73D),
            ["nanoFramework.System.Net"] = ("1.11.54", 0x00000000),
            ["nanoFramework.System.Device.Wifi"] = ("1.5.147", 0x00000000),
            ["nanoFramework.Hardware.Esp32"] = ("1.6.37", 0x6A20A689),
            ["nanoFramework.Hardware.Esp32.Rmt"] = ("2.0.35", 0x00000000),
            ["nanoFramework.System.Collections"] = ("1.5.67", 0x40DC251F),
            ["nanoFramework.System.Math"] = ("1.5.116", 0x9F9E2A7E),
            ["nanoFramework.System.Device.Gpio"] = ("1.1.57", 0x097E7BC5),
            ["nanoFramework.System.Device.I2c"] = ("1.1.29", 0xFA806D33),
            ["nanoFramework.System.Device.Adc"] = ("1.1.24", 0xE5B80F0B),
            ["nanoFramework.System.IO.Ports"] = ("1.1.132", 0xB798CE30),
            ["nanoFramework.System.IO.FileSystem"] = ("1.1.87", 0x1777E2FE),
        };

        /// <summary>
        /// Pinned versions whose checksums firmware built from nf-interpreter main no longer declares (the tool's
        /// "stale" lines): never to be pinned again for the stable firmware.
        /// </summary>
        public static readonly IReadOnlyDictionary<string, string> RefusedByCurrentFirmware = new Dictionary<string, string>
        {
            ["nanoFramework.System.Net"] = "1.11.47",             // 0xD82C1452, declared 2024-01-26 .. 2026-04-07
            ["nanoFramework.System.Device.Wifi"] = "1.5.139",     // 0x030E2768, declared 2025-12-16 .. 2026-05-29
            ["nanoFramework.System.Security.Cryptography"] = "1.0.38", // 0x343142CA, declared 2024-07-30 .. 2026-02-26
        };
    }
}
