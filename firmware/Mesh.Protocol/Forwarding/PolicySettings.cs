using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Forwarding
{
    /// <summary>
    /// All tunables of the four policies in one value, as carried on the wire by the
    /// set-forwarding-policy command (10 bytes, see PROTOCOL.md).
    /// </summary>
    public sealed class PolicySettings
    {
        public const int EncodedSize = 10;

        public PolicyKind Kind = PolicyKind.Flooding;

        /// <summary>Gossip: forwarding probability p in units of 1/65535.</summary>
        public ushort GossipProbability = 65535;

        /// <summary>Gossip: always forward while fewer than k hops have been taken.</summary>
        public int GossipAlwaysHops = 1;

        /// <summary>Managed flooding: copies heard from others that cancel our rebroadcast (C).</summary>
        public int CancelThreshold = 2;

        /// <summary>Managed flooding: contention window for the weakest and strongest signals.</summary>
        public int MinDelayMs = 2;
        public int MaxDelayMs = 40;

        /// <summary>All policies: uniform random jitter added to every rebroadcast, to de-synchronise neighbours.</summary>
        public int JitterMs = 8;

        public static PolicySettings Flooding()
        {
            PolicySettings s = new PolicySettings();
            s.Kind = PolicyKind.Flooding;
            return s;
        }

        public static PolicySettings Gossip(double p, int alwaysHops)
        {
            PolicySettings s = new PolicySettings();
            s.Kind = PolicyKind.Gossip;
            s.GossipProbability = ProbabilityToFixed(p);
            s.GossipAlwaysHops = alwaysHops;
            return s;
        }

        public static PolicySettings Managed(int cancelThreshold)
        {
            PolicySettings s = new PolicySettings();
            s.Kind = PolicyKind.ManagedFlooding;
            s.CancelThreshold = cancelThreshold;
            return s;
        }

        /// <summary>Structured routing; flooded frames (broadcasts, fallback) use managed flooding with threshold C.</summary>
        public static PolicySettings Structured(int cancelThreshold)
        {
            PolicySettings s = new PolicySettings();
            s.Kind = PolicyKind.Structured;
            s.CancelThreshold = cancelThreshold;
            return s;
        }

        public static ushort ProbabilityToFixed(double p)
        {
            if (p <= 0)
            {
                return 0;
            }

            if (p >= 1)
            {
                return 65535;
            }

            return (ushort)(p * 65535.0 + 0.5);
        }

        public PolicySettings Clone()
        {
            PolicySettings s = new PolicySettings();
            s.Kind = Kind;
            s.GossipProbability = GossipProbability;
            s.GossipAlwaysHops = GossipAlwaysHops;
            s.CancelThreshold = CancelThreshold;
            s.MinDelayMs = MinDelayMs;
            s.MaxDelayMs = MaxDelayMs;
            s.JitterMs = JitterMs;
            return s;
        }

        public void Write(byte[] b, int o)
        {
            b[o] = (byte)Kind;
            LittleEndian.WriteUInt16(b, o + 1, GossipProbability);
            b[o + 3] = (byte)GossipAlwaysHops;
            b[o + 4] = (byte)CancelThreshold;
            LittleEndian.WriteUInt16(b, o + 5, (ushort)MinDelayMs);
            LittleEndian.WriteUInt16(b, o + 7, (ushort)MaxDelayMs);
            b[o + 9] = (byte)JitterMs;
        }

        /// <summary>Reads settings; false (and <paramref name="into"/> untouched) when they are invalid.</summary>
        public static bool TryRead(byte[] b, int o, int available, PolicySettings into)
        {
            if (available < EncodedSize)
            {
                return false;
            }

            int kind = b[o];
            if (kind < (int)PolicyKind.Flooding || kind > (int)PolicyKind.Structured)
            {
                return false;
            }

            int min = LittleEndian.ReadUInt16(b, o + 5);
            int max = LittleEndian.ReadUInt16(b, o + 7);
            if (min > max)
            {
                return false;
            }

            into.Kind = (PolicyKind)kind;
            into.GossipProbability = LittleEndian.ReadUInt16(b, o + 1);
            into.GossipAlwaysHops = b[o + 3];
            into.CancelThreshold = b[o + 4];
            into.MinDelayMs = min;
            into.MaxDelayMs = max;
            into.JitterMs = b[o + 9];
            return true;
        }
    }
}
