namespace Mesh.NodeApp.Hal
{
    /// <summary>Enough of an I2C bus to find out what is on it.</summary>
    public interface II2cProbe
    {
        /// <summary>True when a device acknowledges <paramref name="address"/>.</summary>
        bool Responds(int address);

        /// <summary>Reads one register of the device at <paramref name="address"/>; false on a bus error.</summary>
        bool TryReadRegister(int address, byte register, out byte value);
    }
}
