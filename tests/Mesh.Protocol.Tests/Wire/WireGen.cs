using System.Linq;
using FsCheck;
using FsCheck.Fluent;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.WireTests
{
    public sealed record SealCase(byte[] NetworkSecret, byte[] DeviceSecret, RefHeader Header, byte[] Payload)
    {
        public override string ToString() =>
            $"SealCase {{ NetworkSecret = {MeshFixtures.Hex(NetworkSecret)}, DeviceSecret = {MeshFixtures.Hex(DeviceSecret)}, Header = {Header}, Payload = {MeshFixtures.Hex(Payload)} }}";
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

        /// <summary>Flag combinations a v2 decoder accepts: plain, DeviceSealed, DeviceSealed | Downlink, NetworkSealed.</summary>
        public static readonly Gen<int> ValidFlags = Gen.Elements(
            0, FrameFlags.DeviceSealed, FrameFlags.DeviceSealed | FrameFlags.Downlink, FrameFlags.NetworkSealed);

        /// <summary>A header every v2 decoder must accept (a Downlink frame names one node).</summary>
        public static readonly Gen<RefHeader> ValidHeader =
            from flags in ValidFlags
            from type in Gen.Choose(1, 5)
            from network in AnyUShort
            from netIndex in Gen.Choose(0, 15)
            from devIndex in Gen.Choose(0, 15)
            from origin in ValidNodeId
            from destination in (flags & FrameFlags.Downlink) != 0 ? ValidNodeId : ValidDestination
            from sequence in AnyUInt
            from time in AnyUInt
            from hopLimit in Gen.Choose(0, FrameLayout.MaxHopLimit)
            from hopsTaken in Gen.Choose(0, hopLimit)
            from previousHop in AnyUInt
            from nextHop in AnyUInt
            from senderCost in AnyUShort
            select new RefHeader(flags, (byte)type, network, (byte)netIndex, (byte)devIndex, origin, destination, sequence, time,
                (byte)hopLimit, (byte)hopsTaken, previousHop, nextHop, senderCost);

        /// <summary>A 16- or 32-byte key (the two lengths KeyHex accepts).</summary>
        public static readonly Gen<byte[]> Secret = Gen.Elements(16, 32).SelectMany(n => Gen.ArrayOf(AnyByte, n));

        /// <summary>The largest payload a frame with these flags can carry (250-byte frames).</summary>
        public static int MaxPayloadFor(int flags) => FrameLayout.MaxFrameSize - FrameLayout.HeaderSize - FrameLayout.Trailer(flags);

        public static readonly Gen<SealCase> SealCase =
            from networkSecret in Secret
            from deviceSecret in Secret
            from header in ValidHeader
            from payload in Gen.Frequency(
                (4, Bytes(0, MaxPayloadFor(header.Flags))),
                (1, Gen.Elements(0, 1, 15, 16, 17, MaxPayloadFor(header.Flags)).SelectMany(n => Gen.ArrayOf(AnyByte, n))))
            select new SealCase(networkSecret, deviceSecret, header, payload);

        public static bool SameBytes(byte[] a, int aOffset, byte[] b, int bOffset, int count) =>
            a.Skip(aOffset).Take(count).SequenceEqual(b.Skip(bOffset).Take(count));
    }
}
