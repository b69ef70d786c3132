using System;
using System.Collections.Generic;
using Mesh.Protocol;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Radio;

namespace Mesh.Simulator.Engine
{
    /// <summary>The shared channel: transmissions on air, who hears them at what RSSI, collisions with capture, half duplex, carrier sense, loss, partitions and jammers, and handing received frames to the receiver.</summary>
    public sealed partial class Simulation
    {
        private int AllocateTransmission(int sender)
        {
            int tx;
            if (_txFree.Count > 0)
            {
                tx = _txFree.Pop();
            }
            else
            {
                tx = _txBytes.Count;
                _txBytes.Add(new byte[FrameLayout.MaxFrameSize]);
                _txLength.Add(0);
                _txSender.Add(0);
            }

            _txSender[tx] = sender;
            return tx;
        }

        private void StartTransmission(SimNode node, byte[] frame, int length, long nowUs)
        {
            int tx = AllocateTransmission(node.Index);
            Array.Copy(frame, 0, _txBytes[tx], 0, length);
            _txLength[tx] = length;
            BeginTransmission(node, tx);
        }

        private void BeginTransmission(SimNode node, int tx)
        {
            byte[] bytes = _txBytes[tx];
            int length = _txLength[tx];
            long airtime = _radio.AirtimeMicroseconds(length);
            long end = _nowUs + airtime;
            node.TransmittingUntilUs = end;
            _transmittingUntilUs[node.Index] = end;
            node.Transmissions++;
            node.AirtimeUs += airtime;
            if (FrameCodec.IsBundle(bytes, 0, length))
            {
                MeasureBundle(node, bytes, length, airtime);
            }
            else
            {
                _metrics.Transmitted(node, bytes, length, _nowUs, airtime);
                FrameTransmitted?.Invoke(node, bytes, length, _nowUs);
            }

            // Half duplex: whatever this node was receiving is lost.
            bool collisions = _scenario.Radio.Collisions;
            Span<Incoming> own = _incoming.Of(node.Index);
            for (int k = 0; collisions && k < own.Length; k++)
            {
                own[k].Corrupted = true;
                own[k].HalfDuplex = true;
            }

            int remoteShards = Arrive(node, tx, _nowUs, end);
            if (remoteShards != 0)
            {
                PostToShards(node, tx, _nowUs, end, remoteShards);
            }

            _events.Push(end, EventKind.TransmissionEnd, node.Index, tx);
        }

        /// <summary>
        /// A bundle's frames are measured one by one, as if each had gone on air alone, with the bundle's airtime shared
        /// by length: the per-class transmission counts count frames, <see cref="SimNode.Transmissions"/> radio frames.
        /// </summary>
        private void MeasureBundle(SimNode node, byte[] bytes, int length, long airtime)
        {
            _metrics.Bundles++;
            long shared = 0;
            for (int at = 0; at < length;)
            {
                int part = FrameCodec.DeclaredLength(bytes, at, length - at);
                Array.Copy(bytes, at, _bundlePart, 0, part);
                if (at > 0)
                {
                    _metrics.BundledFrames++;
                }

                at += part;
                long share = at == length ? airtime - shared : airtime * part / length; // the shares sum to the airtime
                shared += share;
                _metrics.Transmitted(node, _bundlePart, part, _nowUs, share);
                FrameTransmitted?.Invoke(node, _bundlePart, part, _nowUs);
            }
        }

        private readonly byte[] _bundlePart = new byte[FrameLayout.MaxFrameSize];

        /// <summary>
        /// Transmission <paramref name="tx"/> from <paramref name="sender"/>, on the air over
        /// [<paramref name="startUs"/>, <paramref name="endUs"/>), reaches the receivers this shard owns:
        /// each gets its arrival, with collisions, half duplex and jamming decided as of the start. Returns
        /// the other shards that own receivers of it, as a bit mask (0 in an unsharded run).
        /// </summary>
        private int Arrive(SimNode sender, int tx, long startUs, long endUs)
        {
            bool collisions = _scenario.Radio.Collisions;
            double fading = _scenario.Radio.FadingSigmaDb;
            int[] rowStart = _links.RowStart;
            int[] targets = _links.Target;
            float[] rssis = _links.Rssi;
            float[] powers = _links.PowerMw;
            bool partitions = _scenario.Faults.Partitions.Count > 0;
            int[]? owner = _shard?.Owner;
            int remoteShards = 0;
            for (int l = rowStart[sender.Index]; l < rowStart[sender.Index + 1]; l++)
            {
                int r = targets[l];
                if (owner != null && owner[r] != _shard!.Index)
                {
                    remoteShards |= 1 << owner[r];
                    continue;
                }

                if (!_alive[r] || (partitions && Partitioned(sender, _nodes[r])))
                {
                    continue;
                }

                float rssi = rssis[l];
                float power = powers[l];
                if (fading > 0)
                {
                    rssi += (float)(fading * RandomDraws.Gaussian(_channelRandom));
                    power = (float)Math.Pow(10, rssi / 10.0);
                }

                bool corrupted = collisions && Interfere(r, power, startUs);
                // The receiver's own transmission overlaps the frame: in an unsharded run it is on the air
                // now; a frame from another shard arrives late, after transmissions the receiver began since.
                bool halfDuplex = collisions && _transmittingUntilUs[r] > startUs;
                bool jammed = _jammers.Any && _jammers.Overlaps(_nodes[r].X, _nodes[r].Y, startUs, endUs);
                _incoming.Add(r, new Incoming
                {
                    Transmission = tx, Rssi = rssi, PowerMw = power, StartUs = startUs, EndUs = endUs,
                    Corrupted = corrupted || halfDuplex, HalfDuplex = halfDuplex, Jammed = jammed,
                });
            }

            return remoteShards;
        }

