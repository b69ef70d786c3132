namespace Mesh.Protocol.Wire
{
    /// <summary>
    /// Encodes and decodes the v1 frame header. Decoding is total: every byte string is either a
    /// well-formed frame or gets a <see cref="RejectReason"/>; nothing throws and nothing reads outside
    /// [offset, offset + length). The MIC is not checked here (see Security.FrameProtector).
    /// </summary>
    public static class FrameCodec
    {
        public static RejectReason TryDecode(byte[] buffer, int offset, int length, FrameHeader into)
        {
            if (buffer == null || offset < 0 || length < 0 || offset > buffer.Length - length)
            {
                return RejectReason.TooShort;
            }

            if (length < FrameLayout.Overhead)
            {
                return RejectReason.TooShort;
            }

            if (length > FrameLayout.MaxFrameSize)
            {
                return RejectReason.TooLong;
            }

            int versionFlags = buffer[offset + FrameLayout.OffsetVersionFlags];
            if ((versionFlags >> 4) != FrameLayout.Version)
            {
                return RejectReason.UnsupportedVersion;
            }

            int flags = versionFlags & 0x0F;
            if ((flags & ~FrameFlags.DefinedMask) != 0)
            {
                return RejectReason.ReservedFlags;
            }

            int type = buffer[offset + FrameLayout.OffsetType];
            if (!MessageTypes.IsDefined(type))
            {
                return RejectReason.UnknownMessageType;
            }

            int payloadLength = buffer[offset + FrameLayout.OffsetPayloadLength];
            if (FrameLayout.Overhead + payloadLength != length)
            {
                return RejectReason.LengthMismatch;
            }

            int hopLimit = buffer[offset + FrameLayout.OffsetHopLimit];
            if (hopLimit > FrameLayout.MaxHopLimit)
            {
                return RejectReason.HopLimitInvalid;
            }

            int hopsTaken = buffer[offset + FrameLayout.OffsetHopsTaken];
            if (hopsTaken > hopLimit)
            {
                return RejectReason.HopsExceeded;
            }

            uint origin = LittleEndian.ReadUInt32(buffer, offset + FrameLayout.OffsetOrigin);
            uint destination = LittleEndian.ReadUInt32(buffer, offset + FrameLayout.OffsetDestination);
            if (!NodeAddress.IsValidNodeId(origin) || destination == NodeAddress.None)
            {
                return RejectReason.BadAddress;
            }

            into.Flags = flags;
            into.Type = (MessageType)type;
            into.Network = LittleEndian.ReadUInt16(buffer, offset + FrameLayout.OffsetNetwork);
            into.Origin = origin;
            into.Destination = destination;
            into.Sequence = LittleEndian.ReadUInt32(buffer, offset + FrameLayout.OffsetSequence);
            into.HopLimit = hopLimit;
            into.HopsTaken = hopsTaken;
            into.PreviousHop = LittleEndian.ReadUInt32(buffer, offset + FrameLayout.OffsetPreviousHop);
            into.NextHop = LittleEndian.ReadUInt32(buffer, offset + FrameLayout.OffsetNextHop);
            into.PayloadLength = payloadLength;
            return RejectReason.None;
        }

        /// <summary>Writes the header; the payload goes at offset + HeaderSize and the MIC after it.</summary>
        public static void WriteHeader(FrameHeader header, byte[] buffer, int offset)
        {
            buffer[offset + FrameLayout.OffsetVersionFlags] = (byte)((FrameLayout.Version << 4) | (header.Flags & 0x0F));
            buffer[offset + FrameLayout.OffsetType] = (byte)header.Type;
            LittleEndian.WriteUInt16(buffer, offset + FrameLayout.OffsetNetwork, header.Network);
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetOrigin, header.Origin);
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetDestination, header.Destination);
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetSequence, header.Sequence);
            buffer[offset + FrameLayout.OffsetHopLimit] = (byte)header.HopLimit;
            WriteMutable(buffer, offset, header.HopsTaken, header.PreviousHop, header.NextHop);
            buffer[offset + FrameLayout.OffsetPayloadLength] = (byte)header.PayloadLength;
        }

        /// <summary>Rewrites the fields a relay changes; the MIC stays valid because it excludes them.</summary>
        public static void WriteMutable(byte[] buffer, int offset, int hopsTaken, uint previousHop, uint nextHop)
        {
            buffer[offset + FrameLayout.OffsetHopsTaken] = (byte)hopsTaken;
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetPreviousHop, previousHop);
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetNextHop, nextHop);
        }
    }
}
