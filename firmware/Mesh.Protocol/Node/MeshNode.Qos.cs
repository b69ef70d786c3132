using Mesh.Protocol.Messages;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Quality of service (PROTOCOL.md, "Traffic classes and quality of service"): transmit-queue slots by
    /// class, per-origin fair share, channel utilisation, congestion control, the duty-cycle budget, and
    /// what the beacon and heartbeat block 1 report. The hooks elsewhere are one call each.
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>How long a beacon naming this node as throttled keeps its own reports and heartbeats spaced.</summary>
        public const long ThrottleNoticeHoldMs = 60000;

        /// <summary>Least time between two throttle notices of a node that does not route structured.</summary>
        public const long ThrottleNoticeIntervalMs = 30000;

        /// <summary>Spacing factor, permille, while a throttle notice holds (when congestion asks for less).</summary>
        public const int ThrottleNoticeFactorPermille = 2000;

        private readonly Airtime _airtime;
        private readonly ChannelMonitor _channel;
        private readonly DutyCycle _duty;
        private readonly FairShare _fairShare;
        private readonly ReportSpacing _reportSpacing;
        private readonly int _gatewayShareMultiplier;
        private readonly int _congestionThreshold;
        private readonly int _minHopLimit;

        // Since the last heartbeat (block 1).
        private int _throttledSinceReport;
        private readonly int[] _lostSinceReport = new int[TrafficClass.Count];

        private bool _dutyDeferred;

        // The last time the duty cycle held the frame due first (a frame due at or before it was held).
        private long _dutyHeldAtMs = long.MinValue;
        private long _throttleNoticeUntilMs = long.MinValue;
        private long _nextThrottleNoticeMs = long.MinValue;

        // ---------------------------------------------------------------- what the beacon carries and feeds

        /// <summary>Channel busy share over the utilisation window, 255 = 100 % (beacon, heartbeat).</summary>
        public int Utilisation(long nowMs)
        {
            int u = _channel.Share255(nowMs);
            _counters.Utilisation = u;
            return u;
        }

        /// <summary>Utilisation above CongestionThresholdPermille: the beacon's congested flag.</summary>
        public bool IsCongested(long nowMs)
        {
            return _channel.Permille(nowMs) > _congestionThreshold;
        }

        /// <summary>Share of the duty-cycle budget used in its window, 255 = all.</summary>
        public int DutyUsed(long nowMs)
        {
            return _duty.UsedShare255(nowMs);
        }

        /// <summary>
        /// The origin this node throttled most since the previous call (0 none) and how many of its frames
        /// (saturating at 65535): the beacon's throttled and throttled n fields. Resets the count.
        /// </summary>
        public uint TakeMostThrottled(out int count)
        {
            return _fairShare.TakeMostThrottledSinceBeacon(out count);
        }

        /// <summary>
        /// A neighbour's beacon said it throttled <paramref name="throttledOrigin"/> (<paramref name="count"/>
        /// frames). When that is this node, it counts them and spaces its own reports and heartbeats for
        /// <see cref="ThrottleNoticeHoldMs"/>.
        /// </summary>
        public void OnNeighbourThrottleNotice(uint throttledOrigin, int count, long nowMs)
        {
            if (throttledOrigin != _id || count <= 0)
            {
                return;
            }

            _counters.ThrottledByNeighbours += count;
            _throttleNoticeUntilMs = nowMs + ThrottleNoticeHoldMs;
        }

        /// <summary>A beacon advertised <paramref name="id"/> as a gateway: its fair share is multiplied.</summary>
        public void NoteGatewayOrigin(uint id, long nowMs)
        {
            if (NodeAddress.IsValidNodeId(id))
            {
                _fairShare.NoteGateway(id, nowMs);
            }
        }

        /// <summary>The fair-share table (tests, metrics).</summary>
        public FairShare FairShare
        {
            get { return _fairShare; }
        }

        // ---------------------------------------------------------------- hooks

        /// <summary>Every frame the driver hands over, valid or not, occupied the channel.</summary>
        private void HearAirtime(int length, long nowMs)
        {
            _channel.Add(nowMs, _airtime.Of(length));
            _counters.Utilisation = _channel.Share255(nowMs);
        }

        /// <summary>Delay and spacing factor in permille: congestion, and a throttle notice for own spacing.</summary>
        private int CongestionFactor(long nowMs)
        {
            return Congestion.FactorPermille(_channel.Permille(nowMs), _congestionThreshold);
        }

        /// <summary>
        /// Spacing of this node's own periodic frames, permille: the larger of the delay factor, the
        /// report-spacing controller's and, while a throttle notice holds, <see cref="ThrottleNoticeFactorPermille"/>.
        /// </summary>
        private int SpacingFactor(long nowMs)
        {
            int u = _channel.Permille(nowMs);
            int f = Congestion.FactorPermille(u, _congestionThreshold);
            int s = _reportSpacing.Step(nowMs, u, _congestionThreshold);
            if (s > f)
            {
                f = s;
            }

            _counters.ReportSpacingPermille = f;
            return nowMs < _throttleNoticeUntilMs && f < ThrottleNoticeFactorPermille ? ThrottleNoticeFactorPermille : f;
        }

        /// <summary>A broadcast's hop limit under the current utilisation (others keep theirs).</summary>
        private int ScaledHopLimit(int hopLimit, uint destination, uint nextHop, long nowMs)
        {
            if (destination != NodeAddress.Broadcast || nextHop != NodeAddress.None)
            {
                return hopLimit;
            }

            return Congestion.ScaledHopLimit(hopLimit, _channel.Permille(nowMs), _congestionThreshold, _minHopLimit);
        }

        /// <summary>A queue slot for a frame of <paramref name="type"/>, evicting by class; -1 (counted) when there is none.</summary>
        private int AcquireSlot(MessageType type)
        {
            int cls = TrafficClass.Of((int)type);
            int evicted;
            int slot = _transmit.Acquire(cls, out evicted);
            if (evicted >= 0)
            {
                _counters.EvictedByClass[evicted]++;
                _lostSinceReport[evicted]++;
            }
            else if (slot < 0)
            {
                _counters.DroppedByClass[cls]++;
                _lostSinceReport[cls]++;
            }

            return slot;
        }

        /// <summary>
        /// Fair share for a frame this node is about to relay; false (counted) when its origin has no token.
        /// A control frame (command, ack, hop ack) costs a 1/GatewayShareMultiplier token: a gateway's burst
        /// of commands (a key refresh, "ping all") and their acks must pass relays that never heard the
        /// gateway's beacon, and a relay cannot tell a gateway's command from an insider's. Control
        /// frames are thereby bounded at the multiplier times the share, not exempt.
        /// </summary>
        private bool TakeFairShare(uint origin, MessageType type, int frameLength, long nowMs)
        {
            int units = TrafficClass.Of((int)type) == TrafficClass.Control ? FairShare.UnitsPerFrame / _gatewayShareMultiplier : FairShare.UnitsPerFrame;
            if (_fairShare.TryTake(origin, nowMs, units))
            {
                return true;
            }

            _counters.ThrottledFrames++;
            _throttledSinceReport++;
            _reportSpacing.AddRefused(_airtime.Of(frameLength));
            SendThrottleNotice(nowMs);
            return false;
        }

        /// <summary>
        /// A node that does not route structured sends no beacons, so the origin it throttles would never
        /// learn of it: it sends a throttle notice (a one-hop beacon carrying only the QoS fields) at most
        /// once every <see cref="ThrottleNoticeIntervalMs"/>. Structured nodes put the same fields in their beacons.
        /// </summary>
        private void SendThrottleNotice(long nowMs)
        {
            if (RoutingActive || nowMs < _nextThrottleNoticeMs)
            {
                return;
            }

            int count;
            uint origin = _fairShare.TakeMostThrottledSinceBeacon(out count);
            if (origin == 0)
            {
                return;
            }

            _nextThrottleNoticeMs = nowMs + ThrottleNoticeIntervalMs;
            int n = Beacon.EncodeNotice(_txPayload, 0, (int)_role, IsCongested(nowMs), Utilisation(nowMs), origin, count);
            if (Originate(MessageType.Beacon, NodeAddress.Broadcast, NodeAddress.None, n, nowMs, 0) == SendResult.Queued)
            {
                _counters.ThrottleNoticesSent++;
            }
        }

        /// <summary>The earliest time the frame that would then leave first fits the duty-cycle budget.</summary>
        private long NextReleaseMs()
        {
            long t = _transmit.NextDueMs;
            for (int i = 0; i <= _transmit.Capacity && t != long.MaxValue; i++)
            {
                int slot = _transmit.PeekDue(t);
                long at = _duty.AvailableAt(t, _airtime.Of(_transmit.LengthOf(slot)));
                if (at == t)
                {
                    break;
                }

                // The frame due first at t is held by the duty cycle (the driver sleeps until budget returns).
                if (t > _dutyHeldAtMs)
                {
                    _dutyHeldAtMs = t;
                }

                t = at;
            }

            return t;
        }

        private bool TryRelease(long nowMs, byte[] output, int outputOffset, out int length)
        {
            int slot = ReleaseDue(nowMs);
            if (slot < 0)
            {
                length = 0;
                return false;
            }

            length = AppendBundle(output, outputOffset, _transmit.Take(slot, output, outputOffset), nowMs);
            return true;
        }

        /// <summary>
        /// The slot of the frame that leaves now (due, and within the duty-cycle budget; its airtime spent and
        /// counted), still holding the frame; -1 when none may leave. The caller takes it out of the queue.
        /// </summary>
        private int ReleaseDue(long nowMs)
        {
            int slot = _transmit.PeekDue(nowMs);
            if (slot < 0)
            {
                return -1;
            }

            int air = _airtime.Of(_transmit.LengthOf(slot));
            if (!_duty.Allows(nowMs, air))
            {
                // Head of line: the frame waits (it is never lost to the budget) and nothing overtakes it.
                if (!_dutyDeferred)
                {
                    _dutyDeferred = true;
                    _counters.DutyCycleDeferrals++;
                }

                _dutyHeldAtMs = nowMs;
                return -1;
            }

            _dutyDeferred = false;
            _duty.Spend(nowMs, air);
            _channel.Add(nowMs, air);
            _counters.Utilisation = _channel.Share255(nowMs);
            UpwardOnAir(slot, nowMs);
            StampOneHop(slot, nowMs);
            return slot;
        }

        /// <summary>
        /// A beacon or hop ack leaves stamped with the second it goes on air, under a fresh network MIC when that
        /// second is later than the one it was built in (it waited for the channel or for duty-cycle budget):
        /// receivers hold one-hop frames to a leash of a few seconds (PROTOCOL.md, "Freshness"). On ESP-NOW a frame
        /// rarely waits across a second boundary, so the MIC is rarely computed twice.
        /// </summary>
        private void StampOneHop(int slot, long nowMs)
        {
            byte[] frame = _transmit.BufferOf(slot);
            if (!MessageTypes.IsOneHop((MessageType)frame[FrameLayout.OffsetType]))
            {
                return;
            }

            uint now = _clock.Now(nowMs);
            NetworkKey net = _keys.Find(FrameCodec.NetworkKeyIndexOf(frame, 0));
            if (net == null || LittleEndian.ReadUInt32(frame, FrameLayout.OffsetTime) >= now)
            {
                return;
            }

            LittleEndian.WriteUInt32(frame, FrameLayout.OffsetTime, now);
            SealForAir(net, frame, 0, _transmit.LengthOf(slot));
        }

        /// <summary>
        /// Whether the frame in transmit slot <paramref name="slot"/> was held by the duty cycle: the budget refused
        /// the frame due first at some time since this one was due (nothing overtakes a held frame, so this one
        /// waited too) — noted when a release is refused, when the next release time is computed, and by
        /// <see cref="DutyHolds"/>. Never true while the budget does not bind.
        /// </summary>
        private bool DutyHeld(int slot)
        {
            return _dutyHeldAtMs >= _transmit.DueOf(slot);
        }

        /// <summary>True (and noted for <see cref="DutyHeld"/>) when the frame that would leave first now does not fit the duty-cycle budget.</summary>
        private bool DutyHolds(long nowMs)
        {
            int head = _transmit.PeekDue(nowMs);
            if (head < 0 || _duty.Allows(nowMs, _airtime.Of(_transmit.LengthOf(head))))
            {
                return false;
            }

            _dutyHeldAtMs = nowMs;
            return true;
        }

        /// <summary>Fills heartbeat block 1 and starts the next reporting period.</summary>
        private void FillQosReport(QosReport q, long nowMs)
        {
            q.Utilisation = (byte)Utilisation(nowMs);
            q.DutyUsed = (byte)_duty.UsedShare255(nowMs);
            q.Throttled = (ushort)(_throttledSinceReport > ushort.MaxValue ? ushort.MaxValue : _throttledSinceReport);
            int mostCount;
            q.MostThrottled = _fairShare.TakeMostThrottledSinceReport(out mostCount);
            _throttledSinceReport = 0;
            for (int c = 0; c < TrafficClass.Count; c++)
            {
                q.Lost[c] = (byte)(_lostSinceReport[c] > 255 ? 255 : _lostSinceReport[c]);
                _lostSinceReport[c] = 0;
            }
        }
    }
}
