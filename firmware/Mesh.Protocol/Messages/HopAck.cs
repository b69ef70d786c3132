using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Messages
{
    /// <summary>
    /// Hop ack payload (message type 7; PROTOCOL.md "7 · Hop ack"): n (u8, 1 … 8), then n × (origin (u32)
    /// sequence (u32)), the upward frames the sender acknowledges to the node the hop ack is addressed to.
    /// Reusable holder, fixed arrays.
    /// </summary>
    public sealed class HopAck
    {
        public const int MaxEntries = 8;
        public const int EntrySize = 8;
        public const int MaxSize = 1 + MaxEntries * EntrySize;

        public int Count;
        public readonly uint[] Origins = new uint[MaxEntries];
        public readonly uint[] Sequences = new uint[MaxEntries];

        /// <summary>Writes the hop ack; -1 when it holds no entry or more than <see cref="MaxEntries"/>.</summary>
        public int Encode(byte[] b, int o)
        {
            if (Count < 1 || Count > MaxEntries)
            {
                return -1;
            }

            b[o] = (byte)Count;
            int p = o + 1;
            for (int i = 0; i < Count; i++)
            {
                LittleEndian.WriteUInt32(b, p, Origins[i]);
                LittleEndian.WriteUInt32(b, p + 4, Sequences[i]);
                p += EntrySize;
            }

            return p - o;
        }

        /// <summary>Total decoder: true and filled, or false (Count 0) for n outside 1 … 8 or a wrong length.</summary>
        public bool TryDecode(byte[] b, int o, int length)
        {
            Count = 0;
            if (length < 1)
            {
                return false;
            }

            int n = b[o];
            if (n < 1 || n > MaxEntries || length != 1 + n * EntrySize)
            {
                return false;
            }

            int p = o + 1;
            for (int i = 0; i < n; i++)
            {
                Origins[i] = LittleEndian.ReadUInt32(b, p);
                Sequences[i] = LittleEndian.ReadUInt32(b, p + 4);
                p += EntrySize;
            }

            Count = n;
            return true;
        }
    }
}
