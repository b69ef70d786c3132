using System;
using System.Collections.Generic;
using System.Diagnostics;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Radio;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Metrics
{
    /// <summary>Turns what the collector followed into a <see cref="RunResult"/>.</summary>
    public sealed partial class MetricsCollector
    {
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
                CollidedArrivals = CollidedArrivals,
                CollisionLosses = new CollisionLossMetrics { ReceptionsLost = CollisionLedger.Lost, NeverReceived = CollisionLedger.NeverReceived() },
                Measured = new MeasuredWindow
                {
                    FromSeconds = _warmupUs / 1e6,
                    ToSeconds = Math.Min(endUs, _measuredUntilUs) / 1e6,
                    DrainSeconds = Math.Max(0, endUs - Math.Min(endUs, _measuredUntilUs)) / 1e6,
                },
                LostToChannel = LostToChannel,
                LostToHalfDuplex = LostToHalfDuplex,
                LostToJamming = LostToJamming,
                DuplicatesReceived = DuplicatesReceived,
                Bundles = Bundles,
                BundledFrames = BundledFrames,
                PeakWorkingSetBytes = Process.GetCurrentProcess().PeakWorkingSet64,
            };

            foreach (var n in nodes)
            {
                result.Transmissions += n.Transmissions;
            }

            result.Routing = RoutingCounters.Sum(nodes);
            result.Heartbeats = _heartbeats.Result(_sinkBit.Count);

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
                result.Broadcasts.AtHopLimitShare = Round((double)_broadcastsAtHopLimit / _broadcastHops.Count, 4);
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

            result.Coverage = Coverage(result.Broadcasts.DeliveryRatio);
            var sinks = new List<int>();
            var carriers = new bool[nodes.Length];
            for (int i = 0; i < nodes.Length; i++)
            {
                if (nodes[i].IsSink)
                {
                    sinks.Add(i);
                }

                carriers[i] = nodes[i].CarriesOthers;
            }

            result.Cost = Cost(result.Readings, result.BroadcastTransmissionsPerCds,
                Reachability.EtxToNearest(links, sinks, carriers, scenario.Radio.ExtraLossRate, false),
                Reachability.EtxToNearest(links, sinks, carriers, scenario.Radio.ExtraLossRate, true));
            if (result.Broadcasts.Sent > 0 && result.GreedyCdsSize > 0)
            {
                result.Cost.BroadcastScheduleEstimate = Round(BroadcastSchedule.MeanExpectedTransmissions(
                    links, scenario.Radio.ExtraLossRate, include, BroadcastSchedule.TargetCoverage) / result.GreedyCdsSize);
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
                AdversarialOneHopAccepted = AdversarialOneHopAccepted,
                AcceptedTwice = AcceptedTwice,
                AcceptedTwiceFromAdversaries = AcceptedTwiceFromAdversaries,
                ForgedDelivered = ForgedDelivered,
                ReplayedDelivered = ReplayedDelivered,
                RejectedBadMic = result.Rejected.GetValueOrDefault("bad_mic"),
                RejectedReplay = result.Rejected.GetValueOrDefault("replayed") + result.Rejected.GetValueOrDefault("too_old"),
                TamperedSent = TamperedSent,
                TamperedTaken = TamperedTaken,
                TamperedRefusedBadMic = TamperedRefusedBadMic,
                TamperedRefusedOther = TamperedRefusedOther,
                InventedIdsInTables = InventedIdsInTables,
                EchoesSent = EchoesSent,
                EchoesTaken = EchoesTaken,
                EchoOneHopTaken = EchoOneHopTaken,
                RebootTargets = RebootTargets,
                RebootReplaysSent = RebootReplaysSent,
                CommandsExecutedTwice = CommandsExecutedTwice,
                InsiderFramesSent = InsiderFramesSent,
                InsiderForgeriesAccepted = InsiderForgeriesAccepted,
                InsiderCommandsExecuted = InsiderCommandsExecuted,
                InsiderRefusedAtConsumer = InsiderRefusedAtConsumer,
                InsiderVictimFramesRefused = InsiderVictimFramesRefused,
            };
            result.Qos = Qos(result, endUs);
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
                if (r.Class != cls || !r.Counted || r.Excluded)
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

                    if (r.CutOff)
                    {
                        m.CutOffSent++;
                        m.CutOffDelivered += r.SinkMask != 0 ? 1 : 0;
                    }
                }
                else if (r.Delivered > 0 || r.AliveAtSend > 1)
                {
                    m.Delivered += r.Delivered;
                    ratioSum += r.AliveAtSend > 1 ? Math.Min(1.0, (double)r.Delivered / (r.AliveAtSend - 1)) : 1.0;
                }
            }

            if (cls == MessageClass.Reading)
            {
                // Store-and-forward copies never traced to a reading (lost again, or sent into a partition)
                // still cost airtime: they count in the reading cost.
                foreach (int untraced in _untracedReadingTx.Values)
                {
                    tx += untraced;
                }

                m.StoreForwardedDelivered = StoreForwardedDelivered;
                m.StoreForwardedDuplicates = StoreForwardedDuplicates;
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

        private CoverageMetrics Coverage(double raw)
        {
            double reachable = 0, reachableNodes = 0, liveNodes = 0;
            int withReach = 0, broadcasts = 0;
            foreach (var r in _messages.Values)
            {
                if (r.Class != MessageClass.Broadcast || !r.Counted || r.Excluded)
                {
                    continue;
                }

                broadcasts++;
                liveNodes += Math.Max(0, r.AliveAtSend - 1);
                reachableNodes += r.ReachableCount;
                if (r.ReachableCount > 0)
                {
                    withReach++;
                    reachable += (double)r.ReachedReachable / r.ReachableCount;
                }
            }

            return new CoverageMetrics
            {
                Raw = raw,
                Reachable = withReach > 0 ? Round(reachable / withReach, 4) : 0,
                ReachableNodesMean = broadcasts > 0 ? Round(reachableNodes / broadcasts, 2) : 0,
                LiveNodesMean = broadcasts > 0 ? Round(liveNodes / broadcasts, 2) : 0,
            };
        }

        private CostMetrics Cost(ClassMetrics readings, double broadcastPerCds, double[] etxFree, double[] etxAcknowledged)
        {
            double stretch = 0, hops = 0, boundFree = 0, boundAcknowledged = 0, boundHops = 0;
            long delivered = 0, withoutPath = 0;
            foreach (var (key, r) in _messages)
            {
                if (!r.IsMeasuredReading || r.SinkMask == 0)
                {
                    continue;
                }

                if (r.ShortestHops <= 0)
                {
                    withoutPath++; // no path at send time (it got there after the links changed), or sent by a gateway itself
                    continue;
                }

                delivered++;
                stretch += (double)r.Transmissions / r.ShortestHops;
                hops += r.ShortestHops;
                int origin = (int)(key >> 32) - 1;
                if (origin >= 0 && origin < etxFree.Length && !double.IsInfinity(etxAcknowledged[origin]))
                {
                    boundFree += etxFree[origin];
                    boundAcknowledged += etxAcknowledged[origin];
                    boundHops += r.ShortestHops;
                }
            }

            long total = 0;
            foreach (long a in _airtimeByClass)
            {
                total += a;
            }

            long control = _airtimeByClass[(int)MessageClass.Heartbeat] + _airtimeByClass[(int)MessageClass.Ack] + _airtimeByClass[(int)MessageClass.Other];
            var byClass = new Dictionary<string, double>();
            foreach (MessageClass c in Enum.GetValues<MessageClass>())
            {
                byClass[c.ToString().ToLowerInvariant()] = Round(_airtimeByClass[(int)c] / 1e6, 3);
            }

            // As the reading cost (every transmission of the window's readings, delivered or not, per delivered
            // reading) with the window's beacons and hop acks added; the "× shortest path" form divides by
            // the delivered readings' mean shortest-path hops.
            double perReading = readings.Delivered > 0 ? (double)(readings.Transmissions + _beaconsInWindow + _hopAcksInWindow) / readings.Delivered : 0;
            double meanHops = delivered > 0 ? hops / delivered : 0;
            return new CostMetrics
            {
                Beacons = _beaconsInWindow,
                HopAcks = _hopAcksInWindow,
                ReadingTransmissionsWithControl = Round(perReading),
                ReadingPathStretchWithControl = meanHops > 0 ? Round(perReading / meanHops) : 0,
                ReadingEtxBound = boundHops > 0 ? Round(boundFree / boundHops) : 0,
                ReadingEtxBoundAcknowledged = boundHops > 0 ? Round(boundAcknowledged / boundHops) : 0,
                ReadingPathStretch = delivered > 0 ? Round(stretch / delivered) : 0,
                ReadingShortestHopsMean = delivered > 0 ? Round(hops / delivered) : 0,
                ReadingsWithoutPath = withoutPath,
                BroadcastTransmissionsPerCds = broadcastPerCds,
                ControlAirtimeShare = total > 0 ? Round((double)control / total, 4) : 0,
                AirtimeSecondsByClass = byClass,
            };
        }

        private QosMetrics Qos(RunResult result, long endUs)
        {
            var q = new QosMetrics
            {
                HonestReadingsSent = result.Readings.Sent,
                HonestReadingsDelivered = result.Readings.Delivered,
                HonestReadingDelivery = result.Readings.DeliveryRatio,
                BabblerFramesOriginated = BabblerOriginated,
                BabblerRelayTransmissions = BabblerRelayed,
                BabblerTransmissionsBeyond2Hops = BabblerBeyond2Hops,
                BabblerBeyond2HopsPerOriginated = BabblerOriginated > 0 ? Round((double)BabblerBeyond2Hops / BabblerOriginated, 3) : 0,
                BabblerFramesBeyond2Hops = BabblerFramesBeyond2Hops.Count,
                BabblerShareBeyond2Hops = BabblerOriginated > 0 ? Round((double)BabblerFramesBeyond2Hops.Count / BabblerOriginated, 4) : 0,
                CommandAckP50Ms = result.Commands.RoundTripP50Ms,
                CommandAckP99Ms = result.Commands.RoundTripP99Ms,
                CommandDelivery = result.Commands.SuccessRatio,
            };
            for (int i = 0; i < _originKind.Length; i++)
            {
                if (_originKind[i] == Babbler)
                {
                    q.Babblers.Add(i);
                }
                else if (_originKind[i] == Stuck)
                {
                    q.StuckSensors.Add(i);
                }
            }

            foreach (var r in _messages.Values)
            {
                if (r.Excluded && r.Counted)
                {
                    q.ExcludedMessagesSent++;
                    if (r.Delivered > 0)
                    {
                        q.ExcludedMessagesDelivered++;
                    }
                }
            }

            var (p10, n10) = _duty10s.Max(endUs);
            var (p1h, n1h) = _duty1h.Max(endUs);
            q.DutyCycle10s = new DutyWindow { WindowSeconds = Math.Min(10, endUs / 1e6), MaxPercent = Round(p10, 4), Node = n10 };
            q.DutyCycle1h = new DutyWindow { WindowSeconds = Math.Min(3600, endUs / 1e6), MaxPercent = Round(p1h, 4), Node = n1h };
            return q;
        }

        private static double Round(double v, int digits = 3) => double.IsNaN(v) ? 0 : Math.Round(v, digits);
    }
}
