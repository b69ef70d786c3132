namespace Mesh.Protocol.Messages
{
    /// <summary>
    /// Measured quantities and their fixed units. A reading's value is a signed 32-bit integer in the
    /// quantity's unit times 10^Exponent — integers keep the wire exact and the device free of float
    /// formatting. Values are wire constants; never renumber.
    /// </summary>
    public enum Quantity : byte
    {
        /// <summary>Degrees Celsius, value × 10^-2.</summary>
        Temperature = 1,

        /// <summary>Relative humidity in percent, value × 10^-2.</summary>
        Humidity = 2,

        /// <summary>Pascal, value × 10^0.</summary>
        Pressure = 3,

        /// <summary>Battery or supply voltage in volts, value × 10^-3 (millivolts).</summary>
        BatteryVoltage = 4,

        /// <summary>Battery charge in percent, value × 10^0.</summary>
        BatteryLevel = 5,

        /// <summary>Illuminance in lux, value × 10^0.</summary>
        Illuminance = 6,

        /// <summary>CO2 concentration in ppm, value × 10^0.</summary>
        Co2 = 7,

        /// <summary>Application-defined: carries its own 16-bit id and decimal exponent, no unit.</summary>
        Generic = 255,
    }

    public static class Quantities
    {
        public static bool IsDefined(int q)
        {
            return (q >= (int)Quantity.Temperature && q <= (int)Quantity.Co2) || q == (int)Quantity.Generic;
        }

        /// <summary>The base-10 exponent applied to the integer value on the wire.</summary>
        public static int Exponent(Quantity q)
        {
            switch (q)
            {
                case Quantity.Temperature: return -2;
                case Quantity.Humidity: return -2;
                case Quantity.BatteryVoltage: return -3;
                default: return 0;
            }
        }

        /// <summary>Unit symbol of the scaled value (what a dashboard or Home Assistant shows).</summary>
        public static string Unit(Quantity q)
        {
            switch (q)
            {
                case Quantity.Temperature: return "°C";
                case Quantity.Humidity: return "%";
                case Quantity.Pressure: return "Pa";
                case Quantity.BatteryVoltage: return "V";
                case Quantity.BatteryLevel: return "%";
                case Quantity.Illuminance: return "lx";
                case Quantity.Co2: return "ppm";
                default: return "";
            }
        }

        /// <summary>Lower-case name used in topics and APIs.</summary>
        public static string Name(Quantity q)
        {
            switch (q)
            {
                case Quantity.Temperature: return "temperature";
                case Quantity.Humidity: return "humidity";
                case Quantity.Pressure: return "pressure";
                case Quantity.BatteryVoltage: return "battery_voltage";
                case Quantity.BatteryLevel: return "battery";
                case Quantity.Illuminance: return "illuminance";
                case Quantity.Co2: return "co2";
                case Quantity.Generic: return "generic";
                default: return "unknown";
            }
        }
    }
}
