using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.WireTests
{
    public sealed record SealCase(byte[] Secret, RefHeader Header, byte[] Payload)
    {
        public override string ToString() =>
            $"SealCase {{ Secret = {MeshFixtures.Hex(Secret)}, Header = {Header}, Payload = {MeshFixtures.Hex(Payload)} }}";
    }

    /// <summary>FsCheck generators for wire-level values, biased towards boundaries.</summary>
    public static class WireGen
    {
        public static readonly Gen<byte> AnyByte = Gen.Choose(0, 255).Select(b => (byte)b);

        public static readonly Gen<ushort> AnyUShort = Gen.Frequency(
            (1, Gen.Elements<ushort>(0, 1, 0x7FFF, 0x8000, 0xFFFE, 0xFFFF)),
            (4, Gen.Choose(0, 0xFFFF).Select(v => (ushort)v)));

        public static readonly Gen<uint> AnyUInt = Gen.Frequency(
            (1, Gen.Elements(0u, 1u, 2u, 0x7FFFFFFFu, 0x80000000u, 0xFFFFFFFDu, 0xFFFFFFFEu, 0xFFFFFFFFu)),
            (4, from hi in Gen.Choose(0, 0xFFFF)
                from lo in Gen.Choose(0, 0xFFFF)
                select ((uint)hi << 16) | (uint)lo));

        public static readonly Gen<int> AnyInt = AnyUInt.Select(v => unchecked((int)v));

        public static readonly Gen<uint> ValidNodeId = AnyUInt.Where(NodeAddress.IsValidNodeId);

        public static readonly Gen<uint> ValidDestination = AnyUInt.Where(d => d != NodeAddress.None);

        public static Gen<byte[]> Bytes(int minLength, int maxLength) =>
            Gen.Choose(minLength, maxLength).SelectMany(n => Gen.ArrayOf(AnyByte, n));

        /// <summary>A header every v1 decoder must accept.</summary>
        public static readonly Gen<RefHeader> ValidHeader =
            from encrypted in Gen.Elements(true, false)
            from type in Gen.Choose(1, 5)
            from network in AnyUShort
            from origin in ValidNodeId
            from destination in ValidDestination
            from sequence in AnyUInt
            from hopLimit in Gen.Choose(0, FrameLayout.MaxHopLimit)
            from hopsTaken in Gen.Choose(0, hopLimit)
            from previousHop in AnyUInt
            from nextHop in AnyUInt
            select new RefHeader(encrypted, (byte)type, network, origin, destination, sequence, (byte)hopLimit, (byte)hopsTaken, previousHop, nextHop);

        public static readonly Gen<SealCase> SealCase =
            from secret in Bytes(16, 64)
            from header in ValidHeader
            from payload in Bytes(0, FrameLayout.MaxPayloadSize)
            select new SealCase(secret, header, payload);

        public static bool SameBytes(byte[] a, int aOffset, byte[] b, int bOffset, int count) =>
            a.Skip(aOffset).Take(count).SequenceEqual(b.Skip(bOffset).Take(count));
    }
}
