namespace Mesh.Protocol.Wire
{
    /// <summary>
    /// Why a received byte string was not accepted. Codec reasons come first, then security, then
    /// node-level outcomes. Values index counters, so they are dense and never renumbered.
    /// </summary>
    public enum RejectReason
    {
        None = 0,
        TooShort = 1,
        TooLong = 2,
        UnsupportedVersion = 3,
        ReservedFlags = 4,
        UnknownMessageType = 5,
        LengthMismatch = 6,
        HopLimitInvalid = 7,
        HopsExceeded = 8,
        BadAddress = 9,
        WrongNetwork = 10,
        BadMic = 11,
        Replayed = 12,
        TooOld = 13,
        Duplicate = 14,
        OwnFrame = 15,
        MalformedPayload = 16,
        Backpressure = 17,
    }

    public static class RejectReasons
    {
        public const int Count = 18;

        /// <summary>Stable, human-readable text for logs and metrics labels (Enum.ToString is unreliable on nanoFramework).</summary>
        public static string Describe(RejectReason reason)
        {
            switch (reason)
            {
                case RejectReason.None: return "accepted";
                case RejectReason.TooShort: return "too short: fewer bytes than header + MIC";
                case RejectReason.TooLong: return "too long: more than 250 bytes";
                case RejectReason.UnsupportedVersion: return "unsupported protocol version";
                case RejectReason.ReservedFlags: return "reserved flag bits set";
                case RejectReason.UnknownMessageType: return "unknown message type";
                case RejectReason.LengthMismatch: return "payload length field disagrees with frame length";
                case RejectReason.HopLimitInvalid: return "hop limit above protocol maximum";
                case RejectReason.HopsExceeded: return "hops taken exceed hop limit";
                case RejectReason.BadAddress: return "reserved address used as origin";
                case RejectReason.WrongNetwork: return "frame belongs to another network id";
                case RejectReason.BadMic: return "MIC does not verify (forged, corrupted or wrong key)";
                case RejectReason.Replayed: return "sequence already accepted from this origin (replay)";
                case RejectReason.TooOld: return "sequence older than the replay window";
                case RejectReason.Duplicate: return "duplicate of a frame already handled";
                case RejectReason.OwnFrame: return "our own frame relayed back";
                case RejectReason.MalformedPayload: return "payload does not parse for its message type";
                case RejectReason.Backpressure: return "delivery queue full; frame left for a later copy";
                default: return "unknown reason";
            }
        }

        public static string Label(RejectReason reason)
        {
            switch (reason)
            {
                case RejectReason.None: return "none";
                case RejectReason.TooShort: return "too_short";
                case RejectReason.TooLong: return "too_long";
                case RejectReason.UnsupportedVersion: return "unsupported_version";
                case RejectReason.ReservedFlags: return "reserved_flags";
                case RejectReason.UnknownMessageType: return "unknown_type";
                case RejectReason.LengthMismatch: return "length_mismatch";
                case RejectReason.HopLimitInvalid: return "hop_limit_invalid";
                case RejectReason.HopsExceeded: return "hops_exceeded";
                case RejectReason.BadAddress: return "bad_address";
                case RejectReason.WrongNetwork: return "wrong_network";
                case RejectReason.BadMic: return "bad_mic";
                case RejectReason.Replayed: return "replayed";
                case RejectReason.TooOld: return "too_old";
                case RejectReason.Duplicate: return "duplicate";
                case RejectReason.OwnFrame: return "own_frame";
                case RejectReason.MalformedPayload: return "malformed_payload";
                case RejectReason.Backpressure: return "backpressure";
                default: return "unknown";
            }
        }
    }
}
