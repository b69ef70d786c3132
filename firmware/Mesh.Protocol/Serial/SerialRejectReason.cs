namespace Mesh.Protocol.Serial
{
    /// <summary>
    /// Why the serial decoder dropped the bytes between two delimiters. Values index counters, so they are
    /// dense and never renumbered.
    /// </summary>
    public enum SerialRejectReason
    {
        None = 0,

        /// <summary>The CRC-16 over rssi + frame does not match (line noise, a dropped byte, garbage).</summary>
        CrcMismatch = 1,

        /// <summary>A delimiter arrived inside a COBS block: the frame was cut short or is not COBS at all.</summary>
        BadStuffing = 2,

        /// <summary>More than 253 content bytes (a frame over 250 bytes) before a delimiter.</summary>
        TooLong = 3,

        /// <summary>Fewer than 4 content bytes (rssi + one frame byte + CRC) between two delimiters.</summary>
        TooShort = 4,
    }

    public static class SerialRejectReasons
    {
        public const int Count = 5;

        /// <summary>Stable metrics label (Enum.ToString is unreliable on nanoFramework).</summary>
        public static string Label(SerialRejectReason reason)
        {
            switch (reason)
            {
                case SerialRejectReason.None: return "none";
                case SerialRejectReason.CrcMismatch: return "crc_mismatch";
                case SerialRejectReason.BadStuffing: return "bad_stuffing";
                case SerialRejectReason.TooLong: return "too_long";
                case SerialRejectReason.TooShort: return "too_short";
                default: return "unknown";
            }
        }

        public static string Describe(SerialRejectReason reason)
        {
            switch (reason)
            {
                case SerialRejectReason.None: return "accepted";
                case SerialRejectReason.CrcMismatch: return "CRC-16 does not match the content";
                case SerialRejectReason.BadStuffing: return "delimiter inside a COBS block (truncated or not COBS)";
                case SerialRejectReason.TooLong: return "too long: frame over 250 bytes before a delimiter";
                case SerialRejectReason.TooShort: return "too short: fewer than rssi + 1 frame byte + CRC";
                default: return "unknown reason";
            }
        }
    }
}
