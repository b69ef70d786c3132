namespace Mesh.Protocol.Serial
{
    /// <summary>
    /// CRC-16/CCITT-FALSE (Rocksoft/"catalogue" parameters: width 16, poly 0x1021, init 0xFFFF, refin false,
    /// refout false, xorout 0x0000, check 0x29B1 for the ASCII bytes "123456789"). Computed bytewise without a
    /// table (the shift/xor form of the 0x1021 polynomial), so it needs no static data and allocates nothing.
    /// </summary>
    public static class Crc16CcittFalse
    {
        public const ushort Initial = 0xFFFF;

        /// <summary>The catalogue check value: the CRC of the nine ASCII bytes "123456789".</summary>
        public const ushort CheckValue = 0x29B1;

        public static ushort Update(ushort crc, byte value)
        {
            int x = ((crc >> 8) ^ value) & 0xFF;
            x ^= x >> 4;
            return (ushort)((crc << 8) ^ (x << 12) ^ (x << 5) ^ x);
        }

        public static ushort Update(ushort crc, byte[] data, int offset, int length)
        {
            int end = offset + length;
            for (int i = offset; i < end; i++)
            {
                crc = Update(crc, data[i]);
            }

            return crc;
        }

        public static ushort Compute(byte[] data, int offset, int length)
        {
            return Update(Initial, data, offset, length);
        }
    }
}
