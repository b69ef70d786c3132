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
        LegacyVersion = 18,
        Stale = 19,
        UnknownKey = 20,
        UnknownDevice = 21,
        BadPayloadMic = 22,
        Unsealed = 23,
        CommandReplayed = 24,
        LateOneHop = 25,
    }

    public static class RejectReasons
    {
        public const int Count = 26;

        /// <summary>Stable, human-readable text for logs and metrics labels (Enum.ToString is unreliable on nanoFramework).</summary>
        public static string Describe(RejectReason reason)
        {
            switch (reason)
            {
                case RejectReason.None: return "accepted";
                case RejectReason.TooShort: return "too short: fewer bytes than header + network MIC";
                case RejectReason.TooLong: return "too long: more than 250 bytes";
                case RejectReason.UnsupportedVersion: return "unsupported protocol version";
                case RejectReason.ReservedFlags: return "reserved flag bits set, inconsistent flags, or sealing on a beacon or hop ack";
                case RejectReason.UnknownMessageType: return "unknown message type";
                case RejectReason.LengthMismatch: return "payload length field disagrees with frame length";
                case RejectReason.HopLimitInvalid: return "hop limit above protocol maximum";
                case RejectReason.HopsExceeded: return "hops taken exceed hop limit";
                case RejectReason.BadAddress: return "reserved address as origin, destination 0, a downlink frame to a group, or a beacon / hop ack not one hop to its allowed destination";
                case RejectReason.WrongNetwork: return "frame belongs to another network id";
                case RejectReason.BadMic: return "network MIC does not verify (forged, altered in transit, corrupted or wrong network key)";
                case RejectReason.Replayed: return "sequence already accepted from this origin (replay)";
                case RejectReason.TooOld: return "sequence older than the replay window";
                case RejectReason.Duplicate: return "duplicate of a frame already handled";
                case RejectReason.OwnFrame: return "our own frame relayed back";
                case RejectReason.MalformedPayload: return "payload does not parse for its message type";
                case RejectReason.Backpressure: return "delivery queue full; frame left for a later copy";
                case RejectReason.LegacyVersion: return "wire format v1 frame: this node speaks v2 only (update the sender's firmware)";
                case RejectReason.Stale: return "network time of the frame is older than the freshness window (replayed or delayed)";
                case RejectReason.UnknownKey: return "network key index not installed on this node";
                case RejectReason.UnknownDevice: return "no device key for the node that sealed the payload";
                case RejectReason.BadPayloadMic: return "end-to-end MIC does not verify (forged by a key holder, or wrong device key)";
                case RejectReason.Unsealed: return "payload not sealed end to end where this node requires it";
                case RejectReason.CommandReplayed: return "command counter not above the last one executed (replayed command)";
                case RejectReason.LateOneHop: return "beacon or hop ack older than the one-hop leash (played back, or carried from elsewhere)";
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
                case RejectReason.LegacyVersion: return "legacy_version";
                case RejectReason.Stale: return "stale";
                case RejectReason.UnknownKey: return "unknown_key";
                case RejectReason.UnknownDevice: return "unknown_device";
                case RejectReason.BadPayloadMic: return "bad_payload_mic";
                case RejectReason.Unsealed: return "unsealed";
                case RejectReason.CommandReplayed: return "command_replayed";
                case RejectReason.LateOneHop: return "late_one_hop";
                default: return "unknown";
            }
        }
    }
}
