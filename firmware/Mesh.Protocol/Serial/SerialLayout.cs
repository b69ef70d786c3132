using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Serial
{
    /// <summary>
    /// Sizes and constants of the USB-serial link between a bridge board and the gateway host. PROTOCOL.md
    /// ("Serial link framing") is the normative description. On the wire every frame is
    /// <c>00 | COBS(content) | 00</c>, and the content is <c>rssi (1) | mesh frame (1..250) | CRC-16 (2, LE)</c>.
    /// </summary>
    public static class SerialLayout
    {
        /// <summary>Frame delimiter. COBS guarantees it never occurs inside a stuffed frame.</summary>
        public const byte Delimiter = 0x00;

        /// <summary>The signed RSSI byte that leads the content (see <see cref="RssiUnknown"/>).</summary>
        public const int RssiSize = 1;

        /// <summary>CRC-16/CCITT-FALSE of rssi + frame, little-endian, at the end of the content.</summary>
        public const int CrcSize = 2;

        /// <summary>Content bytes around the mesh frame: rssi + CRC.</summary>
        public const int Overhead = RssiSize + CrcSize;

        /// <summary>The serial layer does not interpret the mesh frame; it only needs one byte of it.</summary>
        public const int MinFrameSize = 1;

        /// <summary>The largest mesh frame (the ESP-NOW payload limit).</summary>
        public const int MaxFrameSize = FrameLayout.MaxFrameSize;

        public const int MinContentSize = Overhead + MinFrameSize;

        /// <summary>253: rssi + 250-byte frame + CRC.</summary>
        public const int MaxContentSize = Overhead + MaxFrameSize;

        /// <summary>254: COBS adds one code byte per started run of 254 non-zero bytes.</summary>
        public const int MaxStuffedSize = MaxContentSize + 1 + (MaxContentSize - 1) / 254;

        /// <summary>256: the leading and trailing delimiters around the stuffed content.</summary>
        public const int MaxEncodedSize = MaxStuffedSize + 2;

        /// <summary>
        /// RSSI byte value meaning "not measured" (0x80). The board writes the measured ESP-NOW RSSI in dBm
        /// (clamped to -127..127) on frames it heard over the air; the gateway always writes this value on the
        /// frames it sends to the board, which ignores the byte.
        /// </summary>
        public const int RssiUnknown = -128;

        public const int MinRssi = -127;
        public const int MaxRssi = 127;

        /// <summary>Clamps a measured RSSI into the range the RSSI byte carries, keeping -128 for "unknown".</summary>
        public static int ClampRssi(int rssi)
        {
            if (rssi < MinRssi)
            {
                return MinRssi;
            }

            if (rssi > MaxRssi)
            {
                return MaxRssi;
            }

            return rssi;
        }
    }
}
