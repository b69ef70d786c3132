namespace Mesh.Protocol.Wire
{
    /// <summary>
    /// Little-endian reads and writes on caller-owned arrays. BitConverter is host-endian and
    /// allocates on some nanoFramework paths, so the wire format uses these instead.
    /// </summary>
    public static class LittleEndian
    {
        public static ushort ReadUInt16(byte[] b, int o)
        {
            return (ushort)(b[o] | (b[o + 1] << 8));
        }

        public static short ReadInt16(byte[] b, int o)
        {
            return (short)(b[o] | (b[o + 1] << 8));
        }

        public static uint ReadUInt32(byte[] b, int o)
        {
            return (uint)(b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24));
        }

        public static int ReadInt32(byte[] b, int o)
        {
            return b[o] | (b[o + 1] << 8) | (b[o + 2] << 16) | (b[o + 3] << 24);
        }

        public static void WriteUInt16(byte[] b, int o, ushort v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
        }

        public static void WriteInt16(byte[] b, int o, short v)
        {
            WriteUInt16(b, o, (ushort)v);
        }

        public static void WriteUInt32(byte[] b, int o, uint v)
        {
            b[o] = (byte)v;
            b[o + 1] = (byte)(v >> 8);
            b[o + 2] = (byte)(v >> 16);
            b[o + 3] = (byte)(v >> 24);
        }

        public static void WriteInt32(byte[] b, int o, int v)
        {
            WriteUInt32(b, o, (uint)v);
        }
    }
}
