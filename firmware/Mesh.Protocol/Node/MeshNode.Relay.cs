using Mesh.Protocol.Qos;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Relaying: whether and when to pass a frame on, and re-sealing the copy for its next hop. Every
    /// frame this node would relay costs its origin a fair-share token; delays stretch under congestion.
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>
        /// Share of the duty-cycle budget, permille, flooded relays leave for the node's own frames. A flood
        /// relay is one copy among several; a node's own reading has no other sender. Without the reserve a
        /// LoRa node (1 % an hour) spends its whole budget relaying, and its own readings then wait in the
        /// queue, with everything behind them, until budget returns an hour later. 1/16 is about what a LoRa
        /// sensor's own readings take (4 an hour of ~0.55 s in 36 s); meshtastic-lora-40, seeds 3-7, delivered
        /// 95.8 % on average with 62, 93.3 % with 125, 93.2 % with 30, 88.7 % with 250, 79.3 % with 500, 81.5 % without.
        /// </summary>
        public const int RelayReservePermille = 62;

        private void ScheduleRelay(FrameHeader h, NetworkKey net, byte[] frame, int offset, int rssi, long nowMs)
        {
            if (!NodeRoles.Relays(_role) || h.Destination == _id || h.HopsTaken >= h.HopLimit)
            {
                return;
            }

            int delay;
            int cancelAfter = 0;
            uint nextHop = NodeAddress.None;
            if (h.NextHop != NodeAddress.None)
            {
                if (h.NextHop != _id)
                {
                    return; // directed along a path that does not run through us
                }

                // Upward along the gradient (structured routing), when that is what the frame is.
                if (RelayUpward(h, net, frame, offset, rssi, nowMs))
                {
                    return;
                }

                // Directed: pass it along our own reverse path, or flood from here if we have none.
                nextHop = _routes.NextHop(h.Destination, nowMs);
                if (nextHop == h.PreviousHop)
                {
                    nextHop = NodeAddress.None;
                }

                delay = RandomExtensions.NextBelow(_random, _policy.Settings.JitterMs + 1);
            }
            else
            {
                // A flooded upward frame stops at this node's own hop limit too: an origin may set any limit (an
                // honest one sets more for a long gradient, UpwardHopLimit; an insider sets 32), and only the directed
                // path may be that long, never a flood across the mesh.
                if (h.Destination == NodeAddress.Gateways && h.HopsTaken >= _hopLimit)
                {
                    return;
                }

                if (h.HopsTaken >= ScaledHopLimit(h.HopLimit, h.Destination, h.NextHop, nowMs))
                {
                    _counters.RelaysHopScaled++;
                    return;
                }

                if (UphillOfUpwardFlood(h, nowMs))
                {
                    return;
                }

                if (RejoinGradient(h, net, frame, offset, nowMs))
                {
                    return;
                }

                if (BackboneActive && RidesBackbone(h))
                {
                    RelayBackbone(h, net, frame, offset, rssi, nowMs);
                    return;
                }

                delay = _policy.RebroadcastDelay(h, rssi, _random);
                if (delay < 0)
                {
                    return;
                }

                cancelAfter = _policy.CancelThreshold;
            }

            // A flooded relay may not spend the part of the duty-cycle budget kept for this node's own frames.
            if (h.NextHop == NodeAddress.None && !_duty.AllowsKeeping(nowMs, _airtime.Of(h.FrameLength), RelayReservePermille))
            {
                _counters.RelaysDutyReserved++;
                return;
            }

            // Duplicates never get here; a frame the policy declined costs nothing.
            if (!TakeFairShare(h.Origin, h.Type, h.FrameLength, nowMs))
            {
                return;
            }

            delay = Congestion.Scale(delay, CongestionFactor(nowMs));
            int slot = AcquireSlot(h.Type);
            if (slot < 0)
            {
                _counters.RelaysDroppedQueueFull++;
                return;
            }

            ScheduleRelayCopy(slot, h, net, frame, offset, nextHop, nowMs + delay, cancelAfter);
        }

        /// <summary>
        /// Queues this node's copy of a received frame in transmit slot <paramref name="slot"/>: one more hop
        /// taken, this node as previous hop, <paramref name="nextHop"/> (0: flood). The copy keeps the network
        /// key index it came under and is re-sealed for this hop: the network MIC covers the hop fields, so
        /// only a network key holder can relay. Returns the slot's buffer, which holds the copy.
        /// </summary>
        private byte[] ScheduleRelayCopy(int slot, FrameHeader h, NetworkKey net, byte[] frame, int offset, uint nextHop, long dueMs, int cancelAfter)
        {
            byte[] buffer = _transmit.BufferOf(slot);
            int length = h.FrameLength;
            System.Array.Copy(frame, offset, buffer, 0, length);
            FrameCodec.WriteHopFields(buffer, 0, h.HopsTaken + 1, _id, nextHop);
            SealForAir(net, buffer, 0, length);
            _transmit.Schedule(slot, length, dueMs, h.Origin, h.Sequence, cancelAfter, TrafficClass.Of((int)h.Type));
            _counters.RelaysScheduled++;
            return buffer;
        }
    }
}
