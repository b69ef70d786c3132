using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Messages
{
    /// <summary>
    /// Beacon payload (message type 6; PROTOCOL.md "6 · Beacon"): a node's place in the gradient towards
    /// the gateways and how well it hears each neighbour. Reusable holder, fixed arrays:
    /// flags (u8) role (u8) cost (u16) hops (u8) parent (u32) gateway (u32) utilisation (u8)
    /// throttled (u32) throttled n (u16) n (u8, ≤ 32) n × (id (u32) inbound quality (u8)); 21 + 5n bytes.
    /// </summary>
    public sealed class Beacon
    {
        public const int FixedSize = 21;
        public const int NeighbourSize = 5;
        public const int MaxNeighbours = 32;
        public const int MaxSize = FixedSize + MaxNeighbours * NeighbourSize;

        public const int FlagGateway = 0x01;
        public const int FlagBackbone = 0x02;
        public const int FlagCongested = 0x04;
        public const int FlagStoring = 0x08;
        public const int DefinedFlags = 0x0F;

        /// <summary>Cost and hops of a node without a route.</summary>
        public const int NoCost = 0xFFFF;
        public const int NoHops = 0xFF;

        public int Flags;
        public int Role;
        public int Cost = NoCost;
        public int Hops = NoHops;
        public uint Parent;
        public uint Gateway;
        public int Utilisation;
        public uint Throttled;
        public int ThrottledCount;
        public int NeighbourCount;
        public readonly uint[] NeighbourIds = new uint[MaxNeighbours];
        public readonly byte[] NeighbourQuality = new byte[MaxNeighbours];

        public bool IsGateway
        {
            get { return (Flags & FlagGateway) != 0; }
        }

        public int EncodedLength
        {
            get { return FixedSize + NeighbourCount * NeighbourSize; }
        }

        /// <summary>Writes the beacon; returns its length (at most <see cref="MaxSize"/>).</summary>
        public int Encode(byte[] b, int o)
        {
            int n = NeighbourCount < 0 ? 0 : (NeighbourCount > MaxNeighbours ? MaxNeighbours : NeighbourCount);
            WriteFixed(b, o, Flags, Role, Cost, Hops, Parent, Gateway, Utilisation, Throttled, ThrottledCount, n);
            int p = o + FixedSize;
            for (int i = 0; i < n; i++)
            {
                LittleEndian.WriteUInt32(b, p, NeighbourIds[i]);
                b[p + 4] = NeighbourQuality[i];
                p += NeighbourSize;
            }

            return p - o;
        }

        /// <summary>Total decoder: true and filled, or false for any malformed input (reserved flag bits, n above 32, wrong length).</summary>
        public bool TryDecode(byte[] b, int o, int length)
        {
            NeighbourCount = 0;
            if (!IsWellFormed(b, o, length))
            {
                return false;
            }

            int n = b[o + OffsetCount];
            Flags = b[o];
            Role = b[o + 1];
            Cost = LittleEndian.ReadUInt16(b, o + 2);
            Hops = b[o + 4];
            Parent = LittleEndian.ReadUInt32(b, o + 5);
            Gateway = LittleEndian.ReadUInt32(b, o + 9);
            Utilisation = b[o + 13];
            Throttled = LittleEndian.ReadUInt32(b, o + OffsetThrottled);
            ThrottledCount = LittleEndian.ReadUInt16(b, o + OffsetThrottledCount);
            int p = o + FixedSize;
            for (int i = 0; i < n; i++)
            {
                NeighbourIds[i] = LittleEndian.ReadUInt32(b, p);
                NeighbourQuality[i] = b[p + 4];
                p += NeighbourSize;
            }

            NeighbourCount = n;
            return true;
        }

        /// <summary>
        /// Writes the throttle notice a node that does not route structured sends (PROTOCOL.md, "Per-origin
        /// fair share"): a beacon without a route or neighbours that carries only the QoS fields.
        /// Returns its length, <see cref="FixedSize"/>.
        /// </summary>
        public static int EncodeNotice(byte[] b, int o, int role, bool congested, int utilisation, uint throttled, int throttledCount)
        {
            WriteFixed(b, o, congested ? FlagCongested : 0, role, NoCost, NoHops, 0, 0, utilisation, throttled, throttledCount, 0);
            return FixedSize;
        }

        /// <summary>
        /// The throttle fields of any well-formed beacon, for a node that keeps no beacon holder (one that
        /// does not route structured); false, as <see cref="TryDecode"/>, for malformed input.
        /// </summary>
        public static bool TryReadThrottle(byte[] b, int o, int length, out uint throttled, out int throttledCount)
        {
            throttled = 0;
            throttledCount = 0;
            if (!IsWellFormed(b, o, length))
            {
                return false;
            }

            throttled = LittleEndian.ReadUInt32(b, o + OffsetThrottled);
            throttledCount = LittleEndian.ReadUInt16(b, o + OffsetThrottledCount);
            return true;
        }

        private const int OffsetThrottled = 14;
        private const int OffsetThrottledCount = 18;
        private const int OffsetCount = 20;

        /// <summary>The fixed 21 bytes, in the layout's order; the neighbour entries follow.</summary>
        private static void WriteFixed(byte[] b, int o, int flags, int role, int cost, int hops, uint parent, uint gateway,
            int utilisation, uint throttled, int throttledCount, int count)
        {
            b[o] = (byte)(flags & DefinedFlags);
            b[o + 1] = (byte)role;
            LittleEndian.WriteUInt16(b, o + 2, (ushort)cost);
            b[o + 4] = (byte)hops;
            LittleEndian.WriteUInt32(b, o + 5, parent);
            LittleEndian.WriteUInt32(b, o + 9, gateway);
            b[o + 13] = (byte)utilisation;
            LittleEndian.WriteUInt32(b, o + OffsetThrottled, throttled);
            LittleEndian.WriteUInt16(b, o + OffsetThrottledCount, (ushort)(throttledCount > 0xFFFF ? 0xFFFF : throttledCount));
            b[o + OffsetCount] = (byte)count;
        }

        /// <summary>Reserved flag bits clear, at most <see cref="MaxNeighbours"/> entries, and exactly the length they need.</summary>
        private static bool IsWellFormed(byte[] b, int o, int length)
        {
            if (length < FixedSize)
            {
                return false;
            }

            int n = b[o + OffsetCount];
            return (b[o] & ~DefinedFlags) == 0 && n <= MaxNeighbours && length == FixedSize + n * NeighbourSize;
        }

        /// <summary>The inbound quality the beacon's sender lists for <paramref name="node"/>, or -1 when not listed.</summary>
        public int QualityOf(uint node)
        {
            for (int i = 0; i < NeighbourCount; i++)
            {
                if (NeighbourIds[i] == node)
                {
                    return NeighbourQuality[i];
                }
            }

            return -1;
        }
    }
}
