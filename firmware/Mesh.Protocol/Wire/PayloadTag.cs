namespace Mesh.Protocol.Wire
{
    /// <summary>
    /// Sixteen bits of a frame's payload MIC: the same in every copy of one message (relays rewrite only the
    /// hop fields and the network MIC), and different, but for one chance in 65,536, between two messages an
    /// origin and an insider sealed under the same (origin, sequence). The duplicate cache keeps it so that an
    /// insider's forgery under the sequence an origin will use next does not make the genuine frame a
    /// duplicate at the relays, which cannot open either (PROTOCOL.md, "Sequence numbers and the replay window").
    /// </summary>
    public static class PayloadTag
    {
        /// <summary>The tag of the decoded frame at <paramref name="offset"/>; 0 when its payload is not sealed.</summary>
        public static int Of(byte[] frame, int offset)
        {
            if ((frame[offset + FrameLayout.OffsetVersionFlags] & FrameFlags.PayloadSealed) == 0)
            {
                return 0;
            }

            int mic = offset + FrameLayout.HeaderSize + frame[offset + FrameLayout.OffsetPayloadLength];
            return frame[mic] | (frame[mic + 1] << 8);
        }
    }
}
