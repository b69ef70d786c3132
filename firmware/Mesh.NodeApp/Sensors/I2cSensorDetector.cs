using Mesh.NodeApp.Hal;

namespace Mesh.NodeApp.Sensors
{
    /// <summary>
    /// Finds known sensors at their datasheet addresses. The BME280 and BMP280 share addresses, so their
    /// chip-id register tells them apart. The board then builds the matching nanoFramework binding for
    /// each find.
    /// </summary>
    public static class I2cSensorDetector
    {
        public const int MaxFound = 6;

        private const byte BoschChipIdRegister = 0xD0;

        /// <summary>Fills <paramref name="kinds"/>/<paramref name="addresses"/>; returns how many sensors answered.</summary>
        public static int Detect(II2cProbe bus, I2cSensorKind[] kinds, int[] addresses)
        {
            int n = 0;
            for (int address = 0x76; address <= 0x77; address++)
            {
                byte id;
                if (n < kinds.Length && bus.Responds(address) && bus.TryReadRegister(address, BoschChipIdRegister, out id))
                {
                    I2cSensorKind kind = id == 0x60 ? I2cSensorKind.Bme280 : (id >= 0x56 && id <= 0x58) ? I2cSensorKind.Bmp280 : I2cSensorKind.None;
                    if (kind != I2cSensorKind.None)
                    {
                        kinds[n] = kind;
                        addresses[n] = address;
                        n++;
                    }
                }
            }

            for (int address = 0x44; address <= 0x45; address++)
            {
                if (n < kinds.Length && bus.Responds(address))
                {
                    kinds[n] = I2cSensorKind.Sht3x;
                    addresses[n] = address;
                    n++;
                }
            }

            if (n < kinds.Length && bus.Responds(0x38))
            {
                kinds[n] = I2cSensorKind.Aht20;
                addresses[n] = 0x38;
                n++;
            }

            return n;
        }

        public static string Describe(I2cSensorKind kind, int address)
        {
            string name = kind == I2cSensorKind.Bme280 ? "BME280" : kind == I2cSensorKind.Bmp280 ? "BMP280" : kind == I2cSensorKind.Sht3x ? "SHT3x" : kind == I2cSensorKind.Aht20 ? "AHT20" : "unknown";
            const string digits = "0123456789ABCDEF";
            return name + " @0x" + digits[(address >> 4) & 0xF] + digits[address & 0xF];
        }
    }
}
