using System;
using System.Collections;
using System.Collections.Generic;
using System.Diagnostics;
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
    public sealed class MetricsCollector
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
        }

        private readonly int _nodeCount;
        private readonly Dictionary<int, int> _sinkBit = new();
        private readonly long _warmupUs;
        private readonly Dictionary<ulong, Record> _messages = new();
        private readonly long[] _transmissionsByClass = new long[6];
        private readonly List<double> _broadcastLatencies = new();
        private readonly List<double> _broadcastHops = new();
        private readonly Dictionary<(int Sink, ushort Id), long> _commands = new();
        private readonly List<double> _commandRtt = new();
        private readonly long[] _refused = new long[6];

        public long Receptions;
        public long FrameArrivals;
        public long DuplicatesReceived;
        public long Collisions;
        public long LostToChannel;
        public long LostToHalfDuplex;
        public long LostToJamming;
        public long AdversarialFramesSent;
        public long AdversarialAccepted;
        public long AcceptedTwice;
        public long Crashes;
        public long LinkUpdates;
        public long ForgedDelivered;
        public long ReplayedDelivered;
        public long CommandsSent;
        public long CommandsAcknowledged;
        public long CommandsTimedOut;
        public long BroadcastsSent;

        public MetricsCollector(int nodeCount, int[] sinks, long warmupUs)
        {
            _nodeCount = nodeCount;
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

        private static ulong Key(uint origin, uint sequence) => (ulong)origin << 32 | sequence;

        public void Sent(MessageClass cls, uint origin, uint sequence, long nowUs, int aliveHonest)
        {
            var r = new Record { Class = cls, SentUs = nowUs, AliveAtSend = aliveHonest, Counted = nowUs >= _warmupUs };
            if (cls == MessageClass.Broadcast)
            {
                r.At = new BitArray(_nodeCount);
                BroadcastsSent++;
            }

            _messages[Key(origin, sequence)] = r;
        }

        public void SendRefused(MessageClass cls) => _refused[(int)cls]++;

        public void Transmitted(SimNode node, byte[] frame, int length, long nowUs)
        {
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
            uint origin = LittleEndian.ReadUInt32(frame, FrameLayout.OffsetOrigin);
            uint sequence = LittleEndian.ReadUInt32(frame, FrameLayout.OffsetSequence);
            if (_messages.TryGetValue(Key(origin, sequence), out var r))
            {
                r.Transmissions++;
            }
        }

        public void Delivered(SimNode node, MeshEvent e, long nowUs)
        {
            bool tracked = e.Type == MessageType.Readings || (e.Type == MessageType.Text && e.Destination == NodeAddress.Broadcast);
            if (!tracked)
            {
                return;
            }

            if (!_messages.TryGetValue(Key(e.Origin, e.Sequence), out var r))
            {
                ForgedDelivered++;
                return;
            }

            if (r.Class == MessageClass.Reading)
            {
                if (!_sinkBit.TryGetValue(node.Index, out int bit))
                {
                    return; // an edge node consuming readings: not a gateway
                }

                ulong mask = 1UL << bit;
                if ((r.SinkMask & mask) != 0)
                {
                    ReplayedDelivered++;
                    return;
                }

                r.SinkMask |= mask;
            }
            else
            {
                if (node.Behaviour != NodeBehaviour.Honest)
                {
                    return; // coverage is of honest nodes (AliveAtSend counts only them); a black hole is not reached
                }

                if (r.At![node.Index])
                {
                    ReplayedDelivered++;
                    return;
                }

                r.At[node.Index] = true;
                if (r.Counted)
                {
                    _broadcastLatencies.Add((nowUs - r.SentUs) / 1000.0);
                    _broadcastHops.Add(e.HopsTaken + 1);
                }
            }

            r.Delivered++;
            if (r.FirstDeliveryUs < 0)
            {
                r.FirstDeliveryUs = nowUs;
                r.HopsAtFirst = e.HopsTaken + 1;
                if (r.Class == MessageClass.Reading && r.Counted)
                {
                    ReadingLatenciesMs.Add((nowUs - r.SentUs) / 1000.0);
                    ReadingHops.Add(r.HopsAtFirst);
                }
            }
        }

        public void CommandSent(SimNode sink, ushort id, long nowUs)
        {
            CommandsSent++;
            _commands[(sink.Index, id)] = nowUs;
        }

        public void CommandAcknowledged(SimNode sink, ushort id, long nowUs)
        {
            if (_commands.Remove((sink.Index, id), out long sent))
            {
                CommandsAcknowledged++;
                _commandRtt.Add((nowUs - sent) / 1000.0);
            }
        }

        public void CommandTimedOut(SimNode sink, ushort id)
        {
            if (_commands.Remove((sink.Index, id)))
            {
                CommandsTimedOut++;
            }
        }

        public RunResult Build(Scenario scenario, SimNode[] nodes, LinkTable links, RadioModel radio, long endUs, double wallSeconds, long events)
        {
            var result = new RunResult
            {
                Scenario = scenario.Name,
                Seed = scenario.Seed,
                Nodes = nodes.Length,
                Links = links.LinkCount,
                SimulatedSeconds = endUs / 1e6,
                WallSeconds = Math.Round(wallSeconds, 3),
                Events = events,
                FrameArrivals = FrameArrivals,
                FrameArrivalsPerSecond = wallSeconds > 0 ? Math.Round(FrameArrivals / wallSeconds) : 0,
                Receptions = Receptions,
                ReceptionsPerSecond = wallSeconds > 0 ? Math.Round(Receptions / wallSeconds) : 0,
                Collisions = Collisions,
                LostToChannel = LostToChannel,
                LostToHalfDuplex = LostToHalfDuplex,
                LostToJamming = LostToJamming,
                DuplicatesReceived = DuplicatesReceived,
                PeakWorkingSetBytes = Process.GetCurrentProcess().PeakWorkingSet64,
            };

            foreach (var n in nodes)
            {
                result.Transmissions += n.Transmissions;
            }

            result.Readings = ClassResult(MessageClass.Reading);
            result.Broadcasts = ClassResult(MessageClass.Broadcast);
            _broadcastLatencies.Sort();
            if (_broadcastLatencies.Count > 0)
            {
                result.Broadcasts.LatencyP50Ms = Round(Percentiles.Of(_broadcastLatencies, 50));
                result.Broadcasts.LatencyP90Ms = Round(Percentiles.Of(_broadcastLatencies, 90));
                result.Broadcasts.LatencyP99Ms = Round(Percentiles.Of(_broadcastLatencies, 99));
                double sum = 0;
                foreach (double h in _broadcastHops)
                {
                    sum += h;
                    result.Broadcasts.HopsMax = Math.Max(result.Broadcasts.HopsMax, (int)h);
                }

                result.Broadcasts.HopsMean = Round(sum / _broadcastHops.Count);
            }

            var include = new bool[nodes.Length];
            for (int i = 0; i < nodes.Length; i++)
            {
                include[i] = nodes[i].Behaviour == NodeBehaviour.Honest;
            }

            var graph = links.Graph(radio, 0.5);
            result.GreedyCdsSize = ConnectedDominatingSet.GreedySize(graph, include);
            if (result.Broadcasts.Sent > 0 && result.GreedyCdsSize > 0)
            {
                result.BroadcastTransmissionsPerCds = Round((double)result.Broadcasts.Transmissions / result.Broadcasts.Sent / result.GreedyCdsSize);
            }

            _commandRtt.Sort();
            result.Commands = new CommandMetrics
            {
                Sent = CommandsSent,
                Acknowledged = CommandsAcknowledged,
                TimedOut = CommandsTimedOut,
                SuccessRatio = CommandsSent > 0 ? Round((double)CommandsAcknowledged / CommandsSent) : 0,
                RoundTripP50Ms = _commandRtt.Count > 0 ? Round(Percentiles.Of(_commandRtt, 50)) : 0,
                RoundTripP99Ms = _commandRtt.Count > 0 ? Round(Percentiles.Of(_commandRtt, 99)) : 0,
            };

            double dutySum = 0;
            int honest = 0;
            for (int i = 0; i < nodes.Length; i++)
            {
                double duty = 100.0 * nodes[i].AirtimeUs / Math.Max(1, endUs);
                if (duty > result.Airtime.MaxDutyCyclePercent)
                {
                    result.Airtime.MaxDutyCyclePercent = duty;
                    result.Airtime.BusiestNode = i;
                }

                if (include[i])
                {
                    dutySum += duty;
                    honest++;
                }

                MeshNode? core = nodes[i].Core;
                if (core != null)
                {
                    result.ManagedFloodingCancellations += core.Counters.RelaysCancelled;
                    result.Commands.Retries += core.Counters.CommandRetries;
                    for (int k = 1; k < RejectReasons.Count; k++)
                    {
                        long c = core.Counters.Rejected[k];
                        if (c > 0)
                        {
                            string label = RejectReasons.Label((RejectReason)k);
                            result.Rejected[label] = result.Rejected.GetValueOrDefault(label) + c;
                        }
                    }
                }
            }

            result.Airtime.MeanDutyCyclePercent = Round(honest > 0 ? dutySum / honest : 0, 4);
            result.Airtime.MaxDutyCyclePercent = Round(result.Airtime.MaxDutyCyclePercent, 4);
            result.Security = new SecurityMetrics
            {
                AdversarialFramesSent = AdversarialFramesSent,
                AdversarialAccepted = AdversarialAccepted,
                AcceptedTwice = AcceptedTwice,
                ForgedDelivered = ForgedDelivered,
                ReplayedDelivered = ReplayedDelivered,
                RejectedBadMic = result.Rejected.GetValueOrDefault("bad_mic"),
                RejectedReplay = result.Rejected.GetValueOrDefault("replayed") + result.Rejected.GetValueOrDefault("too_old"),
            };
            return result;
        }

        private ClassMetrics ClassResult(MessageClass cls)
        {
            var m = new ClassMetrics { Transmissions = _transmissionsByClass[(int)cls] };
            double ratioSum = 0;
            long counted = 0;
            long tx = 0;
            foreach (var r in _messages.Values)
            {
                if (r.Class != cls || !r.Counted)
                {
                    continue;
                }

                counted++;
                tx += r.Transmissions;
                if (cls == MessageClass.Reading)
                {
                    if (r.SinkMask != 0)
                    {
                        m.Delivered++;
                    }
                }
                else if (r.Delivered > 0 || r.AliveAtSend > 1)
                {
                    m.Delivered += r.Delivered;
                    ratioSum += r.AliveAtSend > 1 ? Math.Min(1.0, (double)r.Delivered / (r.AliveAtSend - 1)) : 1.0;
                }
            }

            m.Sent = counted;
            m.Transmissions = tx;
            if (cls == MessageClass.Reading)
            {
                m.DeliveryRatio = counted > 0 ? Round((double)m.Delivered / counted, 4) : 0;
                var lat = new List<double>(ReadingLatenciesMs);
                lat.Sort();
                m.LatencyP50Ms = Round(Percentiles.Of(lat, 50));
                m.LatencyP90Ms = Round(Percentiles.Of(lat, 90));
                m.LatencyP99Ms = Round(Percentiles.Of(lat, 99));
                double hops = 0;
                foreach (int h in ReadingHops)
                {
                    hops += h;
                    m.HopsMax = Math.Max(m.HopsMax, h);
                }

                m.HopsMean = ReadingHops.Count > 0 ? Round(hops / ReadingHops.Count) : 0;
            }
            else
            {
                m.DeliveryRatio = counted > 0 ? Round(ratioSum / counted, 4) : 0;
            }

            m.TransmissionsPerDelivered = m.Delivered > 0 ? Round((double)tx / m.Delivered) : 0;
            return m;
        }

        private static double Round(double v, int digits = 3) => double.IsNaN(v) ? 0 : Math.Round(v, digits);
    }
}
