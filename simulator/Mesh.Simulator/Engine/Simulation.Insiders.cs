using System;
using Mesh.Protocol;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// The insider adversaries (a stolen board: the network key and its own device key) and what became of
    /// every adversary's frames at the honest cores that heard them: forgeries opened or refused where
    /// consumed, and the genuine messages of the origins the insiders claimed.
    /// </summary>
    public sealed partial class Simulation
    {
        // ------------------------------------------------------------------ insiders

        private void NoteSequence(uint origin, uint sequence)
        {
            if (!_heardSequence.TryGetValue(origin, out uint known) || sequence > known)
            {
                _heardSequence[origin] = sequence;
            }
        }

        /// <summary>The sequence a forgery claiming <paramref name="origin"/> carries: above anything heard or forged from it.</summary>
        private uint ForgedSequence(uint origin, int jump)
        {
            _heardSequence.TryGetValue(origin, out uint known);
            uint sequence = known + (uint)jump;
            if (sequence >= 0xFFFF_FFF0u)
            {
                sequence = 0xFFFF_FFF0u;
            }

            _heardSequence[origin] = sequence;
            return sequence;
        }

        private SimNode? RandomVictim(SimNode insider)
        {
            for (int attempt = 0; attempt < 64; attempt++)
            {
                SimNode n = _nodes[RandomExtensions.NextBelow(_adversaryRandom, _nodes.Length)];
                if (n != insider && !n.IsSink && n.Behaviour == NodeBehaviour.Honest && n.Core != null)
                {
                    return n;
                }
            }

            return null;
        }

        /// <summary>
        /// One forged frame, in turn: a reading claiming another node sealed under the insider's own device
        /// key; the same with a garbage payload and MIC; an ack claiming another node; a command to a node
        /// claiming a gateway as commander, sealed (Downlink) under the insider's own key; a command from
        /// the insider itself, sealed under its own key (or garbage, every other time) with Downlink, and
        /// under its own key without Downlink. An evicted insider also
        /// sends its own reading, correctly sealed under the key the gateways dropped. Every frame carries
        /// the current time and a valid network MIC: relays take it; only the end the payload is for can tell.
        /// </summary>
        private void ForgeAsInsider(SimNode insider)
        {
            if (insider.TransmittingUntilUs > _nowUs || _sinks.Length == 0)
            {
                return;
            }

            bool evicted = insider.Behaviour == NodeBehaviour.EvictedInsider;
            int form = _insiderStep++ % (evicted ? 7 : 6);
            SimNode? victim = RandomVictim(insider);
            if (victim == null)
            {
                return;
            }

            uint sink = _nodes[_sinks[RandomExtensions.NextBelow(_adversaryRandom, _sinks.Length)]].Id;
            int jump = insider.Adversary!.SequenceJump;
            DeviceKey own = _deviceKeys.KeyOf(insider.Id);
            NetworkKey net = InsiderNetworkKey(insider);
            var h = new FrameHeader
            {
                NetworkKeyIndex = net.Index,
                Flags = FrameFlags.DeviceSealed,
                Network = _scenario.Network.Id,
                Time = _epochSeconds + (uint)(_nowUs / 1_000_000),
                HopLimit = _scenario.Network.HopLimit,
                HopsTaken = 1,
                PreviousHop = insider.Id,
                NextHop = NodeAddress.None,
            };
            byte[] frame = new byte[FrameLayout.MaxFrameSize];
            int p = FrameLayout.HeaderSize;
            bool garbage = false;
            switch (form)
            {
                case 0:
                case 1:
                    h.Type = MessageType.Readings;
                    h.Origin = victim.Id;
                    h.Destination = NodeAddress.Gateways;
                    _readings.Clear();
                    _readings.Add(Quantity.Temperature, 99.9);
                    h.PayloadLength = _readings.Encode(frame, p, FrameLayout.MaxPayloadSize);
                    garbage = form == 1;
                    break;
                case 2:
                    h.Type = MessageType.Ack;
                    h.Origin = victim.Id;
                    h.Destination = sink;
                    h.PayloadLength = AckCodec.Encode(frame, p, (ushort)RandomExtensions.NextBelow(_adversaryRandom, 65536), CommandKind.Ping, CommandStatus.Ok);
                    break;
                case 3:
                case 4:
                case 5:
                    // Stop the target's reports: what a forged command would do if it ran.
                    h.Type = MessageType.Command;
                    h.Origin = form == 3 ? sink : insider.Id;
                    h.Destination = victim.Id;
                    h.Flags = form == 5 ? FrameFlags.DeviceSealed : FrameFlags.DeviceSealed | FrameFlags.Downlink;
                    garbage = form == 4 && (_insiderStep / 7) % 2 == 1; // every other time, a garbage payload and MIC
                    break;
                default:
                    h.Type = MessageType.Readings;
                    h.Origin = insider.Id;
                    h.Destination = NodeAddress.Gateways;
                    _readings.Clear();
                    _readings.Add(Quantity.Temperature, 99.9);
                    h.PayloadLength = _readings.Encode(frame, p, FrameLayout.MaxPayloadSize);
                    break;
            }

            h.Sequence = ForgedSequence(h.Origin, jump);
            if (h.Type == MessageType.Command)
            {
                byte[] args = new byte[4]; // report interval 0: stop reporting
                h.PayloadLength = CommandCodec.Encode(frame, p, (ushort)RandomExtensions.NextBelow(_adversaryRandom, 65536), CommandKind.SetReportInterval, h.Sequence, args, 0, 4);
            }

            FrameCodec.WriteHeader(h, frame, 0);
            if (garbage)
            {
                for (int i = p; i < p + h.PayloadLength + FrameLayout.PayloadMicSize; i++)
                {
                    frame[i] = (byte)_adversaryRandom.NextUInt32();
                }
            }
            else
            {
                // The only device key an insider holds is its own: whatever it claims, that is what seals.
                _insiderSealer.Seal(own.Sealing, h, frame, 0);
            }

            _insiderNetSealer.Seal(net, frame, 0, h.FrameLength);
            int sealedLength = h.FrameLength - FrameLayout.HeaderSize - FrameLayout.NetMicSize;
            var sealedBytes = new byte[sealedLength];
            Array.Copy(frame, FrameLayout.HeaderSize, sealedBytes, 0, sealedLength);
            _forgeries[MetricsCollector.Key(h.Origin, h.Sequence)] = sealedBytes;
            _forgedOrigins.Add(h.Origin);
            NoteInsiderInjection(insider, MetricsCollector.Key(h.Origin, h.Sequence));
            _metrics.InsiderFramesSent++;
            _metrics.AdversarialFramesSent++;
            StartTransmission(insider, frame, h.FrameLength, _nowUs);
        }

        // ------------------------------------------------------------------ outcomes at honest cores

        /// <summary>
        /// What an honest core made of a frame, for the adversaries' metrics; <paramref name="consumed"/>:
        /// the core took it as a new frame (not only relayed a copy it had overheard before, which
        /// returns None too but opens nothing).
        /// </summary>
        private void NoteAdversaryOutcome(SimNode r, byte[] bytes, int length, SimNode sender, RejectReason result, bool consumed)
        {
            switch (sender.Behaviour)
            {
                case NodeBehaviour.Tamperer:
                    if (result == RejectReason.None || result == RejectReason.MalformedPayload)
                    {
                        _metrics.TamperedTaken++;
                    }
                    else if (result == RejectReason.BadMic)
                    {
                        _metrics.TamperedRefusedBadMic++;
                    }
                    else
                    {
                        _metrics.TamperedRefusedOther++;
                    }

                    break;
                case NodeBehaviour.Echo:
                    if (result == RejectReason.None)
                    {
                        _metrics.EchoesTaken++;
                        if (MessageTypes.IsOneHop((MessageType)bytes[FrameLayout.OffsetType]))
                        {
                            _metrics.EchoOneHopTaken++;
                        }
                    }

                    break;
            }

            if (_forgedOrigins.Count > 0 && length >= FrameLayout.MinFrameSize)
            {
                NoteForgeryOutcome(r, bytes, length, result, consumed);
                if (_evictedInjections.Count > 0)
                {
                    NoteEvictedInjection(r, bytes, length, result);
                }
            }
        }

        /// <summary>
        /// At the node a forgery is for (a gateway for readings, heartbeats, acks to it; the target for a
        /// command): taken means opened (delivered, completed) or executed. A genuine frame of a claimed
        /// origin refused at a gateway as replayed or too old is the forgeries' side effect on that origin's
        /// replay state, counted too.
        /// </summary>
        private void NoteForgeryOutcome(SimNode r, byte[] bytes, int length, RejectReason result, bool consumed)
        {
            uint origin = LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetOrigin);
            if (!_forgedOrigins.Contains(origin))
            {
                return;
            }

            uint destination = LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetDestination);
            var type = (MessageType)bytes[FrameLayout.OffsetType];
            bool consumer = type == MessageType.Command || type == MessageType.Ack
                ? r.Id == destination
                : (type == MessageType.Readings || type == MessageType.Heartbeat) && r.IsSink;
            if (!consumer)
            {
                return;
            }

            ulong key = MetricsCollector.Key(origin, LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetSequence));
            bool sameKey = _forgeries.TryGetValue(key, out byte[]? sealedBytes);
            bool forged = sameKey
                && length == FrameLayout.HeaderSize + sealedBytes!.Length + FrameLayout.NetMicSize
                && bytes.AsSpan(FrameLayout.HeaderSize, sealedBytes.Length).SequenceEqual(sealedBytes);
            if (!forged)
            {
                // A genuine message whose sequence number a forgery took (refused as a duplicate of it), or
                // that a forgery's higher number pushed out of the window (replayed, too old): lost to it.
                // Counted at the end of the run, and only if no copy of it was delivered: since a forgery under
                // a marked sequence no longer hides the genuine frame, a gateway may refuse later copies of a
                // genuine message it already delivered (FinishInsiderVictimMetrics).
                bool lost = result == RejectReason.Replayed || result == RejectReason.TooOld || (sameKey && result == RejectReason.Duplicate);
                if (r.IsSink && lost)
                {
                    _victimMessagesLost.Add(key);
                }

                return;
            }

            if (result == RejectReason.None && consumed)
            {
                if (type == MessageType.Command)
                {
                    _metrics.InsiderCommandsExecuted++;
                }
                else
                {
                    _metrics.InsiderForgeriesAccepted++;
                }
            }
            else if (result == RejectReason.BadPayloadMic || result == RejectReason.UnknownDevice
                || result == RejectReason.Unsealed || result == RejectReason.MalformedPayload)
            {
                _metrics.InsiderRefusedAtConsumer++;
            }
        }

        /// <summary>Genuine messages of an insider's claimed origins that a gateway refused and that were never delivered.</summary>
        private void FinishInsiderVictimMetrics()
        {
            long lost = 0;
            foreach (ulong key in _victimMessagesLost)
            {
                if (!_metrics.WasDelivered(key))
                {
                    lost++;
                }
            }

            _metrics.InsiderVictimFramesRefused = lost;
        }
    }
}
