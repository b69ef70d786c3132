using Mesh.Protocol.Serial;

namespace Mesh.Gateway.Serial
{
    /// <summary>
    /// What a serial link has done, as a snapshot for /metrics: frames each way, frames dropped because the
    /// gateway fell behind, and what the decoder threw away, by <see cref="SerialRejectReason"/>.
    /// </summary>
    public sealed record SerialLinkCounters(
        long FramesReceived,
        long FramesSent,
        long FramesDropped,
        long RejectedBytes,
        long CrcMismatch,
        long BadStuffing,
        long TooLong,
        long TooShort)
    {
        public static SerialLinkCounters Zero { get; } = new(0, 0, 0, 0, 0, 0, 0, 0);

        /// <summary>Every rejected frame, whatever the reason.</summary>
        public long RejectedFrames => CrcMismatch + BadStuffing + TooLong + TooShort;

        public long RejectedFor(SerialRejectReason reason) => reason switch
        {
            SerialRejectReason.CrcMismatch => CrcMismatch,
            SerialRejectReason.BadStuffing => BadStuffing,
            SerialRejectReason.TooLong => TooLong,
            SerialRejectReason.TooShort => TooShort,
            _ => 0,
        };

        public SerialLinkCounters Add(SerialLinkCounters other) => new(
            FramesReceived + other.FramesReceived,
            FramesSent + other.FramesSent,
            FramesDropped + other.FramesDropped,
            RejectedBytes + other.RejectedBytes,
            CrcMismatch + other.CrcMismatch,
            BadStuffing + other.BadStuffing,
            TooLong + other.TooLong,
            TooShort + other.TooShort);
    }
}
