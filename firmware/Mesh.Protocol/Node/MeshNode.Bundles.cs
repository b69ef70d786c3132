using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Bundles (PROTOCOL.md, "Bundles"): the frame leaving now for one next hop takes along, in the same radio frame,
    /// the other frames queued for that next hop. Each keeps its own header and MICs, so a receiver handles each as if
    /// heard alone; the bundle saves the channel accesses, preambles and 802.11 framing of the frames it carries.
    /// </summary>
    public sealed partial class MeshNode
    {
        private readonly bool _bundleFrames;

        /// <summary>
        /// Appends to the frame leaving now (<paramref name="length"/> bytes at <paramref name="at"/> in
        /// <paramref name="buffer"/>, which has room for a whole radio frame from there) every queued frame for the same
        /// next hop that is due within the policy's jitter and still fits 250 bytes and the duty-cycle budget; each is
        /// taken out of the queue as if it left alone (airtime spent, its wait for a hop ack started). Returns the
        /// radio frame's length. Frames flooded (next hop 0) and one-hop frames never bundle: a flood's copies are
        /// cancelled one by one as others are heard, and a beacon or hop ack is stamped as it leaves.
        /// </summary>
        private int AppendBundle(byte[] buffer, int at, int length, long nowMs)
        {
            if (!_bundleFrames || buffer.Length - at < FrameLayout.MaxFrameSize || length < FrameLayout.MinFrameSize
                || MessageTypes.IsOneHop((MessageType)buffer[at + FrameLayout.OffsetType]))
            {
                return length;
            }

            uint next = LittleEndian.ReadUInt32(buffer, at + FrameLayout.OffsetNextHop);
            if (next == NodeAddress.None || next == NodeAddress.Broadcast)
            {
                return length;
            }

            long dueBy = nowMs + _policy.Settings.JitterMs;
            int before = length;
            while (FrameLayout.MaxFrameSize - length >= FrameLayout.MinFrameSize)
            {
                int slot = _transmit.PeekBundlePart(dueBy, next, FrameLayout.MaxFrameSize - length);
                if (slot < 0)
                {
                    break;
                }

                int part = _transmit.LengthOf(slot);
                int extra = _airtime.Of(length + part) - _airtime.Of(length);
                if (!_duty.Allows(nowMs, extra))
                {
                    break;
                }

                _duty.Spend(nowMs, extra);
                _channel.Add(nowMs, extra);
                UpwardOnAir(slot, nowMs);
                System.Array.Copy(_transmit.BufferOf(slot), 0, buffer, at + length, part);
                _transmit.Take(slot, null, 0);
                length += part;
            }

            if (length > before)
            {
                _counters.Utilisation = _channel.Share255(nowMs);
            }

            return length;
        }
    }
}
