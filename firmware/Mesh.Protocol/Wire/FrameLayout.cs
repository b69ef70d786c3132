namespace Mesh.Protocol.Wire
{
    /// <summary>Byte offsets and sizes of wire format v2. PROTOCOL.md is the normative description.</summary>
    public static class FrameLayout
    {
        public const int Version = 2;

        public const int OffsetVersionFlags = 0;
        public const int OffsetType = 1;
        public const int OffsetNetwork = 2;

        /// <summary>Low nibble: network key index; high nibble: device key index.</summary>
        public const int OffsetKeyIndex = 4;
        public const int OffsetOrigin = 5;
        public const int OffsetDestination = 9;
        public const int OffsetSequence = 13;

        /// <summary>The origin's network time in seconds when it sent the frame (freshness).</summary>
        public const int OffsetTime = 17;
        public const int OffsetHopLimit = 21;

        // Hop fields: relays rewrite them and re-seal the frame with the network MIC, which covers them.
        public const int OffsetHopsTaken = 22;
        public const int OffsetPreviousHop = 23;
        public const int OffsetNextHop = 27;

        /// <summary>
        /// The cost to a gateway the transmitter of this copy advertises as it sends it (ETX × 16, load included;
        /// 0xFFFF: no route, or a node that does not route): RPL's rank in a data frame, so the next hop sees a loop
        /// by the costs of now, not of the last beacon it heard (PROTOCOL.md, "Loops").
        /// </summary>
        public const int OffsetSenderCost = 31;
        public const int HopFieldsStart = 22;
        public const int HopFieldsLength = 11;

        public const int OffsetPayloadLength = 33;
        public const int HeaderSize = 34;

        /// <summary>End-to-end MIC (device key, or network key for network-encrypted payloads).</summary>
        public const int PayloadMicSize = 8;

        /// <summary>Per-hop MIC under the network key, over every byte before it.</summary>
        public const int NetMicSize = 8;

        /// <summary>Smallest frame: header and network MIC, no payload and no payload MIC.</summary>
        public const int MinFrameSize = HeaderSize + NetMicSize;

        /// <summary>An ESP-NOW payload is at most 250 bytes; every frame fits one.</summary>
        public const int MaxFrameSize = 250;

        /// <summary>The most frames a bundle can hold (PROTOCOL.md, "Bundles"): each is at least <see cref="MinFrameSize"/> bytes.</summary>
        public const int MaxBundleFrames = MaxFrameSize / MinFrameSize;

        /// <summary>Largest payload of a frame that carries a payload MIC (the usual case).</summary>
        public const int MaxPayloadSize = MaxFrameSize - HeaderSize - PayloadMicSize - NetMicSize;

        /// <summary>Largest hop limit a frame may carry; anything above is treated as malformed.</summary>
        public const int MaxHopLimit = 32;

        /// <summary>Bytes after the payload: payload MIC when present, then the network MIC.</summary>
        public static int Trailer(int flags)
        {
            return ((flags & FrameFlags.PayloadSealed) != 0 ? PayloadMicSize : 0) + NetMicSize;
        }
    }
}
