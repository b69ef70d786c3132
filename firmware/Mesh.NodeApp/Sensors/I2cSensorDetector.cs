using Mesh.NodeApp.Hal;

namespace Mesh.NodeApp.Sensors
{
    /// <summary>
    /// Finds known sensors at their datasheet addresses, each by a command that identifies it: the Bosch chip-id
    /// register (which also tells a BME280 from a BMP280), the SHT3x status register with its CRC, the AHT20
    /// status byte. Every probe starts with a write, because an idle SHT3x NACKs a bare read. The board then
    /// builds the matching nanoFramework binding for each find.
    /// </summary>
    public static class I2cSensorDetector
    {
        public const int MaxFound = 6;

        private const byte BoschChipIdRegister = 0xD0;

        /// <summary>SHT3x "read status register" (0xF32D): answers 2 bytes and their CRC-8 (datasheet 4.11).</summary>
        private const byte Sht3xStatusHigh = 0xF3;
        private const byte Sht3xStatusLow = 0x2D;

        /// <summary>AHT20 "get status" (0x71): answers one status byte (datasheet 5.4).</summary>
        private const byte Aht20Status = 0x71;

        /// <summary>Fills <paramref name="kinds"/>/<paramref name="addresses"/>; returns how many sensors answered.</summary>
        public static int Detect(II2cProbe bus, I2cSensorKind[] kinds, int[] addresses)
        {
            var command = new byte[2];
            var answer = new byte[3];
            int n = 0;
            for (int address = 0x76; address <= 0x77; address++)
            {
                command[0] = BoschChipIdRegister;
                if (n < kinds.Length && bus.TryWriteRead(address, command, 1, answer, 1))
                {
                    byte id = answer[0];
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
                command[0] = Sht3xStatusHigh;
                command[1] = Sht3xStatusLow;
                if (n < kinds.Length && bus.TryWriteRead(address, command, 2, answer, 3) && SensirionCrc8(answer, 0, 2) == answer[2])
                {
                    kinds[n] = I2cSensorKind.Sht3x;
                    addresses[n] = address;
                    n++;
                }
            }

            command[0] = Aht20Status;
            if (n < kinds.Length && bus.TryWriteRead(0x38, command, 1, answer, 1))
            {
                kinds[n] = I2cSensorKind.Aht20;
                addresses[n] = 0x38;
                n++;
            }

            return n;
        }

        /// <summary>CRC-8 of Sensirion sensors: polynomial 0x31, initial 0xFF, no reflection (SHT3x datasheet 4.12).</summary>
        public static byte SensirionCrc8(byte[] data, int offset, int count)
        {
            int crc = 0xFF;
            for (int i = 0; i < count; i++)
            {
                crc ^= data[offset + i];
                for (int bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 0x80) != 0 ? ((crc << 1) ^ 0x31) & 0xFF : (crc << 1) & 0xFF;
                }
            }

            return (byte)crc;
        }

        public static string Describe(I2cSensorKind kind, int address)
        {
            string name = kind == I2cSensorKind.Bme280 ? "BME280" : kind == I2cSensorKind.Bmp280 ? "BMP280" : kind == I2cSensorKind.Sht3x ? "SHT3x" : kind == I2cSensorKind.Aht20 ? "AHT20" : "unknown";
            const string digits = "0123456789ABCDEF";
            return name + " @0x" + digits[(address >> 4) & 0xF] + digits[address & 0xF];
        }
    }
}
