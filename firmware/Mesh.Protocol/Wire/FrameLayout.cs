namespace Mesh.Protocol.Wire
{
    /// <summary>Byte offsets and sizes of wire format v1. PROTOCOL.md is the normative description.</summary>
    public static class FrameLayout
    {
        public const int Version = 1;

        public const int OffsetVersionFlags = 0;
        public const int OffsetType = 1;
        public const int OffsetNetwork = 2;
        public const int OffsetOrigin = 4;
        public const int OffsetDestination = 8;
        public const int OffsetSequence = 12;
        public const int OffsetHopLimit = 16;

        // Mutable region: relays rewrite these three fields, so the MIC is computed with them zeroed.
        public const int OffsetHopsTaken = 17;
        public const int OffsetPreviousHop = 18;
        public const int OffsetNextHop = 22;
        public const int MutableStart = 17;
        public const int MutableLength = 9;

        public const int OffsetPayloadLength = 26;
        public const int HeaderSize = 27;
        public const int MicSize = 8;
        public const int Overhead = HeaderSize + MicSize;

        /// <summary>An ESP-NOW payload is at most 250 bytes; every frame fits one.</summary>
        public const int MaxFrameSize = 250;
        public const int MaxPayloadSize = MaxFrameSize - Overhead;

        /// <summary>Largest hop limit a frame may carry; anything above is treated as malformed.</summary>
        public const int MaxHopLimit = 32;
    }
}
