using System;

namespace Mesh.Gateway.Model
{
    /// <summary>One measured value from one node, as the gateway publishes and stores it.</summary>
    /// <param name="Quantity">Protocol name: temperature, humidity, pressure, battery_voltage, battery, illuminance, co2, or generic_&lt;id&gt;.</param>
    public sealed record SensorReading(
        ushort Network,
        uint Node,
        string Quantity,
        double Value,
        string Unit,
        DateTimeOffset Timestamp,
        uint Sequence,
        int Hops,
        int Rssi);
}
