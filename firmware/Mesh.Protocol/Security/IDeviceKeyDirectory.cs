namespace Mesh.Protocol.Security
{
    /// <summary>
    /// Where a gateway finds the device keys of the nodes it provisioned (its registry). A node has no
    /// directory: it holds only its own device key.
    /// </summary>
    public interface IDeviceKeyDirectory
    {
        /// <summary>The key of <paramref name="node"/> with index <paramref name="index"/>, or null.</summary>
        DeviceKey Find(uint node, int index);

        /// <summary>The key to seal new frames to <paramref name="node"/> with (its newest), or null.</summary>
        DeviceKey Current(uint node);
    }
}
