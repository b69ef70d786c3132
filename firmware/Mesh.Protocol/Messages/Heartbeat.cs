using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Messages
{
    /// <summary>
    /// A node's periodic "I am here": role, forwarding policy, heartbeat counter (for neighbours' link
    /// quality), uptime, its neighbour list with RSSI and quality — what a gateway draws the topology
    /// from — and extension blocks. Wire form: role(u8) policy(u8) counter(u16) uptime_s(u32) n(u8),
    /// then n × id(u32) rssi(i8) quality(u8), then zero or more blocks tag(u8) length(u8) value; the
    /// payload ends exactly at the end of the last block. Unknown tags are skipped; a known block shorter
    /// than its defined length, or repeated, makes the heartbeat malformed; a longer one is read for its
    /// defined fields (room for later versions to extend it).
    /// </summary>
    public sealed class Heartbeat
    {
        public const int FixedSize = 9;
        public const int EntrySize = 6;
        public const int MaxNeighbours = 32;

        /// <summary>Tag and length bytes in front of every block.</summary>
        public const int BlockHeaderSize = 2;

        /// <summary>Block 2, route (PROTOCOL.md): parent (u32), cost (u16), hops to gateway (u8). Its codec belongs to structured routing.</summary>
        public const byte RouteTag = 2;
        public const int RouteLength = 7;

        public NodeRole Role;
        public PolicyKind Policy;
        public ushort Counter;
        public uint UptimeSeconds;
        public int NeighbourCount;
        public readonly uint[] NeighbourIds;
        public readonly sbyte[] NeighbourRssi;
        public readonly byte[] NeighbourQuality;

        /// <summary>A heartbeat that can hold any one on the wire: to decode with.</summary>
        public Heartbeat()
            : this(MaxNeighbours)
        {
        }

        /// <summary>
        /// A heartbeat to build with, holding at most <paramref name="capacity"/> neighbours: a node lists no more
        /// than its neighbour table holds, so an ESP32-C3 with 8 neighbours keeps 8 entries, not 32. It decodes
        /// only heartbeats that list no more than that (<see cref="IsWellFormed"/> checks any).
        /// </summary>
        public Heartbeat(int capacity)
        {
            int n = capacity < 0 ? 0 : (capacity > MaxNeighbours ? MaxNeighbours : capacity);
            NeighbourIds = new uint[n];
            NeighbourRssi = new sbyte[n];
            NeighbourQuality = new byte[n];
        }

        /// <summary>Whether block 1 (quality of service) is sent, or was in the decoded heartbeat.</summary>
        public bool HasQos;

        /// <summary>Block 1's content (valid when <see cref="HasQos"/>).</summary>
        public readonly QosReport Qos = new QosReport();

        /// <summary>Whether block 2 (route: the node's place in the structured gradient) is sent, or was decoded.</summary>
        public bool HasRoute;

        /// <summary>Block 2: parent (0 none), cost (ETX × 16, 0xFFFF none), hops to the gateway (0xFF none).</summary>
        public uint RouteParent;
        public int RouteCost;
        public int RouteHops;

        /// <summary>Bytes the extension blocks take.</summary>
        public int BlocksLength
        {
            get { return (HasQos ? BlockHeaderSize + QosReport.Length : 0) + (HasRoute ? BlockHeaderSize + RouteLength : 0); }
        }

        /// <summary>Neighbours that fit in the largest sealed payload next to the blocks (at most 32).</summary>
        public int NeighbourRoom
        {
            get
            {
                int room = (FrameLayout.MaxPayloadSize - FixedSize - BlocksLength) / EntrySize;
                return room > NeighbourIds.Length ? NeighbourIds.Length : room;
            }
        }

        public int EncodedLength
        {
            get { return FixedSize + NeighbourCount * EntrySize + BlocksLength; }
        }

        /// <summary>Writes the heartbeat; the caller keeps <see cref="NeighbourCount"/> within <see cref="NeighbourRoom"/>.</summary>
        public int Encode(byte[] b, int o)
        {
            b[o] = (byte)Role;
            b[o + 1] = (byte)Policy;
            LittleEndian.WriteUInt16(b, o + 2, Counter);
            LittleEndian.WriteUInt32(b, o + 4, UptimeSeconds);
            b[o + 8] = (byte)NeighbourCount;
            int p = o + FixedSize;
            for (int i = 0; i < NeighbourCount; i++)
            {
                LittleEndian.WriteUInt32(b, p, NeighbourIds[i]);
                b[p + 4] = (byte)NeighbourRssi[i];
                b[p + 5] = NeighbourQuality[i];
                p += EntrySize;
            }

            if (HasQos)
            {
                b[p] = QosReport.Tag;
                b[p + 1] = QosReport.Length;
                Qos.Write(b, p + BlockHeaderSize);
                p += BlockHeaderSize + QosReport.Length;
            }

            if (HasRoute)
            {
                b[p] = RouteTag;
                b[p + 1] = RouteLength;
                LittleEndian.WriteUInt32(b, p + 2, RouteParent);
                LittleEndian.WriteUInt16(b, p + 6, (ushort)RouteCost);
                b[p + 8] = (byte)RouteHops;
                p += BlockHeaderSize + RouteLength;
            }

            return p - o;
        }

        public bool TryDecode(byte[] b, int o, int length)
        {
            NeighbourCount = 0;
            HasQos = false;
            HasRoute = false;
            return Parse(b, o, length, this);
        }

        /// <summary>Whether a heartbeat payload is well formed, without keeping what it says (a relay's check).</summary>
        public static bool IsWellFormed(byte[] b, int o, int length)
        {
            return Parse(b, o, length, null);
        }

        /// <summary>Checks the payload and, when <paramref name="into"/> is given, fills it.</summary>
        private static bool Parse(byte[] b, int o, int length, Heartbeat into)
        {
            if (length < FixedSize)
            {
                return false;
            }

            int n = b[o + 8];
            int role = b[o];
            int policy = b[o + 1];
            if (n > MaxNeighbours || length < FixedSize + n * EntrySize || !NodeRoles.IsDefined(role)
                || policy < (int)PolicyKind.Flooding || policy > (int)PolicyKind.Structured
                || (into != null && n > into.NeighbourIds.Length))
            {
                return false;
            }

            int p = o + FixedSize;
            if (into != null)
            {
                into.Role = (NodeRole)role;
                into.Policy = (PolicyKind)policy;
                into.Counter = LittleEndian.ReadUInt16(b, o + 2);
                into.UptimeSeconds = LittleEndian.ReadUInt32(b, o + 4);
                for (int i = 0; i < n; i++)
                {
                    into.NeighbourIds[i] = LittleEndian.ReadUInt32(b, p);
                    into.NeighbourRssi[i] = (sbyte)b[p + 4];
                    into.NeighbourQuality[i] = b[p + 5];
                    p += EntrySize;
                }
            }
            else
            {
                p += n * EntrySize;
            }

            bool qos = false;
            bool route = false;
            int end = o + length;
            while (p < end)
            {
                if (end - p < BlockHeaderSize)
                {
                    return false;
                }

                int tag = b[p];
                int size = b[p + 1];
                int value = p + BlockHeaderSize;
                if (size > end - value || !ReadBlock(tag, size, b, value, ref qos, ref route, into))
                {
                    return false;
                }

                p = value + size;
            }

            if (into != null)
            {
                into.NeighbourCount = n;
            }

            return true;
        }

        /// <summary>One block's value; false when a known block is short or repeated. Unknown tags are skipped.</summary>
        private static bool ReadBlock(int tag, int size, byte[] b, int value, ref bool qos, ref bool route, Heartbeat into)
        {
            if (tag == QosReport.Tag)
            {
                if (qos || size < QosReport.Length)
                {
                    return false;
                }

                qos = true;
                if (into != null)
                {
                    into.Qos.Read(b, value);
                    into.HasQos = true;
                }
            }

            else if (tag == RouteTag)
            {
                if (route || size < RouteLength)
                {
                    return false;
                }

                route = true;
                if (into != null)
                {
                    into.RouteParent = LittleEndian.ReadUInt32(b, value);
                    into.RouteCost = LittleEndian.ReadUInt16(b, value + 4);
                    into.RouteHops = b[value + 6];
                    into.HasRoute = true;
                }
            }

            return true;
        }
    }
}
