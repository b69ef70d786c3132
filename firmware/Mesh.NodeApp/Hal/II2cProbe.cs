namespace Mesh.NodeApp.Hal
{
    /// <summary>
    /// Enough of an I2C bus to find out what is on it. Probes are writes of a command the device understands,
    /// never bare reads: an idle Sensirion SHT3x does not acknowledge a read header (its datasheet: reads are
    /// only answered after a command), so a one-byte read probe misses it.
    /// </summary>
    public interface II2cProbe
    {
        /// <summary>
        /// Writes <paramref name="write"/>[0, writeLength) to the device at <paramref name="address"/>, then reads
        /// <paramref name="readLength"/> bytes into <paramref name="read"/> in a second transaction. False when the
        /// device does not acknowledge either part or the bus fails.
        /// </summary>
        bool TryWriteRead(int address, byte[] write, int writeLength, byte[] read, int readLength);
    }
}
