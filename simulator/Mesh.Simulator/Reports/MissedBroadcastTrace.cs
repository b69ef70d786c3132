using System;
using System.Collections;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Reports
{
    /// <summary>
    /// `mesh-sim run --missed-broadcasts FILE`: for every measured broadcast that missed a reachable node, the
    /// frontier where it stopped — each link heard at ≥ 50 % from a node that had the broadcast to a reachable node
    /// that never got it — with what the near end did (sent a copy or stayed silent), whether it is a backbone
    /// relay, and whether each end keeps the other in its backbone table (the neighbours its relay decisions and
    /// coverage see). Relay flags and tables are read at the end of the run, not at the broadcast's time.
    /// Stops 32–34 needed a temporary print for this each time; this is that print, kept.
    /// </summary>
    public sealed class MissedBroadcastTrace
    {
        /// <summary>A link counts as a frontier when heard at least this well (the backbone's strong links).</summary>
        public const double FrontierQuality = 0.5;

        private readonly Simulation _sim;
        private readonly Dictionary<ulong, HashSet<uint>> _senders = new();

        // Per broadcast: each node's first copy (hops taken, from whom), to see how far the frontier's near ends had come.
        private readonly Dictionary<ulong, Dictionary<uint, (int Hops, uint From)>> _firstCopy = new();

        public MissedBroadcastTrace(Simulation sim)
        {
            _sim = sim;
            Action<SimNode, byte[], int, long>? before = sim.FrameTransmitted;
            sim.FrameTransmitted = (node, frame, length, nowUs) =>
            {
                before?.Invoke(node, frame, length, nowUs);
                Record(node, frame, length);
            };
            Action<SimNode, Protocol.Node.MeshEvent, long>? delivered = sim.MessageDelivered;
            sim.MessageDelivered = (node, e, nowUs) =>
            {
                delivered?.Invoke(node, e, nowUs);
                if (e.Type == MessageType.Text && e.Destination == NodeAddress.Broadcast)
                {
                    ulong key = MetricsCollector.Key(e.Origin, e.Sequence);
                    if (!_firstCopy.TryGetValue(key, out var first))
                    {
                        _firstCopy[key] = first = new Dictionary<uint, (int, uint)>();
                    }

                    first.TryAdd(node.Id, (e.HopsTaken, e.PreviousHop));
                }
            };
        }

        private void Record(SimNode node, byte[] frame, int length)
        {
            if (length < FrameLayout.HeaderSize || frame[FrameLayout.OffsetType] != (byte)MessageType.Text
                || BitConverter.ToUInt32(frame, FrameLayout.OffsetNextHop) != NodeAddress.None)
            {
                return;
            }

            ulong key = MetricsCollector.Key(BitConverter.ToUInt32(frame, FrameLayout.OffsetOrigin), BitConverter.ToUInt32(frame, FrameLayout.OffsetSequence));
            if (!_senders.TryGetValue(key, out HashSet<uint>? set))
            {
                _senders[key] = set = new HashSet<uint>();
            }

            set.Add(node.Id);
        }

        /// <summary>Writes one block per broadcast that missed a reachable node; returns how many broadcasts and missed nodes.</summary>
        public (int Broadcasts, int Missed) Write(string path, MetricsCollector metrics)
        {
            var links = _sim.Links;
            var nodes = _sim.Nodes;
            int broadcasts = 0, missedNodes = 0;
            using var w = new StreamWriter(path);
            w.WriteLine("# origin:sequence, sent at (s): missed / reachable; senders of a copy; then each frontier link (>= 50 %) from a node that had it to one that did not:");
            w.WriteLine("#   near -> far p=the radio's reception probability (a scenario's extra loss not included): how near got it (or origin), sent|silent, relay|non-relay,");
            w.WriteLine("#   keeps far yes|no (how near's backbone sees far); far keeps near yes|no; the senders of a copy far could hear, @ reception (flags and tables at the end of the run)");
            foreach (var (key, sentUs, reachable, reached) in metrics.MissedBroadcasts().OrderBy(b => b.SentUs))
            {
                broadcasts++;
                _senders.TryGetValue(key, out HashSet<uint>? senders);
                senders ??= new HashSet<uint>();
                _firstCopy.TryGetValue(key, out var firstCopies);
                var missed = new List<int>();
                int reachableCount = 0;
                for (int i = 0; i < nodes.Count; i++)
                {
                    if (reachable[i])
                    {
                        reachableCount++;
                        if (!reached[i])
                        {
                            missed.Add(i);
                        }
                    }
                }

                missedNodes += missed.Count;
                w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"{key >> 32}:{key & 0xFFFFFFFF} sent {sentUs / 1e6:0.000} s: missed {missed.Count} of {reachableCount} reachable; {senders.Count} senders; missed: {string.Join(' ', missed.Select(i => nodes[i].Id))}"));
                int origin = (int)(key >> 32) - 1; // a node's id is its index + 1 (Simulation), as MetricsCollector.Sent reads it
                foreach (var (near, far, p) in Frontier(links, reached, origin, missed).OrderByDescending(f => f.P).Take(24))
                {
                    SimNode n = nodes[near], f = nodes[far];
                    var nb = n.Core?.Routing?.Backbone;
                    var fb = f.Core?.Routing?.Backbone;
                    string heard = string.Join(' ', SendersHeard(links, nodes, senders, far).OrderByDescending(x => x.P).Take(3)
                        .Select(x => string.Create(CultureInfo.InvariantCulture, $"{x.Id}@{x.P:0.00}")));
                    string came = firstCopies != null && firstCopies.TryGetValue(n.Id, out var fc) ? $"got it after {fc.Hops + 1} hops from {fc.From}" : "origin";
                    w.WriteLine(string.Create(CultureInfo.InvariantCulture,
                        $"  {n.Id} -> {f.Id} p={p:0.00}: {came}, {(senders.Contains(n.Id) ? "sent" : "silent")}, {(nb == null ? "no backbone" : nb.IsRelay ? "relay" : "non-relay")}, keeps far {YesNo(nb?.Keeps(f.Id))}{View(nb, f.Id)}; far keeps near {YesNo(fb?.Keeps(n.Id))}; copies the far end could hear: {(heard.Length == 0 ? "none" : heard)}"));
                }
            }

            return (broadcasts, missedNodes);
        }

        /// <summary>How the near end's backbone sees the far end (quality each way, strong, listed by how many other members).</summary>
        private static string View(Protocol.Routing.Backbone? b, uint id)
        {
            if (b == null || !b.Keeps(id))
            {
                return "";
            }

            b.Describe(id, out int q, out int qFrom, out bool strong, out int listedBy);
            return string.Create(CultureInfo.InvariantCulture, $" (heard {q}/255, hears us {qFrom}/255, {(strong ? "strong" : "not strong")}, listed by {listedBy} other members)");
        }

        private static string YesNo(bool? b) => b == null ? "-" : b.Value ? "yes" : "no";

        /// <summary>The senders of a copy whose link reaches <paramref name="far"/>, with its reception probability.</summary>
        private static IEnumerable<(uint Id, double P)> SendersHeard(Radio.LinkTable links, IReadOnlyList<SimNode> nodes, HashSet<uint> senders, int far)
        {
            for (int t = 0; t < links.NodeCount; t++)
            {
                if (!senders.Contains(nodes[t].Id))
                {
                    continue;
                }

                for (int l = links.RowStart[t]; l < links.RowStart[t + 1]; l++)
                {
                    if (links.Target[l] == far)
                    {
                        yield return (nodes[t].Id, links.ReceptionProbability[l]);
                    }
                }
            }
        }

        /// <summary>Links at ≥ <see cref="FrontierQuality"/> from a node that had the broadcast to a missed node.</summary>
        private static IEnumerable<(int Near, int Far, double P)> Frontier(Radio.LinkTable links, BitArray reached, int origin, List<int> missed)
        {
            var isMissed = missed.ToHashSet();
            for (int near = 0; near < links.NodeCount; near++)
            {
                if (!reached[near] && near != origin)
                {
                    continue;
                }

                for (int l = links.RowStart[near]; l < links.RowStart[near + 1]; l++)
                {
                    int far = links.Target[l];
                    if (isMissed.Contains(far) && links.ReceptionProbability[l] >= FrontierQuality)
                    {
                        yield return (near, far, links.ReceptionProbability[l]);
                    }
                }
            }
        }
    }
}
