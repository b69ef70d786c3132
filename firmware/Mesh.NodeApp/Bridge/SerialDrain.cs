using Mesh.NodeApp.Hal;

namespace Mesh.NodeApp.Bridge
{
    /// <summary>
    /// Moves what a UART has buffered into the bridge without ever asking for more than is there: on ESP32
    /// <c>SerialPort.Read(buf, 0, 256)</c> waits until 256 bytes have arrived, so a short frame from the
    /// gateway would sit in the driver until the next ones pushed it through.
    /// </summary>
    public static class SerialDrain
    {
        /// <summary>Reads every buffered byte into <paramref name="bridge"/>, in chunks of at most the buffer's size; returns how many.</summary>
        public static int Drain(ISerialSource source, byte[] buffer, SerialBridge bridge)
        {
            int total = 0;
            int available = source.BytesToRead;
            while (available > 0)
            {
                int want = available < buffer.Length ? available : buffer.Length;
                int n = source.Read(buffer, 0, want);
                if (n <= 0)
                {
                    break;
                }

                bridge.OnSerialBytes(buffer, 0, n);
                total += n;
                available = source.BytesToRead;
            }

            return total;
        }
    }
}
