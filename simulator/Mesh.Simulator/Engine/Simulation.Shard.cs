using System;
using System.Collections.Generic;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// One spatial shard of a sharded run (<see cref="ShardedSimulation"/>): this instance steps only the
    /// nodes it owns. A transmission that reaches another shard's nodes is posted to that shard, which
    /// puts it on its own air at the start of the next window; every other effect of a node stays in its
    /// shard. Non-owned nodes exist here (positions, roles, links) but run no core.
    /// </summary>
    public sealed partial class Simulation
    {
        // Route censuses a shard took of its own nodes, in order; the run sums the shards' k-th censuses.
        private List<RouteCensus>? _shardCensuses;

        private bool Owns(int node) => _shard == null || _shard.Owner[node] == _shard.Index;

        /// <summary>Posts transmission <paramref name="tx"/> to every shard in <paramref name="shards"/> (a bit mask).</summary>
        private void PostToShards(SimNode sender, int tx, long startUs, long endUs, int shards)
        {
            ShardContext shard = _shard!;
            if (endUs - startUs < shard.LookaheadUs)
            {
                // The window is the shortest airtime: a shorter frame would end before the other shard sees it.
                throw new InvalidOperationException(
                    $"a {_txLength[tx]}-byte frame is on the air {endUs - startUs} µs, shorter than the sharded run's window of {shard.LookaheadUs} µs");
            }

            for (int to = 0; shards != 0; to++, shards >>= 1)
            {
                if ((shards & 1) != 0)
                {
                    shard.Mailbox.Post(shard.Window, shard.Index, to, sender.Index, _txBytes[tx], _txLength[tx], startUs, endUs);
                }
            }
        }

        /// <summary>
        /// Puts on this shard's air what the other shards posted to it during the last window (their
        /// transmissions that reach nodes here), in a fixed order: by posting shard, then as posted.
        /// </summary>
        private void TakePosted()
        {
            ShardContext shard = _shard!;
            for (int from = 0; from < shard.Count; from++)
            {
                if (from == shard.Index)
                {
                    continue;
                }

                RemoteFrames frames = shard.Mailbox.Read(shard.Window, from, shard.Index);
                for (int k = 0; k < frames.Count; k++)
                {
                    ref readonly RemoteFrame f = ref frames[k];
                    int tx = AllocateTransmission(f.Sender);
                    Array.Copy(frames.Bytes, f.Offset, _txBytes[tx], 0, f.Length);
                    _txLength[tx] = f.Length;
                    Arrive(_nodes[f.Sender], tx, f.StartUs, f.EndUs);
                    // Its end delivers it here, as the end of a local transmission does (the sender, not
                    // owned here, runs nothing afterwards).
                    _events.Push(f.EndUs, EventKind.TransmissionEnd, f.Sender, tx);
                }

                frames.Clear();
            }
        }

        /// <summary>
        /// Window <paramref name="window"/> of a sharded run: takes what the other shards posted during the
        /// one before, processes every event before <paramref name="untilUs"/> (exclusive) with its metrics
        /// calls logged to <paramref name="log"/>, and takes a route census if a sample time fell inside.
        /// </summary>
        internal void RunWindow(long window, long untilUs, MetricsLog log)
        {
            _shard!.Window = window;
            _metrics.Recorder = log;
            TakePosted();
            RunBefore(untilUs);
            SampleRoutesBefore(untilUs);
        }

        /// <summary>Processes every event before <paramref name="untilUs"/> (exclusive).</summary>
        private void RunBefore(long untilUs)
        {
            while (_events.Count > 0 && _events.PeekTime < untilUs)
            {
                Step();
            }
        }

        /// <summary>Honest running nodes this shard owns (the run sets every shard's count to the sum).</summary>
        internal int OwnedAliveHonest => _aliveHonest;

        internal IReadOnlyList<RouteCensus> ShardCensuses => (IReadOnlyList<RouteCensus>?)_shardCensuses ?? Array.Empty<RouteCensus>();

        internal void SetAliveHonest(int count) => _aliveHonest = count;

        internal long EndUs => _endUs;

        /// <summary>An empty collector for this run's nodes, gateways, warm-up and drain window (each run's own; a sharded run's merged one).</summary>
        internal MetricsCollector NewMetricsCollector() => new MetricsCollector(_nodes.Length, _sinks,
            (long)(_scenario.WarmupSeconds * 1e6), _endUs - (long)(_scenario.EffectiveDrainSeconds * 1e6));

        /// <summary>
        /// Turns shard 0 into the whole run's view for its result: every node as its owner left it, the
        /// merged metrics, the events of all shards, and the route censuses summed sample by sample.
        /// </summary>
        internal void AdoptForResult(Simulation[] shards, MetricsCollector merged)
        {
            int[] owner = _shard!.Owner;
            long events = 0;
            foreach (Simulation s in shards)
            {
                events += s._eventCount;
            }

            for (int i = 0; i < _nodes.Length; i++)
            {
                _nodes[i] = shards[owner[i]]._nodes[i];
            }

            int samples = int.MaxValue;
            foreach (Simulation s in shards)
            {
                samples = Math.Min(samples, s.ShardCensuses.Count);
            }

            for (int k = 0; k < samples; k++)
            {
                var c = new RouteCensus();
                foreach (Simulation s in shards)
                {
                    c.Add(s.ShardCensuses[k]);
                }

                NoteCensus(c);
            }

            _eventCount = events;
            _metrics = merged;
            _nowUs = _endUs;
            _shardCensuses = null;
        }
    }
}
