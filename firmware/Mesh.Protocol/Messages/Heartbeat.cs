using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Messages
{
    /// <summary>
    /// A node's periodic "I am here": role, forwarding policy, heartbeat counter (for neighbours' link
    /// quality), uptime, and its neighbour list with RSSI and quality — what a gateway draws the
    /// topology from. Wire form: role(u8) policy(u8) counter(u16) uptime_s(u32) n(u8), then n × id(u32)
    /// rssi(i8) quality(u8).
    /// </summary>
    public sealed class Heartbeat
    {
        public const int FixedSize = 9;
        public const int EntrySize = 6;
        public const int MaxNeighbours = 32;

        public NodeRole Role;
        public PolicyKind Policy;
        public ushort Counter;
        public uint UptimeSeconds;
        public int NeighbourCount;
        public readonly uint[] NeighbourIds = new uint[MaxNeighbours];
        public readonly sbyte[] NeighbourRssi = new sbyte[MaxNeighbours];
        public readonly byte[] NeighbourQuality = new byte[MaxNeighbours];

        public int EncodedLength
        {
            get { return FixedSize + NeighbourCount * EntrySize; }
        }

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

            return p - o;
        }

        public bool TryDecode(byte[] b, int o, int length)
        {
            NeighbourCount = 0;
            if (length < FixedSize)
            {
                return false;
            }

            int n = b[o + 8];
            int role = b[o];
            int policy = b[o + 1];
            if (n > MaxNeighbours || length != FixedSize + n * EntrySize || !NodeRoles.IsDefined(role)
                || policy < (int)PolicyKind.Flooding || policy > (int)PolicyKind.Structured)
            {
                return false;
            }

            Role = (NodeRole)role;
            Policy = (PolicyKind)policy;
            Counter = LittleEndian.ReadUInt16(b, o + 2);
            UptimeSeconds = LittleEndian.ReadUInt32(b, o + 4);
            int p = o + FixedSize;
            for (int i = 0; i < n; i++)
            {
                NeighbourIds[i] = LittleEndian.ReadUInt32(b, p);
                NeighbourRssi[i] = (sbyte)b[p + 4];
                NeighbourQuality[i] = b[p + 5];
                p += EntrySize;
            }

            NeighbourCount = n;
            return true;
        }
    }
}
