using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Qos
{
    /// <summary>
    /// Heartbeat extension block 1, quality of service (12 bytes): utilisation (u8, 255 = 100 %), duty
    /// used (u8, 255 = the whole budget), throttled frames (u16, since the last heartbeat, saturating),
    /// most-throttled origin (u32, 0 none), frames lost to a full transmit queue per traffic class
    /// (4 × u8, evicted or dropped, since the last heartbeat, saturating).
    /// </summary>
    public sealed class QosReport
    {
        public const byte Tag = 1;
        public const int Length = 12;

        public byte Utilisation;
        public byte DutyUsed;
        public ushort Throttled;
        public uint MostThrottled;
        public readonly byte[] Lost = new byte[TrafficClass.Count];

        public void Clear()
        {
            Utilisation = 0;
            DutyUsed = 0;
            Throttled = 0;
            MostThrottled = 0;
            for (int i = 0; i < Lost.Length; i++)
            {
                Lost[i] = 0;
            }
        }

        /// <summary>Writes the value (without tag and length) at <paramref name="o"/>.</summary>
        public void Write(byte[] b, int o)
        {
            b[o] = Utilisation;
            b[o + 1] = DutyUsed;
            LittleEndian.WriteUInt16(b, o + 2, Throttled);
            LittleEndian.WriteUInt32(b, o + 4, MostThrottled);
            for (int i = 0; i < Lost.Length; i++)
            {
                b[o + 8 + i] = Lost[i];
            }
        }

        /// <summary>Reads the value (without tag and length) at <paramref name="o"/>; <see cref="Length"/> bytes must be there.</summary>
        public void Read(byte[] b, int o)
        {
            Utilisation = b[o];
            DutyUsed = b[o + 1];
            Throttled = LittleEndian.ReadUInt16(b, o + 2);
            MostThrottled = LittleEndian.ReadUInt32(b, o + 4);
            for (int i = 0; i < Lost.Length; i++)
            {
                Lost[i] = b[o + 8 + i];
            }
        }
    }
}
