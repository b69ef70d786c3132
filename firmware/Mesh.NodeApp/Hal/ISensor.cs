using Mesh.Protocol.Messages;

namespace Mesh.NodeApp.Hal
{
    /// <summary>One sensor (or one chip): reads what it measures into the protocol's quantities and units.</summary>
    public interface ISensor
    {
        /// <summary>For logs: "BME280 @0x76", "DHT22 @GPIO4", "battery", "simulated".</summary>
        string Name { get; }

        /// <summary>Adds this sensor's readings to <paramref name="into"/>. False on failure, with <see cref="LastError"/> saying why.</summary>
        bool TryRead(ReadingSet into);

        string LastError { get; }
    }
}
