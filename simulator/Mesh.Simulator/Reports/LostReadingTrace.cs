using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Linq;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Reports
{
    /// <summary>
    /// `mesh-sim run --lost-readings FILE`: every on-air copy of every readings frame (when, transmitter, next hop,
    /// hops taken), so that after the run each reading that never reached a gateway is written as one line — the
    /// trail of its copies and where the trail ends. Earlier analyses of the 3,000-node mesh needed a temporary
    /// per-frame log each time; this is that log, kept. Memory grows with the readings' transmissions (about
    /// 0.5 M entries in a 3,000-node, 15-minute run), so it is recorded only when asked for.
    /// </summary>
    public sealed class LostReadingTrace
    {
        private readonly Dictionary<ulong, List<Copy>> _copies = new();
        private readonly HashSet<uint> _gateways;

        private readonly record struct Copy(long AtUs, uint Transmitter, uint NextHop, byte HopsTaken);

        /// <summary>How a lost reading's trail ends (the summary line counts each).</summary>
        public enum Ending { NeverSent, ToGateway, RoundALoop, Flooded, ToRelay }

        public LostReadingTrace(Simulation sim)
        {
            _gateways = sim.Nodes.Where(n => n.IsSink).Select(n => n.Id).ToHashSet();
            Action<SimNode, byte[], int, long>? before = sim.FrameTransmitted;
            sim.FrameTransmitted = (node, frame, length, nowUs) =>
            {
                before?.Invoke(node, frame, length, nowUs);
                Record(node, frame, length, nowUs);
            };
        }

        private void Record(SimNode node, byte[] frame, int length, long nowUs)
        {
            if (length < FrameLayout.HeaderSize || frame[FrameLayout.OffsetType] != (byte)MessageType.Readings)
            {
                return;
            }

            ulong key = MetricsCollector.Key(BitConverter.ToUInt32(frame, FrameLayout.OffsetOrigin), BitConverter.ToUInt32(frame, FrameLayout.OffsetSequence));
            if (!_copies.TryGetValue(key, out List<Copy>? list))
            {
                _copies[key] = list = new List<Copy>(8);
            }

            list.Add(new Copy(nowUs, node.Id, BitConverter.ToUInt32(frame, FrameLayout.OffsetNextHop), frame[FrameLayout.OffsetHopsTaken]));
        }

        /// <summary>Writes one line per lost reading (counted in the measured window, never at a gateway); the count of each ending.</summary>
        public Dictionary<Ending, int> Write(string path, MetricsCollector metrics)
        {
            var endings = Enum.GetValues<Ending>().ToDictionary(e => e, _ => 0);
            using var w = new StreamWriter(path);
            w.WriteLine("# origin:sequence, sent at (s), ending; then each copy on air: +ms after sending, transmitter -> next hop (F: flooded), hops taken");
            foreach ((ulong key, long sentUs) in metrics.LostReadings().OrderBy(l => l.SentUs))
            {
                _copies.TryGetValue(key, out List<Copy>? copies);
                Ending ending = EndingOf(copies);
                endings[ending]++;
                w.Write(string.Create(CultureInfo.InvariantCulture, $"{key >> 32}:{key & 0xFFFFFFFF} sent {sentUs / 1e6:0.000} s, {ending}:"));
                foreach (Copy c in copies ?? Enumerable.Empty<Copy>())
                {
                    string next = c.NextHop == NodeAddress.None ? "F" : c.NextHop.ToString(CultureInfo.InvariantCulture);
                    w.Write(string.Create(CultureInfo.InvariantCulture, $" +{(c.AtUs - sentUs) / 1000} {c.Transmitter}->{next} h{c.HopsTaken}"));
                }

                w.WriteLine();
            }

            return endings;
        }

        private Ending EndingOf(List<Copy>? copies)
        {
            if (copies == null || copies.Count == 0)
            {
                return Ending.NeverSent;
            }

            if (copies.Any(c => c.NextHop == NodeAddress.None))
            {
                return Ending.Flooded;
            }

            Copy last = copies[^1];
            if (_gateways.Contains(last.NextHop))
            {
                return Ending.ToGateway;
            }

            // Handed to a node that had already sent it on: it came back round a loop.
            return copies.Take(copies.Count - 1).Any(c => c.Transmitter == last.NextHop) ? Ending.RoundALoop : Ending.ToRelay;
        }
    }
}