        private void EndTransmission(SimNode sender, int tx)
        {
            byte[] bytes = _txBytes[tx];
            int length = _txLength[tx];
            int[] targets = _links.Target;
            double keep = 1 - _scenario.Radio.ExtraLossRate;
            double extraLoss = _scenario.Radio.ExtraLossRate;
            BurstLoss? burst = _burstLoss;
            double[] reception = _links.ReceptionProbability;
            bool fading = _scenario.Radio.FadingSigmaDb > 0;
            bool jammers = _jammers.Any;
            bool[] alive = _alive;
            SimNode[] nodes = _nodes;
            IncomingFrames incoming = _incoming;
            MetricsCollector metrics = _metrics;
            XorShiftRandom random = _channelRandom;
            CollisionLedger ledger = metrics.CollisionLedger;
            // Losses are counted at nodes running a core (adversaries' radios lose nothing that matters).
            ulong message = length >= FrameLayout.MinFrameSize
                ? MetricsCollector.Key(LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetOrigin), LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetSequence))
                : ulong.MaxValue;
            // Most arrivals end lost (weak links, collisions): those touch the receiver's row of frames on
            // the air and the link arrays only; the node object is loaded where it is needed.
            int rowEnd = _links.RowStart[sender.Index + 1];
            for (int l = _links.RowStart[sender.Index]; l < rowEnd; l++)
            {
                int ri = targets[l];
                if (!incoming.TryRemove(ri, tx, out Incoming inc) || !alive[ri])
                {
                    continue;
                }

                metrics.FrameArrivals++;

                if (inc.Corrupted)
                {
                    if (inc.HalfDuplex)
                    {
                        metrics.LostToHalfDuplex++;
                    }
                    else
                    {
                        metrics.CollidedArrivals++;
                        if (message != ulong.MaxValue && nodes[ri].Core != null && WouldHaveDecoded(nodes[ri], l, inc, extraLoss, fading))
                        {
                            ledger.Collided(message, ri, _nowUs);
                        }
                    }

                    continue;
                }

                if (inc.Jammed)
                {
                    metrics.LostToJamming++;
                    continue;
                }

                double jamming = jammers ? _jammers.LossAt(nodes[ri].X, nodes[ri].Y, _nowUs) : 0;
                double p = (fading ? _radio.ReceptionProbability(inc.Rssi) : reception[l]) * keep * (1 - jamming);
                if ((p < 1.0 && RandomDraws.Unit(random) >= p) || (burst != null && burst.Lost(l, random)))
                {
                    metrics.LostToChannel++;
                    continue;
                }

                SimNode r = nodes[ri];
                if (message != ulong.MaxValue && r.Core != null)
                {
                    ledger.Received(message, ri, _nowUs);
                }

                Receive(r, bytes, length, (int)Math.Round(inc.Rssi), sender);
            }

