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

        /// <summary>
        /// Block 3, neighbours known (PROTOCOL.md): how many neighbours the sender's table holds (u8), so a gateway
        /// can tell a list cut to the best few (<c>NodeConfig.HeartbeatNeighbours</c>) from a node with few neighbours.
        /// </summary>
        public const byte NeighboursKnownTag = 3;
        public const int NeighboursKnownLength = 1;

        public NodeRole Role;
        public PolicyKind Policy;
        public ushort Counter;
        public uint UptimeSeconds;
        public int NeighbourCount;
        public readonly uint[] NeighbourIds = new uint[MaxNeighbours];
        public readonly sbyte[] NeighbourRssi = new sbyte[MaxNeighbours];
        public readonly byte[] NeighbourQuality = new byte[MaxNeighbours];

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

        /// <summary>Whether block 3 (neighbours known) is sent, or was decoded.</summary>
        public bool HasNeighboursKnown;

        /// <summary>Block 3: neighbours in the sender's table, listed or not (0 … 255).</summary>
        public int NeighboursKnown;

        /// <summary>Bytes the extension blocks take.</summary>
        public int BlocksLength
        {
            get { return BlocksLengthFor(HasQos, HasRoute, HasNeighboursKnown); }
        }

        /// <summary>Neighbours that fit in the largest sealed payload next to the blocks (at most 32).</summary>
        public int NeighbourRoom
        {
            get { return NeighbourRoomFor(BlocksLength); }
        }

        public int EncodedLength
        {
            get { return FixedSize + NeighbourCount * EntrySize + BlocksLength; }
        }

        /// <summary>Bytes blocks 1, 2 and 3 take when present.</summary>
        public static int BlocksLengthFor(bool qos, bool route, bool neighboursKnown)
        {
            return (qos ? BlockHeaderSize + QosReport.Length : 0) + (route ? BlockHeaderSize + RouteLength : 0)
                + (neighboursKnown ? BlockHeaderSize + NeighboursKnownLength : 0);
        }

        /// <summary>Neighbours that fit in the largest sealed payload next to blocks of this length (at most 32).</summary>
        public static int NeighbourRoomFor(int blocksLength)
        {
            int room = (FrameLayout.MaxPayloadSize - FixedSize - blocksLength) / EntrySize;
            return room > MaxNeighbours ? MaxNeighbours : room;
        }

        /// <summary>Writes the heartbeat; the caller keeps <see cref="NeighbourCount"/> within <see cref="NeighbourRoom"/>.</summary>
        public int Encode(byte[] b, int o)
        {
            WriteFixed(b, o, Role, Policy, Counter, UptimeSeconds, NeighbourCount);
            int p = o + FixedSize;
            for (int i = 0; i < NeighbourCount; i++)
            {
                WriteEntry(b, p, NeighbourIds[i], NeighbourRssi[i], NeighbourQuality[i]);
                p += EntrySize;
            }

            if (HasQos)
            {
                p += WriteQosBlock(b, p, Qos);
            }

            if (HasRoute)
            {
                p += WriteRouteBlock(b, p, RouteParent, RouteCost, RouteHops);
            }

            if (HasNeighboursKnown)
            {
                p += WriteNeighboursKnownBlock(b, p, NeighboursKnown);
            }

            return p - o;
        }

        // The pieces of the wire form, also used by a node that writes its heartbeat straight into its payload buffer
        // (MeshNode.SendHeartbeat) rather than through an instance and its arrays.

        /// <summary>role(u8) policy(u8) counter(u16) uptime(u32) n(u8) at <paramref name="o"/>.</summary>
        public static void WriteFixed(byte[] b, int o, NodeRole role, PolicyKind policy, ushort counter, uint uptimeSeconds, int neighbourCount)
        {
            b[o] = (byte)role;
            b[o + 1] = (byte)policy;
            LittleEndian.WriteUInt16(b, o + 2, counter);
            LittleEndian.WriteUInt32(b, o + 4, uptimeSeconds);
            b[o + 8] = (byte)neighbourCount;
        }

        /// <summary>One neighbour entry, id(u32) rssi(i8) quality(u8), at <paramref name="p"/>.</summary>
        public static void WriteEntry(byte[] b, int p, uint id, sbyte rssi, byte quality)
        {
            LittleEndian.WriteUInt32(b, p, id);
            b[p + 4] = (byte)rssi;
            b[p + 5] = quality;
        }

        /// <summary>Block 1 (quality of service) at <paramref name="p"/>; returns the bytes written.</summary>
        public static int WriteQosBlock(byte[] b, int p, QosReport qos)
        {
            b[p] = QosReport.Tag;
            b[p + 1] = QosReport.Length;
            qos.Write(b, p + BlockHeaderSize);
            return BlockHeaderSize + QosReport.Length;
        }

        /// <summary>Block 2 (route) at <paramref name="p"/>; returns the bytes written.</summary>
        public static int WriteRouteBlock(byte[] b, int p, uint parent, int cost, int hops)
        {
            b[p] = RouteTag;
            b[p + 1] = RouteLength;
            LittleEndian.WriteUInt32(b, p + 2, parent);
            LittleEndian.WriteUInt16(b, p + 6, (ushort)cost);
            b[p + 8] = (byte)hops;
            return BlockHeaderSize + RouteLength;
        }

        /// <summary>Block 3 (neighbours known, saturating at 255) at <paramref name="p"/>; returns the bytes written.</summary>
        public static int WriteNeighboursKnownBlock(byte[] b, int p, int known)
        {
            b[p] = NeighboursKnownTag;
            b[p + 1] = NeighboursKnownLength;
            b[p + 2] = (byte)(known > 255 ? 255 : known);
            return BlockHeaderSize + NeighboursKnownLength;
        }

        public bool TryDecode(byte[] b, int o, int length)
        {
            NeighbourCount = 0;
            HasQos = false;
            HasRoute = false;
            HasNeighboursKnown = false;
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
                || policy < (int)PolicyKind.Flooding || policy > (int)PolicyKind.Structured)
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
            bool known = false;
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
                if (size > end - value || !ReadBlock(tag, size, b, value, ref qos, ref route, ref known, into))
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
        private static bool ReadBlock(int tag, int size, byte[] b, int value, ref bool qos, ref bool route, ref bool known, Heartbeat into)
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

            else if (tag == NeighboursKnownTag)
            {
                if (known || size < NeighboursKnownLength)
                {
                    return false;
                }

                known = true;
                if (into != null)
                {
                    into.NeighboursKnown = b[value];
                    into.HasNeighboursKnown = true;
                }
            }

            return true;
        }
    }
}
