using System;

namespace Mesh.Gateway.Serial
{
    /// <summary>
    /// The USB-serial port of a bridge board: 8 data bits, no parity, one stop bit, no flow control.
    /// </summary>
    /// <param name="PortName">e.g. /dev/ttyUSB0, /dev/ttyACM0 or COM3.</param>
    /// <param name="BaudRate">Must match the board's firmware; 115200 by default.</param>
    public sealed record SerialOptions(string PortName, int BaudRate = 115200)
    {
        /// <summary>Bridge boards' default, and the gateway's.</summary>
        public const int DefaultBaudRate = 115200;

        /// <summary>
        /// RSSI reported for frames whose RSSI byte is 0x80 ("not measured", PROTOCOL.md "Serial link
        /// framing"); boards normally send the measured value. Same default as UDP's nominal RSSI.
        /// </summary>
        public int NominalRssi { get; init; } = StreamFrameLink.DefaultNominalRssi;

        /// <summary>Decoded frames buffered for the gateway; beyond this they are dropped and counted.</summary>
        public int ReceiveCapacity { get; init; } = StreamFrameLink.DefaultReceiveCapacity;

        internal void Validate()
        {
            if (string.IsNullOrWhiteSpace(PortName))
            {
                throw new ArgumentException("SerialOptions.PortName is required (e.g. /dev/ttyUSB0 or COM3)", nameof(PortName));
            }

            if (BaudRate <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(BaudRate), BaudRate, "baud rate must be positive");
            }

            if (ReceiveCapacity <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(ReceiveCapacity), ReceiveCapacity, "receive capacity must be positive");
            }
        }
    }
}
