using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Radio;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Metrics
{
    public enum MessageClass : byte
    {
        Reading = 0,
        Broadcast = 1,
        Command = 2,
        Heartbeat = 3,
        Ack = 4,
        Other = 5,
    }

    /// <summary>
    /// Follows every message from its origin to its deliveries: which node got it when, over how many
    /// hops, and how many transmissions it cost. Keyed by (origin, sequence), exactly as the protocol
    /// identifies a message, so a forged or replayed delivery is recognised as such.
    /// </summary>
    public sealed partial class MetricsCollector
    {
        private sealed class Record
        {
            public MessageClass Class;
            public long SentUs;
            public int AliveAtSend;
            public int Delivered;
            public long FirstDeliveryUs = -1;
            public int HopsAtFirst;
            public int Transmissions;
            public bool Counted;
            public ulong SinkMask;
            public BitArray? At;

            /// <summary>Sent by a babbler or a stuck sensor: counted apart (QoS), not in the class metrics.</summary>
            public bool Excluded;

            /// <summary>Readings: sent while a partition cut its origin off from every gateway (store and forward's case).</summary>
            public bool CutOff;

            /// <summary>Readings: hops of the shortest path to a gateway at send time (-1: none or not measured).</summary>
            public int ShortestHops = -1;

            /// <summary>Broadcasts: the origin's hop limit (-1 not known).</summary>
            public int HopLimit = -1;

            /// <summary>Broadcasts: the nodes reachable at send time, how many, and how many of them it reached.</summary>
            public BitArray? Reachable;
            public int ReachableCount;
            public int ReachedReachable;

            /// <summary>A reading the reading metrics count: sent in the measured window, not by a babbler or a stuck sensor.</summary>
            public bool IsMeasuredReading => Class == MessageClass.Reading && Counted && !Excluded;
        }

        private const byte Babbler = 1;
        private const byte Stuck = 2;

        private readonly int _nodeCount;
        private readonly Dictionary<int, int> _sinkBit = new();
        private readonly long _warmupUs;
        private readonly long _measuredUntilUs;
        private readonly byte[] _originKind;
        private readonly long[] _airtimeByClass = new long[6];
        private readonly DutyCycleWindows _duty10s;
        private readonly DutyCycleWindows _duty1h;
        private readonly Dictionary<ulong, Record> _messages = new();
        private readonly long[] _transmissionsByClass = new long[6];
        private readonly List<double> _broadcastLatencies = new();
        private readonly List<double> _broadcastHops = new();
        private long _broadcastsAtHopLimit;
        private readonly Dictionary<(int Sink, ushort Id), (long SentUs, bool Counted)> _commands = new();
        private readonly List<double> _commandRtt = new();
        private readonly long[] _refused = new long[6];

        // Structured routing's control frames transmitted in the measured window: beacons and hop acks
        // (what the issue counts as control in a reading's cost; heartbeats are a workload of their own).
        private long _beaconsInWindow;
        private long _hopAcksInWindow;

        private readonly HeartbeatDelivery _heartbeats = new();

        public long Receptions;
        public long FrameArrivals;

        /// <summary>Radio frames that carried more than one frame (PROTOCOL.md, "Bundles").</summary>
        public long Bundles;

        /// <summary>Frames that rode in a bundle behind its first frame.</summary>
        public long BundledFrames;
        public long DuplicatesReceived;
        /// <summary>Frame arrivals corrupted by interference, every copy (see <see cref="CollisionLedger"/> for what that cost).</summary>
        public long CollidedArrivals;
        public long LostToChannel;
        public long LostToHalfDuplex;
        public long LostToJamming;
        public long AdversarialFramesSent;
        public long AdversarialAccepted;
        public long AdversarialOneHopAccepted;
        public long AcceptedTwice;
        public long AcceptedTwiceFromAdversaries;
        public long Crashes;
        public long LinkUpdates;
        public long ForgedDelivered;
        public long ReplayedDelivered;

        /// <summary>Readings that reached a gateway as a store-and-forward copy (a new frame carrying the original's measured-at).</summary>
        public long StoreForwardedDelivered;

        /// <summary>Store-and-forward copies of a reading a gateway already had (the gateway deduplicates them on node, measured-at, items).</summary>
        public long StoreForwardedDuplicates;

        // Readings by (origin, network time of the original frame): a store-and-forward copy is a new frame
        // (new sequence) whose measured-at item is that time, which is how it is traced back to its reading.
        private readonly Dictionary<ulong, ulong> _readingByTime = new();

        // Transmissions of reading frames not (yet) traced to a reading: store-and-forward copies before
        // one is delivered. Added to the reading they turn out to be; the rest count in the reading cost as is.
        private readonly Dictionary<ulong, int> _untracedReadingTx = new();

        // Store-and-forward copies traced to their reading (kept apart from _messages, which counts readings once each).
        private readonly Dictionary<ulong, Record> _storedCopies = new();

        public long CommandsSent;
        public long CommandsAcknowledged;
        public long CommandsTimedOut;
        public long BroadcastsSent;
        public long BabblerOriginated;
        public long BabblerRelayed;
        public long BabblerBeyond2Hops;

        /// <summary>Distinct babbler frames (origin, sequence) transmitted with more than 2 hops taken.</summary>
        public readonly HashSet<ulong> BabblerFramesBeyond2Hops = new();
        public long TamperedSent;
        public long TamperedTaken;
        public long TamperedRefusedBadMic;
        public long TamperedRefusedOther;
        public long InventedIdsInTables;
        public long EchoesSent;
        public long EchoesTaken;
        public long EchoOneHopTaken;
        public long RebootTargets;
        public long RebootReplaysSent;
        public long CommandsExecutedTwice;
        public long InsiderFramesSent;
        public long InsiderForgeriesAccepted;
        public long InsiderCommandsExecuted;
        public long InsiderRefusedAtConsumer;
        public long InsiderVictimFramesRefused;

        /// <summary>Whether a message the collector tracks (key: origin and sequence) was delivered anywhere.</summary>
        public bool WasDelivered(ulong key)
        {
            return _messages.TryGetValue(key, out Record? r) && r.Delivered > 0;
        }

        // Commands each node executed: (node, commander, counter).
        private readonly HashSet<(int Node, uint Commander, uint Counter)> _executed = new();

        /// <param name="measuredUntilUs">Messages sent from here on are in the drain window: not counted in any ratio.</param>
        public MetricsCollector(int nodeCount, int[] sinks, long warmupUs, long measuredUntilUs = long.MaxValue)
        {
            _nodeCount = nodeCount;
            _measuredUntilUs = measuredUntilUs;
            _originKind = new byte[nodeCount];
            CollisionLedger = new CollisionLedger(nodeCount);
            _duty10s = new DutyCycleWindows(nodeCount, 10_000_000);
            _duty1h = new DutyCycleWindows(nodeCount, 3_600_000_000);
            if (sinks.Length > 64)
            {
                throw new ArgumentException($"at most 64 gateways can be tracked exactly; the scenario has {sinks.Length}");
            }

            for (int i = 0; i < sinks.Length; i++)
            {
                _sinkBit[sinks[i]] = i;
            }

            _warmupUs = warmupUs;
        }

        /// <summary>Latencies (ms) of readings that reached a gateway, in the order they were sent.</summary>
        public List<double> ReadingLatenciesMs { get; } = new();

        public List<int> ReadingHops { get; } = new();

        /// <summary>Each node's busiest 10 s of airtime, as a percentage (nodes.csv).</summary>
        public double Busiest10sPercent(int node, long runUs) => _duty10s.PercentOf(node, runUs);

        /// <summary>Receptions lost to collisions, per (receiver, message); the channel reports to it.</summary>
        public CollisionLedger CollisionLedger { get; }

        public static ulong Key(uint origin, uint sequence) => (ulong)origin << 32 | sequence;

        /// <summary>The readings the delivery ratio counts as lost: honest, sent in the measured window, at no gateway by the end (key, send time).</summary>
        public List<(ulong Key, long SentUs)> LostReadings()
        {
            var lost = new List<(ulong, long)>();
            foreach (KeyValuePair<ulong, Record> m in _messages)
            {
                Record r = m.Value;
                if (r.IsMeasuredReading && r.SinkMask == 0)
                {
                    lost.Add((m.Key, r.SentUs));
                }
            }

            return lost;
        }

        /// <summary>
        /// The broadcasts the coverage of the reachable counts that missed a reachable node: key, send time, the
        /// nodes reachable at send time and the nodes reached (both by node index).
        /// </summary>
        public List<(ulong Key, long SentUs, BitArray Reachable, BitArray Reached)> MissedBroadcasts()
        {
            var missed = new List<(ulong, long, BitArray, BitArray)>();
            foreach (KeyValuePair<ulong, Record> m in _messages)
            {
                Record r = m.Value;
                if (r.Class == MessageClass.Broadcast && r.Counted && !r.Excluded && r.Reachable != null && r.At != null && r.ReachedReachable < r.ReachableCount)
                {
                    missed.Add((m.Key, r.SentUs, r.Reachable, r.At));
                }
            }

            return missed;
        }

        /// <summary>A babbler: its own messages are counted apart, and how far the mesh carries them is measured.</summary>
        public void MarkBabbler(int node) => _originKind[node] = Babbler;

        /// <summary>A stuck sensor (reports faster than the workload): its own readings are counted apart.</summary>
        public void MarkStuck(int node) => _originKind[node] = Stuck;

        private bool IsCounted(long nowUs) => nowUs >= _warmupUs && nowUs < _measuredUntilUs;

        /// <summary>The measured window: from the end of the warm-up to the start of the drain.</summary>
        public long WarmupUs => _warmupUs;
        public long MeasuredUntilUs => _measuredUntilUs;

        /// <summary>Messages of a class the core refused to queue (counted for readings only inside the measured window).</summary>
        public long RefusedAtSend(MessageClass cls) => _refused[(int)cls];

        /// <summary>Whether a message this node sends now enters the class metrics (so its yardsticks are worth computing).</summary>
        public bool Measures(int origin, long nowUs) => MeasuresOrigin(origin) && IsCounted(nowUs);

        /// <summary>Whether this origin's messages enter the class metrics at all (babblers and stuck sensors do not).</summary>
        public bool MeasuresOrigin(int origin) => _originKind[origin] == 0;

        /// <param name="frameTime">Readings: the network time the origin stamped on the frame (traces store-and-forward copies back); 0 when unknown.</param>
        public void Sent(MessageClass cls, uint origin, uint sequence, long nowUs, int aliveHonest,
            int shortestHops = -1, BitArray? reachable = null, int reachableCount = 0, bool cutOff = false, uint frameTime = 0, int hopLimit = -1)
        {
            if (Recorder != null)
            {
                Recorder.Sent(cls, origin, sequence, nowUs, aliveHonest, shortestHops, reachable, reachableCount, cutOff, frameTime);
                return;
            }

            if (cls == MessageClass.Reading && frameTime != 0)
            {
                _readingByTime.TryAdd(Key(origin, frameTime), Key(origin, sequence));
            }

            int index = (int)origin - 1;
            var r = new Record
            {
                Class = cls, SentUs = nowUs, AliveAtSend = aliveHonest, Counted = IsCounted(nowUs),
                Excluded = index >= 0 && index < _nodeCount && _originKind[index] != 0,
                ShortestHops = shortestHops, Reachable = reachable, ReachableCount = reachableCount, CutOff = cutOff, HopLimit = hopLimit,
            };
            if (cls == MessageClass.Broadcast)
            {
                r.At = new BitArray(_nodeCount);
                BroadcastsSent++;
            }

            _messages[Key(origin, sequence)] = r;
        }

        /// <summary>Honest readings (babblers and stuck sensors apart) counted in the measured window and sent in [fromUs, toUs]: how many, and how many reached a gateway.</summary>
        public (long Sent, long Delivered) ReadingsSentBetween(long fromUs, long toUs)
        {
            long sent = 0, delivered = 0;
            foreach (Record r in _messages.Values)
            {
                if (r.IsMeasuredReading && r.SentUs >= fromUs && r.SentUs <= toUs)
                {
                    sent++;
                    if (r.SinkMask != 0)
                    {
                        delivered++;
                    }
                }
            }

            return (sent, delivered);
        }

        public void SendRefused(MessageClass cls) => _refused[(int)cls]++;

        public void Transmitted(SimNode node, byte[] frame, int length, long nowUs, long airtimeUs) => Transmitted(node.Index, frame, length, nowUs, airtimeUs);

        /// <param name="frame">The frame, or at least its header (type, origin, sequence, hops taken are read).</param>
        internal void Transmitted(int node, byte[] frame, int length, long nowUs, long airtimeUs)
        {
            if (Recorder != null)
            {
                Recorder.Transmitted(node, frame, length, nowUs, airtimeUs);
                return;
            }

            _duty10s.Add(node, nowUs, airtimeUs);
            _duty1h.Add(node, nowUs, airtimeUs);
            if (length < FrameLayout.MinFrameSize)
            {
                return;
            }

            MessageClass cls = frame[FrameLayout.OffsetType] switch
            {
                (byte)MessageType.Readings => MessageClass.Reading,
                (byte)MessageType.Text => MessageClass.Broadcast,
                (byte)MessageType.Command => MessageClass.Command,
                (byte)MessageType.Heartbeat => MessageClass.Heartbeat,
                (byte)MessageType.Ack => MessageClass.Ack,
                _ => MessageClass.Other,
            };
            _transmissionsByClass[(int)cls]++;
            _airtimeByClass[(int)cls] += airtimeUs;
            if (IsCounted(nowUs))
            {
                // Hops taken 0: sent by its origin (a relay's copy has taken a hop). A sharded run's log keeps
                // only type, origin, sequence and hops taken of a frame, so nothing else is read here.
                if (cls == MessageClass.Heartbeat && frame[FrameLayout.OffsetHopsTaken] == 0 && MeasuresOrigin(node))
                {
                    _heartbeats.Sent(LittleEndian.ReadUInt32(frame, FrameLayout.OffsetOrigin), LittleEndian.ReadUInt32(frame, FrameLayout.OffsetSequence), _sinkBit.ContainsKey(node));
                }

                if (frame[FrameLayout.OffsetType] == (byte)MessageType.Beacon)
                {
                    _beaconsInWindow++;
                }
                else if (frame[FrameLayout.OffsetType] == (byte)MessageType.HopAck)
                {
                    _hopAcksInWindow++;
                }
            }

            uint origin = LittleEndian.ReadUInt32(frame, FrameLayout.OffsetOrigin);
            int originIndex = (int)origin - 1;
            if (originIndex >= 0 && originIndex < _nodeCount && _originKind[originIndex] == Babbler)
            {
                int hops = frame[FrameLayout.OffsetHopsTaken];
                if (hops == 0 && node == originIndex)
                {
                    BabblerOriginated++;
                }
                else if (hops >= 1)
                {
                    BabblerRelayed++;
                    if (hops > 2)
                    {
                        BabblerBeyond2Hops++;
                        BabblerFramesBeyond2Hops.Add(Key(origin, LittleEndian.ReadUInt32(frame, FrameLayout.OffsetSequence)));
                    }
                }
            }

            uint sequence = LittleEndian.ReadUInt32(frame, FrameLayout.OffsetSequence);
            if (_messages.TryGetValue(Key(origin, sequence), out var r) || _storedCopies.TryGetValue(Key(origin, sequence), out r))
            {
                r.Transmissions++;
            }
            else if (cls == MessageClass.Reading && IsCounted(nowUs) && originIndex >= 0 && originIndex < _nodeCount && _originKind[originIndex] == 0)
            {
                ulong key = Key(origin, sequence);
                _untracedReadingTx[key] = _untracedReadingTx.GetValueOrDefault(key) + 1;
            }
        }

        /// <summary>The reading a store-and-forward copy carries: found by its origin and measured-at item; the copy's key then counts as that reading's.</summary>
        private bool TryTraceStoredCopy(MeshEvent e, out Record r)
        {
            r = null!;
            if (e.PayloadLength < 1 + ReadingSet.MeasuredAtItemSize || e.Payload[0] == 0 || e.Payload[1] != ReadingSet.MeasuredAtCode)
            {
                return false;
            }

            uint measuredAt = LittleEndian.ReadUInt32(e.Payload, 2);
            if (!_readingByTime.TryGetValue(Key(e.Origin, measuredAt), out ulong original) || !_messages.TryGetValue(original, out r!))
            {
                return false;
            }

            ulong copy = Key(e.Origin, e.Sequence);
            if (_untracedReadingTx.Remove(copy, out int tx))
            {
                r.Transmissions += tx;
            }

            _storedCopies[copy] = r;
            return true;
        }

        public void Delivered(SimNode node, MeshEvent e, long nowUs)
        {
            if (e.Type == MessageType.Command && e.Destination == node.Id && e.PayloadLength >= CommandCodec.HeaderSize)
            {
                // The core hands a command to the application only when it executes it (once per counter).
                uint counter = CommandCodec.Counter(e.Payload, 0);
                if (!_executed.Add((node.Index, e.Origin, counter)))
                {
                    CommandsExecutedTwice++;
                }

                // The application persists the counter before running the command (NodeRunner does).
                node.PersistCommandCounter(e.Origin, counter);
                return;
            }

            bool tracked = e.Type == MessageType.Readings || (e.Type == MessageType.Text && e.Destination == NodeAddress.Broadcast)
                || (e.Type == MessageType.Heartbeat && e.Origin != node.Id);
            if (!tracked)
            {
                return;
            }

            DeliveredAt(node.Index, node.Behaviour == NodeBehaviour.Honest, e, nowUs);
        }

        /// <summary>A reading or broadcast handed to the application of node <paramref name="node"/> (honest or not).</summary>
        internal void DeliveredAt(int node, bool honest, MeshEvent e, long nowUs)
        {
            if (Recorder != null)
            {
                Recorder.Delivered(node, honest, e, nowUs);
                return;
            }

            if (e.Type == MessageType.Heartbeat)
            {
                if (_sinkBit.ContainsKey(node))
                {
                    _heartbeats.Delivered(e.Origin, e.Sequence);
                }

                return;
            }

            bool stored = false;
            if (!_messages.TryGetValue(Key(e.Origin, e.Sequence), out var r))
            {
                // A store-and-forward copy: traced earlier (arriving at another gateway), or now.
                if (e.Type != MessageType.Readings || (!_storedCopies.TryGetValue(Key(e.Origin, e.Sequence), out r!) && !TryTraceStoredCopy(e, out r)))
                {
                    ForgedDelivered++;
                    return;
                }

                stored = true;
            }

            if (r.Class == MessageClass.Reading)
            {
                if (!_sinkBit.TryGetValue(node, out int bit))
                {
                    return; // an edge node consuming readings: not a gateway
                }

                ulong mask = 1UL << bit;
                if ((r.SinkMask & mask) != 0)
                {
                    if (stored)
                    {
                        StoreForwardedDuplicates++;
                    }
                    else
                    {
                        ReplayedDelivered++;
                    }

                    return;
                }

                if (stored && r.SinkMask != 0)
                {
                    StoreForwardedDuplicates++; // another gateway had it already: delivered once
                    r.SinkMask |= mask;
                    return;
                }

                if (stored)
                {
                    StoreForwardedDelivered++;
                }

                r.SinkMask |= mask;
            }
            else
            {
                if (!honest)
                {
                    return; // coverage is of honest nodes (AliveAtSend counts only them); a black hole is not reached
                }

                if (r.At![node])
                {
                    ReplayedDelivered++;
                    return;
                }

                r.At[node] = true;
                if (r.Reachable != null && r.Reachable[node])
                {
                    r.ReachedReachable++;
                }

                if (r.Counted && !r.Excluded)
                {
                    _broadcastLatencies.Add((nowUs - r.SentUs) / 1000.0);
                    _broadcastHops.Add(e.HopsTaken + 1);
                    if (r.HopLimit >= 0 && e.HopsTaken >= r.HopLimit)
                    {
                        _broadcastsAtHopLimit++;
                    }
                }
            }

            r.Delivered++;
            if (r.FirstDeliveryUs < 0)
            {
                r.FirstDeliveryUs = nowUs;
                r.HopsAtFirst = e.HopsTaken + 1;
                if (r.IsMeasuredReading)
                {
                    ReadingLatenciesMs.Add((nowUs - r.SentUs) / 1000.0);
                    ReadingHops.Add(r.HopsAtFirst);
                }
            }
        }

        public void CommandSent(SimNode sink, ushort id, long nowUs)
        {
            bool counted = IsCounted(nowUs);
            if (counted)
            {
                CommandsSent++;
            }

            _commands[(sink.Index, id)] = (nowUs, counted);
        }

        public void CommandAcknowledged(SimNode sink, ushort id, long nowUs)
        {
            if (_commands.Remove((sink.Index, id), out var sent) && sent.Counted)
            {
                CommandsAcknowledged++;
                _commandRtt.Add((nowUs - sent.SentUs) / 1000.0);
            }
        }

        public void CommandTimedOut(SimNode sink, ushort id)
        {
            if (_commands.Remove((sink.Index, id), out var sent) && sent.Counted)
            {
                CommandsTimedOut++;
            }
        }
    }
}
