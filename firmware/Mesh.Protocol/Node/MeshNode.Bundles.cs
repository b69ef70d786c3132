using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Bundles (PROTOCOL.md, "Bundles"): the frame leaving now takes along, in the same radio frame, the other frames
    /// queued for its next hop and, under structured routing, every other frame already due. Each keeps its own header
    /// and MICs, so a receiver handles each as if heard alone; the bundle saves the channel accesses, preambles and
    /// 802.11 framing of the frames it carries.
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>
        /// Appends to the frame leaving now (<paramref name="length"/> bytes at <paramref name="at"/> in
        /// <paramref name="buffer"/>, which has room for a whole radio frame from there) the other queued frames that
        /// would leave now anyway — every frame due — and, when the first goes to one next hop, the frames for that next
        /// hop due within the policy's jitter, while the whole stays within 250 bytes and the duty-cycle budget. Each
        /// is taken out of the queue as if it left alone (airtime spent, its wait for a hop ack started, a beacon or
        /// hop ack stamped with the second it leaves). Returns the radio frame's length. A flooded frame or one-hop
        /// frame not yet due never goes early: a flood's copy waits to be cancelled by copies heard from others.
        /// </summary>
        private int AppendBundle(byte[] buffer, int at, int length, long nowMs)
        {
            if (!Switched(SwitchBundleFrames) || buffer.Length - at < FrameLayout.MaxFrameSize || length < FrameLayout.MinFrameSize)
            {
                return length;
            }

            uint next = MessageTypes.IsOneHop((MessageType)buffer[at + FrameLayout.OffsetType])
                ? NodeAddress.None : LittleEndian.ReadUInt32(buffer, at + FrameLayout.OffsetNextHop);
            if (next == NodeAddress.Broadcast)
            {
                next = NodeAddress.None;
            }

            // Frames for other next hops and floods ride along only under structured routing; the flooding policies
            // bundle frames for one next hop (their directed commands) only, so what they were measured at stands.
            bool anyDue = RoutingActive;
            if (next == NodeAddress.None && !anyDue)
            {
                return length;
            }

            long dueBy = next == NodeAddress.None ? nowMs : nowMs + _policy.Settings.JitterMs;
            int before = length;
            while (FrameLayout.MaxFrameSize - length >= FrameLayout.MinFrameSize)
            {
                int slot = _transmit.PeekBundlePart(nowMs, dueBy, next, FrameLayout.MaxFrameSize - length, anyDue);
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
                StampOneHop(slot, nowMs);
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
