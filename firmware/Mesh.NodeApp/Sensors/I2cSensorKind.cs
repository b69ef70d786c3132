namespace Mesh.NodeApp.Sensors
{
    /// <summary>I2C sensors the node recognises on its bus.</summary>
    public enum I2cSensorKind
    {
        None = 0,

        /// <summary>Bosch BME280 (temperature, humidity, pressure): 0x76/0x77, chip id 0x60 at register 0xD0.</summary>
        Bme280 = 1,

        /// <summary>Bosch BMP280 (temperature, pressure): 0x76/0x77, chip id 0x56..0x58 at register 0xD0.</summary>
        Bmp280 = 2,

        /// <summary>Sensirion SHT3x (temperature, humidity): 0x44/0x45.</summary>
        Sht3x = 3,

        /// <summary>Aosong AHT20 (temperature, humidity): 0x38.</summary>
        Aht20 = 4,
    }
}
