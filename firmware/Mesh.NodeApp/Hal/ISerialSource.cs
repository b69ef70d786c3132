namespace Mesh.NodeApp.Hal
{
    /// <summary>The receiving side of a UART, as nanoFramework's SerialPort offers it.</summary>
    public interface ISerialSource
    {
        /// <summary>Bytes already received and buffered by the driver.</summary>
        int BytesToRead { get; }

        /// <summary>
        /// Reads up to <paramref name="count"/> bytes. On ESP32 this waits until <paramref name="count"/> bytes
        /// are buffered (there is no read timeout by default), so callers ask for at most <see cref="BytesToRead"/>.
        /// </summary>
        int Read(byte[] buffer, int offset, int count);
    }
}
