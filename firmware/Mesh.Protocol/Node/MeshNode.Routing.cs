using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Structured routing (policy kind 4; PROTOCOL.md "Structured routing"): beacons paced by Trickle,
    /// the gradient towards the gateways, upward frames sent to the parent and acknowledged passively or
    /// by hop acks, retransmission, parent switching and the fall back to managed flooding.
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>Structured routing state; null on a node that neither routes structured nor is a gateway.</summary>
        public StructuredRouting Routing
        {
            get { return _routing; }
        }

        /// <summary>Whether this node routes upward traffic along the gradient (policy kind 4).</summary>
        private bool RoutingActive
        {
            get { return _routing != null && _policy.Settings.Kind == PolicyKind.Structured; }
        }

        /// <summary>Whether this node keeps its own readings while route-less (structured, not a gateway, StoreSlots > 0).</summary>
        private bool StoreActive
        {
            get { return RoutingActive && _routing.Store != null; }
        }

        /// <summary>Stored readings waiting for a route (0 on nodes that do not store).</summary>
        public int StoredReadings
        {
            get { return _routing == null || _routing.Store == null ? 0 : _routing.Store.Count; }
        }

        private bool IsGatewayNode
        {
            get { return _routing != null && _routing.IsGateway; }
        }

        /// <summary>Readings and heartbeats to the gateways go up the gradient; nothing else does.</summary>
        private static bool IsUpward(MessageType type, uint destination)
        {
            return destination == NodeAddress.Gateways && (type == MessageType.Readings || type == MessageType.Heartbeat);
        }

        private static StructuredRouting CreateRouting(NodeConfig config, long nowMs, IRandomSource random)
        {
            if (!config.IsGateway && config.Policy.Kind != PolicyKind.Structured)
            {
                return null;
            }

            return new StructuredRouting(config, nowMs, random);
        }

        /// <summary>
        /// After a policy change. A node switched to structured routing by command gets routing state with
        /// default settings, not as a gateway; one switched away drops the upward frames it was waiting on
        /// (it no longer retransmits them, and they would be stale when it came back).
        /// </summary>
        private void EnsureRouting()
        {
            if (_routing != null && _policy.Settings.Kind != PolicyKind.Structured)
            {
                for (int u = 0; u < _routing.Upward.Capacity; u++)
                {
                    _routing.Upward.Release(u);
                }
            }

            if (_routing == null && _policy.Settings.Kind == PolicyKind.Structured)
            {
                NodeConfig defaults = new NodeConfig();
                defaults.NodeId = _id;
                defaults.NeighbourTableSize = _neighbours.Capacity;
                _routing = new StructuredRouting(defaults, _startMs, _random);
            }
        }

        /// <summary>The next hop an originated frame takes: the parent for upward frames with a route, else 0 (flood).</summary>
        private uint UpwardNextHop(MessageType type, uint destination)
        {
            if (!RoutingActive || _routing.IsGateway || !IsUpward(type, destination))
            {
                return NodeAddress.None;
            }

            return _routing.Gradient.Parent;
        }

        /// <summary>
        /// The hop limit of an upward frame this node originates towards a next hop (routing active): at least its gradient's hop
        /// count plus <see cref="StructuredRouting.UpwardHopSlack"/>, at most the protocol's maximum. ETX prefers
        /// several good hops to a few lossy ones, so a gradient can be longer than the configured limit (the
        /// 10,000-node bench: 1,997 of 2,319 lost readings were carried hop by hop to the limit and died at a
        /// relay). A flood of the frame (a fallback) still stops at each relay's own limit (ScheduleRelay), so only the
        /// directed path gets longer.
        /// </summary>
        private int UpwardHopLimit(int hopLimit)
        {
            int hops = _routing.Gradient.Hops;
            if (hops >= Beacon.NoHops)
            {
                return hopLimit;
            }

            int need = hops + StructuredRouting.UpwardHopSlack;
            if (need > FrameLayout.MaxHopLimit)
            {
                need = FrameLayout.MaxHopLimit;
            }

            return need > hopLimit ? need : hopLimit;
        }

        private void TrackUpward(byte[] buffer, int length, uint origin, uint sequence, uint nextHop, long nowMs, long sentMs)
        {
            StructuredRouting r = _routing;
            int slot = ClaimUpward(length, nowMs);
            r.Upward.Track(slot, buffer, 0, length, origin, sequence, nextHop, sentMs + AckWaitMs(nextHop));
            r.Upward.MarkSent(slot, sentMs);
        }

        // ---------------------------------------------------------------- receiving

        /// <summary>
        /// Passive acknowledgement: our parent's copy of a frame we sent it (previous hop = that parent,
        /// same origin and sequence) — its own frames come back as OwnFrame, relayed ones as Duplicate, so
        /// this is checked before either. Only a copy whose network MIC verifies counts.
        /// </summary>
        private void NotePassiveAck(FrameHeader h, byte[] frame, int offset, int length, long nowMs)
        {
            StructuredRouting r = _routing;
            int u = r.Upward.Find(h.Origin, h.Sequence);
            if (u < 0 || h.HopsTaken == 0 || h.PreviousHop != r.Upward.NextHopOf(u)
                || PayloadTag.Of(frame, offset) != PayloadTag.Of(r.Upward.FrameOf(u), r.Upward.OffsetOf(u)))
            {
                return; // not our frame forwarded (another message under the same sequence is not our ack)
            }

            bool cameRound = h.HopsTaken <= r.Upward.FrameOf(u)[r.Upward.OffsetOf(u) + FrameLayout.OffsetHopsTaken];
            if (cameRound && r.FallbackEcho)
            {
                return; // see LeaveLoopingParent: with FallbackEcho the node keeps retrying the parent
            }

            NetworkKey net = _keys.Find(h.NetworkKeyIndex);
            if (net == null || !_netSealer.Verify(net, frame, offset, length))
            {
                return;
            }

            if (cameRound)
            {
                LeaveLoopingParent(u, h.PreviousHop, nowMs);
                return;
            }

            HeardSenderCost(h, nowMs);
            r.Upward.Release(u);
            r.PassiveAcks++;
            r.Gradient.LinkWorked(h.PreviousHop);
        }

        /// <summary>
        /// Our parent transmitted a copy of an upward frame we sent it with no more hops than ours: not its forward of our
        /// copy (that has one hop more) but its retransmission of a copy it had before ours — the frame went from the
        /// parent round a loop to us, and we handed it back. The parent does not acknowledge it (a frame come round a
        /// loop), and taken for our ack it ended silently (random-3000-one-gateway seed 33: 2404 → 2682 → 575 → 1644 →
        /// 2682, two readings); kept waiting for the parent, its sender retried into the loop seven times. So the parent's
        /// route, which leads back here, is forgotten until its next beacon and the frame goes to the parent chosen
        /// without it, as a switch (PROTOCOL.md *Structured routing*, loops on the data path); with no other parent, or
        /// none left to switch to, it waits for the retries as before. With FallbackEcho the copy is ignored (the node
        /// keeps retrying the parent, which floods the frame back: store and forward).
        /// </summary>
        private void LeaveLoopingParent(int u, uint parent, long nowMs)
        {
            StructuredRouting r = _routing;
            UpwardFrames up = r.Upward;
            r.LoopsDetected++;
            r.LoopsLeft++;
            if (r.Gradient.Parent == parent)
            {
                r.Gradient.DropRouteOf(parent, nowMs);
                RecomputeRoute(nowMs);
                r.Trickle.Reset(nowMs, _random);
            }

            uint next = r.Gradient.Parent;
            if (next == NodeAddress.None || next == parent || up.SwitchesOf(u) + 1 >= r.ParentSwitches)
            {
                return;
            }

            int delay = Resend(u, next, nowMs, 0);
            up.Switched(u, next, nowMs + (delay < 0 ? QueueFullRetryMs : delay + AckWaitMs(next)));
            if (delay < 0)
            {
                up.MarkUnsent(u);
            }
        }

        /// <summary>
        /// A copy of an upward frame we already handled, sent to us again as next hop: the sender missed our
        /// forward (or is retransmitting to a gateway that consumed it). Answered with a hop ack once it
        /// authenticates, unless it came round a loop; true when it was such a frame (the result is then in
        /// <paramref name="result"/>).
        /// </summary>
        private bool AnswerRetransmission(FrameHeader h, NetworkKey net, byte[] frame, int offset, long nowMs, out RejectReason result)
        {
            result = RejectReason.Duplicate;
            if (_routing == null || h.NextHop != _id || h.Destination != NodeAddress.Gateways || !NodeAddress.IsValidNodeId(h.PreviousHop))
            {
                return false;
            }

            if (!_netSealer.Verify(net, frame, offset, h.FrameLength))
            {
                result = RejectReason.BadMic;
                return true;
            }

            int relayed = _routing.Relayed.IndexOf(h.Origin, h.Sequence);
            bool cameRound = relayed >= 0 && h.HopsTaken > _routing.Relayed.HopsAt(relayed);
            if (cameRound && !_routing.FallbackEcho)
            {
                // More hops than when we relayed it: it went round a loop, not back from the node that handed it
                // over (that one retransmits its own copy). Every node of the loop took it as handed on when its
                // next hop forwarded it, so a hop ack here would end it silently; unanswered, its sender keeps it,
                // retries, and goes to another parent (PROTOCOL.md, Loops).
                _routing.LoopsDetected++;
                _routing.LoopReturns++;
                return true;
            }

            _routing.RetransmissionsAnswered++;
            SendHopAck(h.PreviousHop, h.Origin, h.Sequence, nowMs);
            if (cameRound)
            {
                FloodLoopReturn(h, net, frame, offset, nowMs);
            }

            return true;
        }

        /// <summary>Queues a received upward frame to be flooded from here (next hop 0) while hops remain; false when it was not.</summary>
        private bool FloodFrom(FrameHeader h, NetworkKey net, byte[] frame, int offset, long nowMs, int cancelAfter)
        {
            int slot = h.HopsTaken >= h.HopLimit ? -1 : AcquireSlot(h.Type);
            if (slot < 0)
            {
                return false;
            }

            int delay = RandomExtensions.NextBelow(_random, _policy.Settings.JitterMs + 1);
            ScheduleRelayCopy(slot, h, net, frame, offset, NodeAddress.None, nowMs + delay, cancelAfter);
            return true;
        }

        /// <summary>After a new frame was accepted: the hop ack a gateway owes, and Trickle news from data traffic.</summary>
        private void AfterAccepted(FrameHeader h, bool forUs, long nowMs)
        {
            StructuredRouting r = _routing;
            if (h.Destination != NodeAddress.Gateways)
            {
                return;
            }

            if (r.IsGateway)
            {
                if (forUs && h.NextHop == _id && NodeAddress.IsValidNodeId(h.PreviousHop))
                {
                    SendHopAck(h.PreviousHop, h.Origin, h.Sequence, nowMs);
                }

                return;
            }

            // A flooded upward frame from a structured neighbour without a route: it needs our beacon (answered).
            if (RoutingActive && h.NextHop == NodeAddress.None && r.Gradient.HasRoute)
            {
                // A neighbour flooding its own upward frame has no route now, whatever its last beacon said
                // (e.g. it was cut off and its route-less beacons never reached us). Only a neighbour that has
                // beaconed (it routes structured) can use our beacon: a node of another policy floods every
                // upward frame and never beacons, and resetting for each of its frames kept Trickle at its
                // shortest interval (mixed meshes, MixedPolicyTests). A structured neighbour we never heard
                // beacon is reached by its own route-less beacons (BeaconHeard). A gateway needs no route: it
                // floods its own heartbeat (it has no parent), and taking that for a plea reset every
                // neighbour's Trickle at each gateway heartbeat (farm-200: ~190 resets an hour, a fifth of the
                // beacons).
                int c = r.Gradient.AdvertisedCost(h.PreviousHop, nowMs);
                if (c >= 0 && (c == Beacon.NoCost || (h.HopsTaken == 0 && h.Origin == h.PreviousHop)) && !r.Gradient.IsGatewayNeighbour(h.PreviousHop))
                {
                    r.Trickle.Answer(nowMs, _random);
                }
            }
        }

        /// <summary>Beacons and hop acks: consumed by the core, never delivered to the application.</summary>
        private RejectReason ConsumeRouting(FrameHeader h, int n, long nowMs)
        {
            StructuredRouting r = _routing;
            if (r == null)
            {
                // A node that does not route structured acts only on a beacon's throttle notice.
                uint throttled;
                int throttledCount;
                if (h.Type == MessageType.Beacon)
                {
                    if (!Beacon.TryReadThrottle(_rxPayload, RxAt, n, out throttled, out throttledCount))
                    {
                        return RejectReason.MalformedPayload;
                    }

                    OnNeighbourThrottleNotice(throttled, throttledCount, nowMs);
                }

                return RejectReason.None;
            }

            if (h.Type == MessageType.Beacon)
            {
                if (!r.Beacon.TryDecode(_rxPayload, RxAt, n))
                {
                    return RejectReason.MalformedPayload;
                }

                OnBeacon(h.Origin, nowMs);
                return RejectReason.None;
            }

            if (!r.HopAck.TryDecode(_rxPayload, RxAt, n))
            {
                return RejectReason.MalformedPayload;
            }

            // Addressed to this node, or a gateway's bundle for several (each entry still counts only for
            // the node that sent that frame to the hop ack's origin).
            if (h.Destination == _id || h.Destination == NodeAddress.Broadcast)
            {
                r.HopAcksHeard++;
                for (int i = 0; i < r.HopAck.Count; i++)
                {
                    int u = r.Upward.Find(r.HopAck.Origins[i], r.HopAck.Sequences[i]);
                    if (u < 0)
                    {
                        if (!r.FallbackEcho)
                        {
                            CancelEvictionResend(h.Origin, r.HopAck.Origins[i], r.HopAck.Sequences[i]);
                        }

                        continue;
                    }

                    if (r.Upward.NextHopOf(u) == h.Origin)
                    {
                        // A gateway's bundle answered a first attempt: a sample of how long its acks take.
                        if (r.GatewayAckTimer != null && r.Upward.AttemptsOf(u) == 0 && r.Upward.SwitchesOf(u) == 0 && r.Gradient.IsGatewayNeighbour(h.Origin))
                        {
                            r.GatewayAckTimer.Sample(nowMs - r.Upward.SentAtOf(u));
                        }

                        r.Upward.Release(u);
                        r.Gradient.LinkWorked(h.Origin);
                    }
                }
            }

            return RejectReason.None;
        }

        private void OnBeacon(uint from, long nowMs)
        {
            StructuredRouting r = _routing;
            Beacon b = r.Beacon;
            r.BeaconsHeard++;
            r.Gradient.Update(from, b, b.QualityOf(_id), nowMs);
            // Fair share: a gateway's own beacon, and the gateway a neighbour's gradient leads to, get the
            // gateway share (an insider can claim either: PROTOCOL.md, insider limits); a throttle notice
            // naming this node makes it space its reports.
            if (b.IsGateway)
            {
                NoteGatewayOrigin(from, nowMs);
            }

            if (b.Gateway != 0)
            {
                NoteGatewayOrigin(b.Gateway, nowMs);
            }

            OnNeighbourThrottleNotice(b.Throttled, b.ThrottledCount, nowMs);
            if (!RoutingActive)
            {
                return;
            }

            if (r.Backbone != null)
            {
                BackboneOnBeacon(from, b, nowMs);
            }

            bool reset = RecomputeRoute(nowMs);
            bool routeless = b.Cost == Beacon.NoCost && !b.IsGateway;
            // A new neighbour is news only when it needs us (it has no route while we have one: answered) or
            // changed our route (reset): in a dense mesh the table's replacements would otherwise reset Trickle all the time.
            if (reset || (b.Parent == _id && r.Gradient.Parent == from))
            {
                r.Trickle.Reset(nowMs, _random);
            }
            else if (routeless && r.Gradient.HasRoute)
            {
                r.Trickle.Answer(nowMs, _random);
            }
            else if (!routeless || !r.Gradient.HasRoute)
            {
                r.Trickle.HeardConsistent();
            }
        }

        /// <summary>
        /// Re-chooses the parent and counts a change. News for the neighbours (PROTOCOL.md *Structured routing*,
        /// Trickle): minor news — the route kept, the cost fallen or risen by less than half — gets one prompt
        /// beacon, the interval left as it is (an estimate that wobbles across the threshold cost a run of beacons
        /// at every swing). A route gained or lost, and a cost risen by half or more, reset Trickle: route-less
        /// neighbours need the route, and neighbours routing through this node must hear bad news again and again
        /// until they do (prompting every rise left 3,000-node seed 44 with loops that lasted: 99.2 % delivered).
        /// True when Trickle was reset.
        /// </summary>
        private bool RecomputeRoute(long nowMs)
        {
            StructuredRouting r = _routing;
            uint before = r.Gradient.Parent;
            bool news = r.Gradient.Recompute(_neighbours, nowMs);
            if (r.Gradient.Parent != before)
            {
                r.ParentChanges++;
            }

            if (!news)
            {
                return false;
            }

            if (r.Gradient.NewsIsMinor)
            {
                r.Trickle.Prompt(nowMs, _random);
                return false;
            }

            r.Trickle.Reset(nowMs, _random);
            return true;
        }
    }
}