            _txFree.Push(tx);
            if (sender.Core != null && sender.Alive)
            {
                RefillBabbler(sender);
                TryTransmit(sender);
                ScheduleWake(sender);
            }
        }

        /// <summary>
        /// Whether a frame lost to interference would otherwise have decoded: the same reception chance
        /// as an undisturbed arrival (jamming included, bursty loss not replayed), drawn from the metrics'
        /// own stream so that measuring changes nothing.
        /// </summary>
        private bool WouldHaveDecoded(SimNode r, int link, in Incoming inc, double extraLoss, bool fading)
        {
            if (inc.Jammed)
            {
                return false;
            }

            double jamming = _jammers.Any ? _jammers.LossAt(r.X, r.Y, _nowUs) : 0;
            double p = (fading ? _radio.ReceptionProbability(inc.Rssi) : _links.ReceptionProbability[link]) * (1 - extraLoss) * (1 - jamming);
            return p >= 1.0 || RandomDraws.Unit(_metricsRandom) < p;
        }

        private void Receive(SimNode r, byte[] bytes, int length, int rssi, SimNode sender)
        {
            switch (r.Behaviour)
            {
                case NodeBehaviour.Replayer:
                    if (r.Captured.Count < ReplayerQueueLimit)
                    {
                        var copy = new byte[length];
                        Array.Copy(bytes, copy, length);
                        r.Captured.Enqueue(copy);
                        _events.Push(_nowUs + (long)(FirstReplayer().DelaySeconds * 1e6), EventKind.ReplayFrame, r.Index, 0);
                    }

                    return;
                case NodeBehaviour.Forger:
                    if (r.Captured.Count < 1)
                    {
                        var copy = new byte[length];
                        Array.Copy(bytes, copy, length);
                        r.Captured.Enqueue(copy);
                    }

                    return;
                case NodeBehaviour.External:
                    ExternalHeard?.Invoke(r.Index, bytes, length);
                    return;
                case NodeBehaviour.Tamperer:
                case NodeBehaviour.Echo:
                case NodeBehaviour.RebootReplayer:
                case NodeBehaviour.Insider:
                case NodeBehaviour.EvictedInsider:
                    AdversaryHeard(r, bytes, length);
                    return;
            }

            MeshNode core = r.Core!;
            r.Receptions++;
            _metrics.Receptions++;
            if (r.Runner != null)
            {
                ReceiveInRunner(r, bytes, length, rssi);
                return;
            }

            if (FrameCodec.IsBundle(bytes, 0, length))
            {
                ReceiveBundle(r, core, bytes, length, rssi, sender);
                return;
            }

            long overheard = core.Counters.FramesOverheard;
            long originated = core.Counters.FramesOriginated;
            long accepted = core.Counters.FramesAccepted;
            RejectReason result = core.Receive(bytes, 0, length, RssiForCore(r, rssi), r.Clock.LocalMs(_nowUs));
            if (_adversaryKinds)
            {
                NoteAdversaryOutcome(r, bytes, length, sender, result, core.Counters.FramesAccepted > accepted);
            }

            if (result == RejectReason.None && core.Counters.FramesOverheard == overheard)
            {
                // Taken (an overheard directed frame is only recorded; it may be taken once later, when
                // its path breaks and it comes flooded).
                NoteAccepted(r, bytes, sender);
            }

            if (result == RejectReason.Duplicate)
            {
                _metrics.DuplicatesReceived++;
            }

            // A duplicate can still make a node answer: structured routing hop-acks a retransmission of a
            // frame it already forwarded (MeshNode.Routing), and that answer must go out now.
            if (result != RejectReason.None && result != RejectReason.MalformedPayload && core.Counters.FramesOriginated == originated)
            {
                // A rejected frame creates no events and no transmissions (a managed-flooding
                // cancellation only removes one; the stale wake-up then finds nothing to do).
                return;
            }

            DrainEvents(r);
            TryTransmit(r);
            ScheduleWake(r);
        }

        /// <summary>
        /// A bundle (PROTOCOL.md, "Bundles") goes to the core whole, as on a board; its frames' outcomes are accounted one
        /// by one, as <see cref="Receive(SimNode, byte[], int, int, SimNode)"/> does for a frame alone. A frame taken is one
        /// whose outcome is None and that was not merely overheard (a directed frame for another next hop is only
        /// recorded: the counter comparison a lone frame gets cannot say which frame of a bundle it was).
        /// </summary>
        private void ReceiveBundle(SimNode r, MeshNode core, byte[] bytes, int length, int rssi, SimNode sender)
        {
            long accepted = core.Counters.FramesAccepted;
            core.Receive(bytes, 0, length, RssiForCore(r, rssi), r.Clock.LocalMs(_nowUs), _bundleReasons);
            bool consumed = core.Counters.FramesAccepted > accepted;
            for (int at = 0, i = 0; at < length; i++)
            {
                int part = FrameCodec.DeclaredLength(bytes, at, length - at);
                Array.Copy(bytes, at, _receivedPart, 0, part);
                at += part;
                RejectReason result = _bundleReasons[i];
                if (_adversaryKinds)
                {
                    NoteAdversaryOutcome(r, _receivedPart, part, sender, result, consumed && result == RejectReason.None);
                }

                uint next = LittleEndian.ReadUInt32(_receivedPart, FrameLayout.OffsetNextHop);
                if (result == RejectReason.None && (next == NodeAddress.None || next == r.Id))
                {
                    NoteAccepted(r, _receivedPart, sender);
                }

                if (result == RejectReason.Duplicate)
                {
                    _metrics.DuplicatesReceived++;
                }
            }

            DrainEvents(r);
            TryTransmit(r);
            ScheduleWake(r);
        }

        private readonly RejectReason[] _bundleReasons = new RejectReason[FrameLayout.MaxBundleFrames];
        private readonly byte[] _receivedPart = new byte[FrameLayout.MaxFrameSize];

        /// <summary>
        /// Security accounting at every node, relays included: an adversary's transmission taken at all
        /// (a frame the node had missed and now gets late from a replayer counts here too), and — the real
        /// violation — a node taking again a message it had already taken. The per-node record of taken
        /// messages is kept only in runs with a replayer (it costs memory per message).
        /// </summary>
        private void NoteAccepted(SimNode r, byte[] bytes, SimNode sender)
        {
            if (sender.Behaviour == NodeBehaviour.Replayer || sender.Behaviour == NodeBehaviour.Forger
                || sender.Behaviour == NodeBehaviour.Tamperer)
            {
                _metrics.AdversarialAccepted++;
                if (MessageTypes.IsOneHop((MessageType)bytes[FrameLayout.OffsetType]))
                {
                    _metrics.AdversarialOneHopAccepted++;
                }
            }

            if (_acceptedByNode == null)
            {
                return;
            }

            // A message is (origin, sequence, payload MIC): an insider's forgery under another node's sequence is
            // another message, which the core takes beside the genuine one by design (PROTOCOL.md, "Another
            // message under a marked sequence"); every copy of one message carries the same payload MIC.
            var message = (((ulong)LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetOrigin) << 32) | LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetSequence), PayloadMic(bytes));
            HashSet<(ulong, ulong)> taken = _acceptedByNode[r.Index] ??= new HashSet<(ulong, ulong)>();
            if (!taken.Add(message))
            {
                _metrics.AcceptedTwice++;
                if (sender.Behaviour != NodeBehaviour.Honest)
                {
                    _metrics.AcceptedTwiceFromAdversaries++;
                }
            }
        }

        /// <summary>The payload MIC of a decoded frame (0 when the payload is not sealed).</summary>
        private static ulong PayloadMic(byte[] frame)
        {
            if ((frame[FrameLayout.OffsetVersionFlags] & FrameFlags.PayloadSealed) == 0)
            {
                return 0;
            }

            return System.Buffers.Binary.BinaryPrimitives.ReadUInt64LittleEndian(frame.AsSpan(FrameLayout.HeaderSize + frame[FrameLayout.OffsetPayloadLength], 8));
        }

        private bool Partitioned(SimNode a, SimNode b)
        {
            foreach (var p in _scenario.Faults.Partitions)
            {
                if (IsActive(p) && (a.X < p.AtX) != (b.X < p.AtX))
                {
                    return true;
                }
            }

            return false;
        }

        private bool IsActive(Scenarios.PartitionSettings p)
        {
            double t = _nowUs / 1e6;
            return t >= p.FromSeconds && t < p.ToSeconds;
        }

        /// <summary>
        /// A new frame of <paramref name="power"/> mW arrives at <paramref name="receiver"/> at <paramref name="atUs"/>: interference is the sum of every other frame on the air there
        /// (SIR against the capture threshold, the noise being in the reception curve). Marks the frames
        /// on air that the newcomer now drowns, and answers whether the newcomer itself is drowned.
        /// </summary>
        private bool Interfere(int receiver, float power, long atUs)
        {
            double total = 0;
            Span<Incoming> incoming = _incoming.Of(receiver);
            for (int k = 0; k < incoming.Length; k++)
            {
                ref readonly Incoming other = ref incoming[k];
                if (other.EndUs <= atUs)
                {
                    // Left behind when links changed under a frame in flight (mobility).
                    if (other.EndUs < atUs)
                    {
                        _incoming.RemoveAt(receiver, k);
                        incoming = incoming.Slice(0, incoming.Length - 1);
                        k--;
                    }

                    continue;
                }

                total += other.PowerMw;
            }

            if (total <= 0)
            {
                return false;
            }

            for (int k = 0; k < incoming.Length; k++)
            {
                ref Incoming other = ref incoming[k];
                if (other.EndUs <= atUs || other.Corrupted)
                {
                    continue;
                }

                double interference = total - other.PowerMw + power;
                if (other.PowerMw < _captureRatio * interference)
                {
                    other.Corrupted = true;
                }
            }

            return power < _captureRatio * total;
        }
    }
}
