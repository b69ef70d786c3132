using System;
using System.Device.I2c;
using System.IO;
using Mesh.NodeApp.Hal;

namespace Mesh.Node.Desktop.Sensors
{
    /// <summary>Probing a Linux I2C bus (/dev/i2c-N) through System.Device.I2c.</summary>
    internal sealed class LinuxI2cBus : II2cProbe
    {
        private readonly int _bus;

        public LinuxI2cBus(int bus)
        {
            if (!File.Exists("/dev/i2c-" + bus))
            {
                throw new IOException("/dev/i2c-" + bus + " does not exist (is I2C enabled? raspi-config → Interface Options → I2C)");
            }

            _bus = bus;
        }

        public bool TryWriteRead(int address, byte[] write, int writeLength, byte[] read, int readLength)
        {
            try
            {
                using I2cDevice d = I2cDevice.Create(new I2cConnectionSettings(_bus, address));
                d.Write(write.AsSpan(0, writeLength));
                if (readLength > 0)
                {
                    d.Read(read.AsSpan(0, readLength));
                }

                return true;
            }
            catch (IOException)
            {
                return false;
            }
        }
    }
}
