using Mesh.Protocol.Qos;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Upward frames that were not acknowledged in time: retransmission to the same parent, a switch of
    /// parent, the fall back to flooding, and handing a reading that ran out of routes to the reading store.
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>How long an upward frame waits for room in a full transmit queue before trying again.</summary>
        private const int QueueFullRetryMs = 10;

        private void ServiceUpward(int u, long nowMs)
        {
            StructuredRouting r = _routing;
            UpwardFrames up = r.Upward;
            uint failed = up.NextHopOf(u);

            // Still waiting in the transmit queue for duty-cycle budget: it never went on air, so the next hop
            // cannot have answered it. No retry is used up and no copy is queued again; the wait starts when
            // it leaves (UpwardOnAir).
            int queued = QueuedUpward(u);
            if (queued >= 0 && (DutyHeld(queued) || DutyHolds(nowMs)))
            {
                up.Postpone(u, _duty.AvailableAt(nowMs, _airtime.Of(_transmit.LengthOf(queued))) + AckWaitMs(failed));
                r.DutyHeldWaits++;
                return;
            }

            if (up.SentOf(u) && r.GatewayAckTimer != null && r.Gradient.IsGatewayNeighbour(failed))
            {
                r.GatewayAckTimer.TimedOut();
            }

            if (up.AttemptsOf(u) < r.HopRetries)
            {
                int delay = Resend(u, failed, nowMs, 0);
                if (delay < 0)
                {
                    // Transmit queue full: nothing was sent, so no retry is used up; try again shortly.
                    up.Postpone(u, nowMs + QueueFullRetryMs);
                    return;
                }

                // The first send of a frame kept while the queue was full is not a retransmission.
                if (up.SentOf(u))
                {
                    up.Retried(u, nowMs + delay + AckWaitMs(failed));
                    r.Retransmissions++;
                }
                else
                {
                    up.Postpone(u, nowMs + delay + AckWaitMs(failed));
                }

                up.MarkSent(u, nowMs + delay);
                return;
            }

            // Every retry to this parent went unanswered: the link failed.
            r.LinkFailures++;
            uint before = r.Gradient.Parent;
            if (r.Gradient.ParentFailed(failed, _neighbours, nowMs))
            {
                r.Trickle.Reset(nowMs, _random);
            }

            if (r.Gradient.Parent != before)
            {
                r.ParentChanges++;
            }

            uint next = r.Gradient.Parent;
            if (up.SwitchesOf(u) + 1 < r.ParentSwitches && next != NodeAddress.None && next != failed)
            {
                int delay = Resend(u, next, nowMs, 0);
                up.Switched(u, next, nowMs + (delay < 0 ? QueueFullRetryMs : delay + AckWaitMs(next)));
                if (delay < 0)
                {
                    up.MarkUnsent(u); // queue full: the new parent gets it on the next service, as a first send
                }

                return;
            }

            // Out of parents: managed flooding from here (next hop 0), no more acknowledgements awaited.
            StoreFailedUpward(u, nowMs);
            r.Relayed.MarkEchoed(up.OriginOf(u), up.SequenceOf(u));
            Resend(u, NodeAddress.None, nowMs, _policy.CancelThreshold);
            up.Release(u);
            r.FloodFallbacks++;
        }

        /// <summary>
        /// An upward slot for a new frame of <paramref name="length"/> bytes. When every slot is taken, or the kept copies
        /// leave no room for it (<see cref="UpwardFrames.HasRoom"/>: a board's shared bytes), each frame whose
        /// retransmission state is evicted for it (<see cref="UpwardFrames.Victim"/>, until there is room) is queued once more for its next hop, into a free transmit slot, to
        /// leave when its wait would have run out, and then no longer awaited (its last retransmission; a frame kept
        /// while the queue was full goes out for the first time); the next hop's hop ack for it, heard before it
        /// leaves, cancels it (<see cref="CancelEvictionResend"/>): at 3,000 nodes with one gateway the gateway's busiest
        /// children forward several frames a second while each waits up to a second for the gateway's bundled hop
        /// ack, so their slots overflow, and the evicted frames — most of them still on their first attempt — were
        /// 378 of the 410 readings lost (seed 31). The next hop acknowledges a copy it already has (a relay or a
        /// gateway answers a retransmission) and takes one it missed.
        /// With FallbackEcho, the evicted frame is flooded from here instead, as one out of parents is, so its
        /// origin hears it and keeps the reading (an own reading comes back through its neighbours' relays of the
        /// flood); before, its custody ended here silently (farm-200-partition seeds 4 and 10 lost readings that
        /// way). Only into a free transmit slot: evicting a queued frame could free the very buffer the new frame
        /// is about to be copied from. It is not stored here: the caller may be forwarding the oldest stored
        /// reading, which a store full of others would drop.
        /// </summary>
        private int ClaimUpward(int length, long nowMs)
        {
            StructuredRouting r = _routing;
            UpwardFrames up = r.Upward;
            while (!up.HasRoom(length))
            {
                int u = up.Victim();
                if (_transmit.FindFree() >= 0)
                {
                    if (r.FallbackEcho)
                    {
                        r.Relayed.MarkEchoed(up.OriginOf(u), up.SequenceOf(u));
                        Resend(u, NodeAddress.None, nowMs, _policy.CancelThreshold);
                        r.FloodFallbacks++;
                    }
                    else if (Resend(u, up.NextHopOf(u), up.DeadlineOf(u) > nowMs ? up.DeadlineOf(u) : nowMs, 0) >= 0)
                    {
                        r.EvictionResends++;
                    }
                }

                up.Evict(u);
            }

            return up.FreeSlot();
        }

        /// <summary>
        /// A hop ack from <paramref name="from"/> for a frame no longer in the upward slots: an evicted frame's last
        /// retransmission to it, still waiting in the transmit queue, is no longer needed.
        /// </summary>
        private void CancelEvictionResend(uint from, uint origin, uint sequence)
        {
            int slot = _transmit.Find(origin, sequence, false);
            if (slot < 0)
            {
                return;
            }

            byte[] queued = _transmit.BufferOf(slot);
            if (LittleEndian.ReadUInt32(queued, FrameLayout.OffsetNextHop) == from && IsUpward((MessageType)queued[FrameLayout.OffsetType], LittleEndian.ReadUInt32(queued, FrameLayout.OffsetDestination)))
            {
                _transmit.Cancel(slot);
            }
        }

        /// <summary>The transmit slot holding upward frame <paramref name="u"/> for its current next hop, or -1.</summary>
        private int QueuedUpward(int u)
        {
            UpwardFrames up = _routing.Upward;
            int slot = _transmit.Find(up.OriginOf(u), up.SequenceOf(u), false);
            return slot >= 0 && LittleEndian.ReadUInt32(_transmit.BufferOf(slot), FrameLayout.OffsetNextHop) == up.NextHopOf(u) ? slot : -1;
        }

        /// <summary>
        /// The frame in transmit slot <paramref name="slot"/> goes on air now. When it is an upward frame this node
        /// awaits an acknowledgement for and the duty cycle held it, the wait for that acknowledgement starts now:
        /// the time it spent waiting for budget is not counted against its next hop (PROTOCOL.md, *Structured
        /// routing*, "Upward data"). Frames the budget did not hold keep the deadline set when they were queued.
        /// </summary>
        private void UpwardOnAir(int slot, long nowMs)
        {
            if (!RoutingActive || !DutyHeld(slot))
            {
                return;
            }

            byte[] frame = _transmit.BufferOf(slot);
            uint next = LittleEndian.ReadUInt32(frame, FrameLayout.OffsetNextHop);
            if (next == NodeAddress.None || !IsUpward((MessageType)frame[FrameLayout.OffsetType], LittleEndian.ReadUInt32(frame, FrameLayout.OffsetDestination)))
            {
                return;
            }

            UpwardFrames up = _routing.Upward;
            int u = up.Find(_transmit.OriginOf(slot), _transmit.SequenceOf(slot));
            if (u < 0 || up.NextHopOf(u) != next)
            {
                return;
            }

            long deadline = nowMs + AckWaitMs(next);
            if (deadline > up.DeadlineOf(u))
            {
                up.Postpone(u, deadline);
            }

            up.MarkSent(u, nowMs);
        }

        /// <summary>Queues the kept copy of upward frame <paramref name="u"/> for <paramref name="nextHop"/> with a fresh network MIC; its delay, or -1 when the queue is full.</summary>
        private int Resend(int u, uint nextHop, long nowMs, int cancelAfter)
        {
            UpwardFrames up = _routing.Upward;
            byte[] kept = up.FrameOf(u);
            int at = up.OffsetOf(u);
            int length = up.LengthOf(u);
            NetworkKey net = _keys.Find(FrameCodec.NetworkKeyIndexOf(kept, at));
            int slot = net == null ? -1 : AcquireSlot((MessageType)kept[at + FrameLayout.OffsetType]);
            if (net == null || slot < 0)
            {
                return -1;
            }

            LittleEndian.WriteUInt32(kept, at + FrameLayout.OffsetNextHop, nextHop);
            byte[] buffer = _transmit.BufferOf(slot);
            System.Array.Copy(kept, at, buffer, 0, length);
            SealForAir(net, buffer, 0, length);
            int delay = RandomExtensions.NextBelow(_random, _policy.Settings.JitterMs + 1);
            _transmit.Schedule(slot, length, nowMs + delay, up.OriginOf(u), up.SequenceOf(u), cancelAfter, TrafficClass.Of(kept[at + FrameLayout.OffsetType]));
            return delay;
        }

        /// <summary>
        /// Store and forward: one of this node's own readings gave up on every parent and falls back to
        /// flooding; it is also stored again (with the time it was measured) for when a route returns, and
        /// the store waits a spacing before forwarding again.
        /// </summary>
        private void StoreFailedUpward(int u, long nowMs)
        {
            StructuredRouting r = _routing;
            byte[] kept = r.Upward.FrameOf(u);
            int at = r.Upward.OffsetOf(u);
            if (r.Store == null || r.Upward.OriginOf(u) != _id || kept[at + FrameLayout.OffsetType] != (byte)MessageType.Readings || _deviceKey == null)
            {
                return;
            }

            FrameHeader h = _tx;
            if (FrameCodec.TryDecode(kept, at, r.Upward.LengthOf(u), h) != RejectReason.None
                || !_payloadSealer.Open(_deviceKey.Sealing, h, kept, at, _rxPayload))
            {
                r.Store.Dropped++;
                return;
            }

            // Not straight back to the parent that just failed it: the next stored reading waits a spacing.
            if (r.Store.Add(_rxPayload, RxAt, h.PayloadLength, h.Time, h.Sequence))
            {
                long next = nowMs + Congestion.Scale(r.StoreForwardSpacingMs, SpacingFactor(nowMs));
                if (next > r.Store.NextForwardMs)
                {
                    r.Store.NextForwardMs = next;
                }
            }
        }
    }
}
