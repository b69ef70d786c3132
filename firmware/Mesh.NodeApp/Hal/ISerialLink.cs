namespace Mesh.NodeApp.Hal
{
    /// <summary>The bridge board's UART to the gateway. Bytes from the gateway go into <see cref="Bridge.SerialBridge.OnSerialBytes"/>.</summary>
    public interface ISerialLink
    {
        /// <summary>Writes bytes in order; false when the port refused (closed, timed out).</summary>
        bool Write(byte[] data, int offset, int count);
    }
}
