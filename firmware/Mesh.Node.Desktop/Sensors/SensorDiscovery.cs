using System;
using System.Collections.Generic;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Sensors;
using Mesh.NodeApp.Settings;
using Mesh.Protocol.Desktop;

namespace Mesh.Node.Desktop.Sensors
{
    /// <summary>Which sensors a mesh-node reads: what answers on the I2C bus (Linux), else a simulated one.</summary>
    internal static class SensorDiscovery
    {
        public static ISensor[] Find(int? i2cBus, NodeSettings settings, ILog log)
        {
            var sensors = new List<ISensor>();
            if (i2cBus is int bus)
            {
                try
                {
                    var probe = new LinuxI2cBus(bus);
                    var kinds = new I2cSensorKind[I2cSensorDetector.MaxFound];
                    var addresses = new int[I2cSensorDetector.MaxFound];
                    int n = I2cSensorDetector.Detect(probe, kinds, addresses);
                    for (int i = 0; i < n; i++)
                    {
                        sensors.Add(I2cSensors.Create(bus, kinds[i], addresses[i]));
                        log.Write(LogLevel.Info, "found " + I2cSensorDetector.Describe(kinds[i], addresses[i]) + " on /dev/i2c-" + bus);
                    }

                    if (n == 0)
                    {
                        log.Write(LogLevel.Warning, "no known sensor answers on /dev/i2c-" + bus + " (BME280/BMP280 0x76/0x77, SHT3x 0x44/0x45, AHT20 0x38)");
                    }
                }
                catch (Exception ex) when (ex is System.IO.IOException or UnauthorizedAccessException or PlatformNotSupportedException or ArgumentException)
                {
                    log.Write(LogLevel.Error, "cannot open /dev/i2c-" + bus + ": " + ex.Message);
                }
            }

            if (sensors.Count == 0 && settings.SimulateWhenNoSensor)
            {
                sensors.Add(new SimulatedSensor(new DesktopRandom(), settings.NodeId));
            }

            return sensors.ToArray();
        }
    }
}
