using Mesh.Protocol.Messages;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>The receive pipeline: decode, authenticate, check freshness, learn, deliver, relay.</summary>
    public sealed partial class MeshNode
    {
        /// <summary>
        /// Handles one received radio frame: a frame, or a bundle of whole frames back to back (PROTOCOL.md, "Bundles"),
        /// each handled as if heard alone. Returns None when the (first) frame was accepted (delivered and/or
        /// scheduled for relay, or recorded as overheard), otherwise why not. Duplicates are normal in a flooding mesh
        /// and come back as Duplicate.
        /// </summary>
        public RejectReason Receive(byte[] frame, int offset, int length, int rssi, long nowMs)
        {
            return Receive(frame, offset, length, rssi, nowMs, null);
        }

        /// <summary>
        /// As <see cref="Receive(byte[], int, int, int, long)"/>, and when <paramref name="reasons"/> is given (at least
        /// <see cref="FrameLayout.MaxBundleFrames"/> long) it receives each frame's outcome in order, as many as
        /// <see cref="FrameCodec.FramesIn"/> counts: a driver that reports refusals (the gateway) sees the forged frame a
        /// bundle hides behind an authentic one.
        /// </summary>
        public RejectReason Receive(byte[] frame, int offset, int length, int rssi, long nowMs, RejectReason[] reasons)
        {
            HearAirtime(length, nowMs);

            // One frame, or a bundle's frames one by one. Bytes that are not whole frames back to back count as one
            // frame and are decoded as such, so a frame with anything appended is refused whole (LengthMismatch).
            int frames = FrameCodec.FramesIn(frame, offset, length);
            RejectReason first = RejectReason.None;
            for (int i = 0, at = offset; i < frames; i++)
            {
                int part = frames == 1 ? length : FrameCodec.DeclaredLength(frame, at, offset + length - at);
                RejectReason reason = ReceiveFrame(frame, at, part, rssi, nowMs);
                if (i == 0)
                {
                    first = reason;
                }

                if (reasons != null)
                {
                    reasons[i] = reason;
                }

                at += part;
            }

            return first;
        }

        private RejectReason ReceiveFrame(byte[] frame, int offset, int length, int rssi, long nowMs)
        {
            _counters.FramesReceived++;
            FrameHeader h = _rx;
            RejectReason reason = FrameCodec.TryDecode(frame, offset, length, h);
            if (reason != RejectReason.None)
            {
                return Reject(reason);
            }

            if (h.Network != _network)
            {
                return Reject(RejectReason.WrongNetwork);
            }

            if (_routing != null)
            {
                NotePassiveAck(h, frame, offset, length, nowMs);
                NoteBackboneCopy(h, frame, offset, length);
            }

            if (h.Origin == _id)
            {
                if (StoreActive)
                {
                    NoteFallbackEcho(h, frame, offset, length, nowMs);
                }

                return Reject(RejectReason.OwnFrame);
            }

            // Readings, heartbeats and acks are always sealed with the origin's device key, commands with
            // the target's (DeviceSealed + Downlink); text may be plain only where the operator allows it.
            // Refused before any crypto: it costs nothing. Without the Downlink check a gateway, which holds
            // every provisioned node's key, would open and execute a command an insider sealed with its own.
            // Beacons and hop acks carry no payload sealing (the codec refuses any): the network MIC is theirs.
            if (h.Type == MessageType.Text ? (Switched(SwitchRequireEncryption) && !h.IsEncrypted)
                : (!MessageTypes.IsOneHop(h.Type) && !HasDeviceSealingFor(h)))
            {
                return Reject(RejectReason.Unsealed);
            }

            NetworkKey net = _keys.Find(h.NetworkKeyIndex);
            if (net == null)
            {
                return Reject(RejectReason.UnknownKey);
            }

            if (_clock.IsStale(h.Time, nowMs))
            {
                return Reject(RejectReason.Stale);
            }

            if (MessageTypes.IsOneHop(h.Type) && _clock.IsLateOneHop(h.Time, nowMs, _airtime.Of(length)))
            {
                // A beacon or hop ack speaks for the link it is heard on; played back later (or elsewhere) it would
                // make a distant node look like a neighbour (PROTOCOL.md, "Freshness", the one-hop leash).
                return Reject(RejectReason.LateOneHop);
            }

            int tag = PayloadTag.Of(frame, offset);
            int seen = _duplicates.Find(h.Origin, h.Sequence, tag);
            if (seen >= 0 && !(_duplicates.IsOverheard(seen) && (h.NextHop == NodeAddress.None || h.NextHop == _id)))
            {
                return Reject(HearDuplicate(h, net, frame, offset, nowMs));
            }

            if (!_netSealer.Verify(net, frame, offset, length))
            {
                return Reject(RejectReason.BadMic);
            }

            if (seen < 0)
            {
                // The window holds only messages this node opened (sequences are never reused, so any other
                // message under a marked sequence is not the origin's); the cache tells apart the messages only
                // the network MIC vouches for, by payload tag (PROTOCOL.md, "Sequence numbers and the replay window").
                reason = _replay.Check(h.Origin, h.Sequence);
                if (reason == RejectReason.None && (_duplicates.Forgot(h.Origin, h.Sequence, h.Time) || FromBeforeStart(h.Time)))
                {
                    // Not in the cache, but no newer than a message the cache pushed out while it was still
                    // fresh, or than this node's start: it may have taken it and forgotten (PROTOCOL.md, "Freshness").
                    reason = RejectReason.TooOld;
                }

                if (reason != RejectReason.None)
                {
                    return Reject(reason);
                }
            }

            _clock.Observe(h.Time, nowMs);
            bool forUs = IsForUs(h);
            if (!forUs && h.NextHop != NodeAddress.None && h.NextHop != _id)
            {
                // Overheard on a directed path through another node. Recorded, so a captured copy re-sent
                // later is a duplicate; marked overheard, so that if the path breaks and a relay floods
                // it onwards (or re-routes it through us) this node still relays it once.
                _duplicates.Add(h.Origin, h.Sequence, tag, true, h.Time, _clock.StaleBelow(nowMs));
                LearnFrom(h, rssi, nowMs);
                _counters.FramesOverheard++;
                return RejectReason.None;
            }

            if (seen >= 0)
            {
                // An overheard frame now flooded or routed through us: relay it, deliver nothing (it was
                // not for us when first heard, and the header under the MIC has not changed).
                _duplicates.MarkHandled(seen);
                LearnFrom(h, rssi, nowMs);
                ScheduleRelay(h, net, frame, offset, rssi, nowMs);
                return RejectReason.None;
            }

            if (forUs && _events.FreeCount < EventsNeeded(h))
            {
                // Not committed: a later copy (relayed by a neighbour or retried) can still be taken.
                return Reject(RejectReason.Backpressure);
            }

            _duplicates.Add(h.Origin, h.Sequence, tag, false, h.Time, _clock.StaleBelow(nowMs));
            _counters.FramesAccepted++;
            LearnFrom(h, rssi, nowMs);

            reason = forUs ? Consume(h, frame, offset, rssi, nowMs) : RejectReason.None;
            if (reason == RejectReason.None && forUs && h.IsDeviceSealed)
            {
                // The payload opened under the device key of the node the frame names: now the origin is
                // proven, and its window may move (as far as the frame says: a node that lost its checkpoint jumps).
                _replay.Commit(h.Origin, h.Sequence);
            }
            if (_routing != null)
            {
                AfterAccepted(h, forUs, nowMs);
            }

            ScheduleRelay(h, net, frame, offset, rssi, nowMs);
            if (reason != RejectReason.None)
            {
                _counters.Rejected[(int)reason]++;
            }

            return reason;
        }

        /// <summary>
        /// Whether a frame is stamped before the second this node started, by its best clock now (which moves
        /// forward as it hears fresher frames after a restart with an old stored time): its tables were empty
        /// then, and it may have taken the frame before a restart (one of the start's own second is taken: a
        /// whole mesh powered up together talks in that second, and a restart takes longer). Irrelevant once
        /// W has passed (such a frame is stale), so it costs a node only the frames in flight when it starts.
        /// </summary>
        private bool FromBeforeStart(uint time)
        {
            return Switched(SwitchRefuseFromBeforeStart) && _clock.IsSet && time < _clock.Now(_startMs);
        }

        /// <summary>
        /// PROTOCOL.md, "Which sealing each message type needs": a command is DeviceSealed + Downlink (the
        /// target's key); readings, heartbeats and acks are DeviceSealed without Downlink (the origin's key).
        /// </summary>
        private static bool HasDeviceSealingFor(FrameHeader h)
        {
            if (!h.IsDeviceSealed)
            {
                return false;
            }

            return h.Type == MessageType.Command ? h.IsDownlink : !h.IsDownlink;
        }

        /// <summary>Learns from an authenticated frame: the transmitter is a neighbour, and a reverse path.</summary>
        private void LearnFrom(FrameHeader h, int rssi, long nowMs)
        {
            if (!NodeAddress.IsValidNodeId(h.PreviousHop) || h.PreviousHop == _id)
            {
                return;
            }

            // The parent's link quality is pinned against newcomers, as its gradient entry is (CrowdedNeighbourhoodTests).
            _neighbours.Heard(h.PreviousHop, rssi, nowMs, RoutingActive ? _routing.Gradient.Parent : 0);
            if (_routing != null)
            {
                _routing.Gradient.Heard(h.PreviousHop, nowMs);
                HeardSenderCost(h, nowMs);
                BackboneHeard(h, rssi, nowMs);
            }
            _routes.Learn(h.Origin, h.PreviousHop, h.HopsTaken, _neighbours.LinkCost(h.PreviousHop), nowMs, true);
            if (h.HopsTaken == 0 && h.PreviousHop == h.Origin)
            {
                _neighbours.OriginatedFrameHeard(h.Origin, h.Sequence);
            }
        }

        /// <summary>
        /// A copy of a frame already handled. It is authenticated only when it could change something:
        /// cancel a relay waiting in the queue (managed flooding counts distinct authenticated relayers)
        /// or shorten a known route. Unauthenticated copies change nothing.
        /// </summary>
        private RejectReason HearDuplicate(FrameHeader h, NetworkKey net, byte[] frame, int offset, long nowMs)
        {
            RejectReason answered;
            if (AnswerRetransmission(h, net, frame, offset, nowMs, out answered))
            {
                return answered;
            }

            if (_routing != null && h.NextHop == NodeAddress.None && h.Destination == NodeAddress.Gateways)
            {
                EchoFallback(h, net, frame, offset, nowMs);
            }

            CancelRejoin(h);
            int slot = _transmit.Find(h.Origin, h.Sequence, true);
            bool shorter = _routes.WouldImprove(h.Origin, h.PreviousHop, h.HopsTaken, _neighbours.LinkCost(h.PreviousHop), nowMs);
            if (slot < 0 && !shorter)
            {
                return RejectReason.Duplicate;
            }

            if (!_netSealer.Verify(net, frame, offset, h.FrameLength))
            {
                return RejectReason.BadMic;
            }

            if (shorter && _neighbours.IsKnown(h.PreviousHop))
            {
                _routes.Learn(h.Origin, h.PreviousHop, h.HopsTaken, _neighbours.LinkCost(h.PreviousHop), nowMs, false);
            }

            if (slot >= 0 && NodeAddress.IsValidNodeId(h.PreviousHop) && _transmit.NoteHeard(slot, h.PreviousHop))
            {
                _counters.RelaysCancelled++;
                BackboneCancelled(h.Origin, h.Sequence);
            }

            return RejectReason.Duplicate;
        }

        private RejectReason Reject(RejectReason reason)
        {
            _counters.Rejected[(int)reason]++;
            return reason;
        }

        private bool IsForUs(FrameHeader h)
        {
            return h.Destination == _id
                || h.Destination == NodeAddress.Broadcast
                || (h.Destination == NodeAddress.Gateways && (NodeRoles.ConsumesGatewayTraffic(_role) || IsGatewayNode));
        }

        /// <summary>
        /// Events consuming this frame may raise: a command to us raises a settings change (its counter,
        /// and possibly what it changed) before the message itself.
        /// </summary>
        private static int EventsNeeded(FrameHeader h)
        {
            if (MessageTypes.IsOneHop(h.Type))
            {
                return 0; // beacons and hop acks are consumed by the core
            }

            return h.Type == MessageType.Command ? 3 : 1;
        }

        /// <summary>Opens a sealed payload into <see cref="_rxPayload"/>; -1 when it does not authenticate.</summary>
        private int OpenPayload(FrameHeader h, byte[] frame, int offset, out RejectReason failure)
        {
            failure = RejectReason.None;
            int n = h.PayloadLength;
            if (!h.IsEncrypted)
            {
                System.Array.Copy(frame, offset + FrameLayout.HeaderSize, _rxPayload, RxAt, n);
                return n;
            }

            SealingKey sealing;
            if (h.IsNetworkSealed)
            {
                NetworkKey net = _keys.Find(h.NetworkKeyIndex);
                sealing = net.Payload;
            }
            else
            {
                DeviceKey device = FindDeviceKey(h.DeviceKeyOwner, h.DeviceKeyIndex);
                if (device == null)
                {
                    failure = RejectReason.UnknownDevice;
                    return -1;
                }

                sealing = device.Sealing;
            }

            if (!_payloadSealer.Open(sealing, h, frame, offset, _rxPayload))
            {
                failure = RejectReason.BadPayloadMic;
                return -1;
            }

            return n;
        }

        private DeviceKey FindDeviceKey(uint owner, int index)
        {
            if (owner == _id)
            {
                return _deviceKey != null && _deviceKey.Index == index ? _deviceKey : null;
            }

            return _directory == null ? null : _directory.Find(owner, index);
        }

        private RejectReason Consume(FrameHeader h, byte[] frame, int offset, int rssi, long nowMs)
        {
            if (h.Type == MessageType.Heartbeat || h.Type == MessageType.Readings || h.Type == MessageType.Ack)
            {
                // Uplink traffic only a gateway holding the origin's device key can open. A node that
                // cannot open it relays it without a word: that is v2's privacy working, not an error.
                if (_directory == null)
                {
                    return RejectReason.None;
                }
            }

            RejectReason failure;
            int n = OpenPayload(h, frame, offset, out failure);
            if (n < 0)
            {
                return failure;
            }

            if (MessageTypes.IsOneHop(h.Type))
            {
                return ConsumeRouting(h, n, nowMs);
            }

            switch (h.Type)
            {
                case MessageType.Readings:
                    // Validate without keeping: the application decodes its own copy.
                    if (!ReadingSet.IsWellFormed(_rxPayload, RxAt, n))
                    {
                        return RejectReason.MalformedPayload;
                    }

                    break;

                case MessageType.Heartbeat:
                    if (!Heartbeat.IsWellFormed(_rxPayload, RxAt, n))
                    {
                        return RejectReason.MalformedPayload;
                    }

                    break;

                case MessageType.Command:
                    if (!CommandCodec.IsWellFormed(_rxPayload, RxAt, n))
                    {
                        return RejectReason.MalformedPayload;
                    }

                    if (h.Destination != _id)
                    {
                        return RejectReason.None; // commands execute only at the node they name
                    }

                    return ExecuteCommand(h, rssi, nowMs);

                case MessageType.Ack:
                    if (!AckCodec.IsWellFormed(_rxPayload, RxAt, n))
                    {
                        return RejectReason.MalformedPayload;
                    }

                    CompleteCommand(h, nowMs);
                    return RejectReason.None;
            }

            Deliver(h, n, rssi, nowMs);
            return RejectReason.None;
        }

        private void Deliver(FrameHeader h, int payloadLength, int rssi, long nowMs)
        {
            MeshEvent e = _events.Reserve();
            FillFromFrame(e, MeshEventKind.Message, h, rssi, nowMs);
            System.Array.Copy(_rxPayload, RxAt, e.Payload, 0, payloadLength);
            e.PayloadLength = payloadLength;
            _events.Commit();
            _counters.MessagesDelivered++;
        }

        private static void FillFromFrame(MeshEvent e, MeshEventKind kind, FrameHeader h, int rssi, long nowMs)
        {
            e.Kind = kind;
            e.Type = h.Type;
            e.Origin = h.Origin;
            e.Destination = h.Destination;
            e.Sequence = h.Sequence;
            e.HopsTaken = h.HopsTaken;
            e.PreviousHop = h.PreviousHop;
            e.Rssi = rssi;
            e.TimeMs = nowMs;
            e.FrameTime = h.Time;
            e.WasEncrypted = h.IsEncrypted;
            e.PayloadLength = 0;
            e.CommandId = 0;
            e.CommandKind = 0;
            e.CommandStatus = CommandStatus.Ok;
        }
    }
}
