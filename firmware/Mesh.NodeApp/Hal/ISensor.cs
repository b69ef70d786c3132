using Mesh.Protocol.Messages;

namespace Mesh.NodeApp.Hal
{
    /// <summary>One sensor (or one chip): reads what it measures into the protocol's quantities and units.</summary>
    public interface ISensor
    {
        /// <summary>For logs: "BME280 @0x76", "DHT22 @GPIO4", "battery", "simulated".</summary>
        string Name { get; }

        /// <summary>
        /// The most values one read adds (a BME280: 3). The node's reading set holds the sum over its sensors, not
        /// the 32 a frame can carry: on an ESP32-C3 every array entry is heap it cannot spare.
        /// </summary>
        int MaxValues { get; }

        /// <summary>Adds this sensor's readings to <paramref name="into"/>. False on failure, with <see cref="LastError"/> saying why.</summary>
        bool TryRead(ReadingSet into);

        string LastError { get; }
    }
}
