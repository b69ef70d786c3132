namespace Mesh.Protocol.Wire
{
    /// <summary>
    /// Encodes and decodes the v2 frame header. Decoding is total: every byte string is either a
    /// well-formed frame or gets a <see cref="RejectReason"/>; nothing throws and nothing reads outside
    /// [offset, offset + length). MICs are not checked here (see Security.NetworkSealer and PayloadSealer).
    /// </summary>
    public static class FrameCodec
    {
        public static RejectReason TryDecode(byte[] buffer, int offset, int length, FrameHeader into)
        {
            if (buffer == null || offset < 0 || length < 0 || offset > buffer.Length - length)
            {
                return RejectReason.TooShort;
            }

            if (length > FrameLayout.MaxFrameSize)
            {
                return RejectReason.TooLong;
            }

            // The version comes before the length check: a v1 frame (35 bytes minimum) must be told
            // apart from garbage so an operator sees "v1 frame" rather than "too short".
            if (length < 1)
            {
                return RejectReason.TooShort;
            }

            int versionFlags = buffer[offset + FrameLayout.OffsetVersionFlags];
            int version = versionFlags >> 4;
            if (version == 1)
            {
                return RejectReason.LegacyVersion;
            }

            if (version != FrameLayout.Version)
            {
                return RejectReason.UnsupportedVersion;
            }

            if (length < FrameLayout.MinFrameSize)
            {
                return RejectReason.TooShort;
            }

            int flags = versionFlags & 0x0F;
            if ((flags & ~FrameFlags.DefinedMask) != 0 || !FrameFlags.AreConsistent(flags))
            {
                return RejectReason.ReservedFlags;
            }

            int type = buffer[offset + FrameLayout.OffsetType];
            if (!MessageTypes.IsDefined(type))
            {
                return RejectReason.UnknownMessageType;
            }

            // Beacons and hop acks are authenticated by the network MIC alone: no payload sealing flag.
            if (MessageTypes.IsOneHop((MessageType)type) && flags != 0)
            {
                return RejectReason.ReservedFlags;
            }

            int payloadLength = buffer[offset + FrameLayout.OffsetPayloadLength];
            if (FrameLayout.HeaderSize + payloadLength + FrameLayout.Trailer(flags) != length)
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

            // A downlink frame is sealed with the destination's device key: it must name one node.
            if ((flags & FrameFlags.Downlink) != 0 && !NodeAddress.IsValidNodeId(destination))
            {
                return RejectReason.BadAddress;
            }

            // One-hop control frames: a beacon goes to every neighbour, a hop ack to the one node it acknowledges
            // or, a gateway's bundle for several, to every neighbour.
            if (type == (int)MessageType.Beacon && (hopLimit != 0 || destination != NodeAddress.Broadcast))
            {
                return RejectReason.BadAddress;
            }

            if (type == (int)MessageType.HopAck && (hopLimit != 0 || (!NodeAddress.IsValidNodeId(destination) && destination != NodeAddress.Broadcast)))
            {
                return RejectReason.BadAddress;
            }

            into.Flags = flags;
            into.Type = (MessageType)type;
            into.Network = LittleEndian.ReadUInt16(buffer, offset + FrameLayout.OffsetNetwork);
            into.NetworkKeyIndex = NetworkKeyIndexOf(buffer, offset);
            into.DeviceKeyIndex = buffer[offset + FrameLayout.OffsetKeyIndex] >> 4;
            into.Origin = origin;
            into.Destination = destination;
            into.Sequence = LittleEndian.ReadUInt32(buffer, offset + FrameLayout.OffsetSequence);
            into.Time = LittleEndian.ReadUInt32(buffer, offset + FrameLayout.OffsetTime);
            into.HopLimit = hopLimit;
            into.HopsTaken = hopsTaken;
            into.PreviousHop = LittleEndian.ReadUInt32(buffer, offset + FrameLayout.OffsetPreviousHop);
            into.NextHop = LittleEndian.ReadUInt32(buffer, offset + FrameLayout.OffsetNextHop);
            into.SenderCost = LittleEndian.ReadUInt16(buffer, offset + FrameLayout.OffsetSenderCost);
            into.PayloadLength = payloadLength;
            return RejectReason.None;
        }

        /// <summary>
        /// The length the v2 frame starting at <paramref name="offset"/> declares for itself (header, payload, MICs),
        /// or -1 when fewer than <see cref="FrameLayout.MinFrameSize"/> bytes are given, the version is not 2 or the flags
        /// are not valid: how a receiver finds where the next frame of a bundle starts (PROTOCOL.md, "Bundles").
        /// Reads nothing outside [offset, offset + length).
        /// </summary>
        public static int DeclaredLength(byte[] buffer, int offset, int length)
        {
            if (buffer == null || offset < 0 || length < FrameLayout.MinFrameSize || offset > buffer.Length - length)
            {
                return -1;
            }

            int versionFlags = buffer[offset + FrameLayout.OffsetVersionFlags];
            int flags = versionFlags & 0x0F;
            if (versionFlags >> 4 != FrameLayout.Version || (flags & ~FrameFlags.DefinedMask) != 0 || !FrameFlags.AreConsistent(flags))
            {
                return -1;
            }

            return FrameLayout.HeaderSize + buffer[offset + FrameLayout.OffsetPayloadLength] + FrameLayout.Trailer(flags);
        }

        /// <summary>
        /// Whether the bytes are a bundle (PROTOCOL.md, "Bundles"): at most 250 bytes holding two or more whole frames
        /// back to back, each declaring its own length (<see cref="DeclaredLength"/>), with nothing left over.
        /// </summary>
        public static bool IsBundle(byte[] buffer, int offset, int length)
        {
            return FramesIn(buffer, offset, length) > 1;
        }

        /// <summary>How many frames a receiver handles in these bytes: a bundle's frames, otherwise 1 (one frame, or bytes refused whole).</summary>
        public static int FramesIn(byte[] buffer, int offset, int length)
        {
            if (length > FrameLayout.MaxFrameSize)
            {
                return 1;
            }

            int end = offset + length;
            int parts = 0;
            for (int at = offset; at < end; parts++)
            {
                int part = DeclaredLength(buffer, at, end - at);
                if (part < FrameLayout.MinFrameSize || part > end - at)
                {
                    return 1;
                }

                at += part;
            }

            return parts > 1 ? parts : 1;
        }

        /// <summary>The network key index of the frame at <paramref name="offset"/> (the key byte's low nibble), for resealing a frame already built.</summary>
        public static int NetworkKeyIndexOf(byte[] buffer, int offset)
        {
            return buffer[offset + FrameLayout.OffsetKeyIndex] & 0x0F;
        }

        /// <summary>Writes the header; the payload goes at offset + HeaderSize and the MICs after it.</summary>
        public static void WriteHeader(FrameHeader header, byte[] buffer, int offset)
        {
            buffer[offset + FrameLayout.OffsetVersionFlags] = (byte)((FrameLayout.Version << 4) | (header.Flags & 0x0F));
            buffer[offset + FrameLayout.OffsetType] = (byte)header.Type;
            LittleEndian.WriteUInt16(buffer, offset + FrameLayout.OffsetNetwork, header.Network);
            buffer[offset + FrameLayout.OffsetKeyIndex] = (byte)((header.NetworkKeyIndex & 0x0F) | ((header.DeviceKeyIndex & 0x0F) << 4));
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetOrigin, header.Origin);
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetDestination, header.Destination);
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetSequence, header.Sequence);
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetTime, header.Time);
            buffer[offset + FrameLayout.OffsetHopLimit] = (byte)header.HopLimit;
            WriteHopFields(buffer, offset, header.HopsTaken, header.PreviousHop, header.NextHop);
            WriteSenderCost(buffer, offset, header.SenderCost);
            buffer[offset + FrameLayout.OffsetPayloadLength] = (byte)header.PayloadLength;
        }

        /// <summary>
        /// Rewrites the fields a relay changes. The network MIC covers them, so the relay must re-seal the
        /// frame afterwards (NetworkSealer.Seal).
        /// </summary>
        public static void WriteHopFields(byte[] buffer, int offset, int hopsTaken, uint previousHop, uint nextHop)
        {
            buffer[offset + FrameLayout.OffsetHopsTaken] = (byte)hopsTaken;
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetPreviousHop, previousHop);
            LittleEndian.WriteUInt32(buffer, offset + FrameLayout.OffsetNextHop, nextHop);
        }

        /// <summary>Writes the transmitter's advertised cost (a hop field: the frame must be re-sealed with the network MIC afterwards).</summary>
        public static void WriteSenderCost(byte[] buffer, int offset, int cost)
        {
            LittleEndian.WriteUInt16(buffer, offset + FrameLayout.OffsetSenderCost, (ushort)cost);
        }
    }
}
