using System;
using System.Collections.Generic;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// Route poisoning, measured in every run: how many of the routes honest nodes hold lead through a
    /// node that does not exist or through an adversary. Read through the core's public tables only
    /// (RouteTable.NextHop for every honest destination and the tamperers' invented ids, the gradient's
    /// Parent), so measuring changes nothing: no event, no random draw. Sampled every 30 s in runs with
    /// adversaries, and at the end of every run.
    /// </summary>
    public sealed partial class Simulation
    {
        private const long RouteSampleIntervalUs = 30_000_000;

        // The first sample after warm-up (set at construction), then every interval.
        private long _nextRouteSampleUs;
        private double _poisonShareSum;
        private double _poisonShareMax;
        private int _poisonSamples;

        internal struct RouteCensus
        {
            public long Routes;
            public long ThroughNonExistent;
            public long ThroughAdversaries;
            public long Parents;
            public long PoisonedParents;

            public long Poisoned => ThroughNonExistent + ThroughAdversaries;

            public double Share => Routes + Parents > 0 ? (double)(Poisoned + PoisonedParents) / (Routes + Parents) : 0;

            public void Add(in RouteCensus other)
            {
                Routes += other.Routes;
                ThroughNonExistent += other.ThroughNonExistent;
                ThroughAdversaries += other.ThroughAdversaries;
                Parents += other.Parents;
                PoisonedParents += other.PoisonedParents;
            }
        }

        /// <summary>Called after every event: samples once per interval after warm-up (read-only).</summary>
        private void MaybeSampleRoutes()
        {
            if (_shard != null || !SamplesRoutes)
            {
                return; // a shard samples at the end of a window (SampleRoutesBefore), as every other shard does
            }

            if (_nowUs < _nextRouteSampleUs)
            {
                return;
            }

            // On a fixed schedule (every interval from the first), so that a sharded run, which samples at the
            // end of the window holding each sample time, takes the same samples.
            while (_nextRouteSampleUs <= _nowUs)
            {
                _nextRouteSampleUs += RouteSampleIntervalUs;
            }

            NoteCensus(TakeRouteCensus());
        }

        /// <summary>
        /// Whether censuses are taken during the run, or only at its end. Only an adversary puts a route
        /// through an id no node has or through itself; without one, every sample would read 0 % poisoned,
        /// and each costs N² lookups (10⁸ at 10,000 nodes, every 30 s: 16 % of a structured 10,000-node
        /// run). The census at the end is still taken: a route through a missing id there would be a bug.
        /// </summary>
        private bool SamplesRoutes => _scenario.Adversaries.Count > 0;

        private void NoteCensus(in RouteCensus c)
        {
            double share = c.Share;
            _poisonShareSum += share;
            _poisonShareMax = Math.Max(_poisonShareMax, share);
            _poisonSamples++;
        }

        /// <summary>
        /// A shard's census of its own nodes, when the window ending at <paramref name="windowEndUs"/>
        /// crosses a sample time: every shard decides from the same window ends, so the k-th censuses
        /// of all shards are one network-wide census (summed by the run).
        /// </summary>
        internal void SampleRoutesBefore(long windowEndUs)
        {
            if (!SamplesRoutes)
            {
                return;
            }

            // A sample time at the very end is one an unsharded run takes only if an event falls on it.
            if (windowEndUs <= _nextRouteSampleUs || _nextRouteSampleUs >= _endUs)
            {
                return;
            }

            while (_nextRouteSampleUs < windowEndUs)
            {
                _nextRouteSampleUs += RouteSampleIntervalUs;
            }

            (_shardCensuses ??= new List<RouteCensus>()).Add(TakeRouteCensus());
        }

        /// <summary>0: a real honest node (or the bridge's); 1: an id no node has; 2: an adversary.</summary>
        private int RouteVia(uint id)
        {
            if (id == 0 || id > (uint)_nodes.Length)
            {
                return 1;
            }

            NodeBehaviour b = _nodes[id - 1].Behaviour;
            return b == NodeBehaviour.Honest || b == NodeBehaviour.External ? 0 : 2;
        }

        /// <summary>
        /// Every honest node's route to every honest destination: N² lookups (10⁸ at 10,000 nodes, every
        /// 30 simulated seconds), so the nodes are split over the cores. The lookups only read the cores'
        /// tables and the counts are whole numbers, so any split sums to the same census.
        /// </summary>
        private RouteCensus TakeRouteCensus()
        {
            // Honest destinations (routes to adversaries are not routes honest traffic takes), once per census.
            var honest = new List<int>(_nodes.Length);
            for (int d = 0; d < _nodes.Length; d++)
            {
                if (_nodes[d].Behaviour == NodeBehaviour.Honest)
                {
                    honest.Add(d);
                }
            }

            int[] destinations = honest.ToArray();
            // A shard's census runs on its own thread while the other shards run on theirs (only a running
            // shard records its metrics; the run's view, after it, has the merged collector).
            bool shardRunning = _metrics.Recorder != null;
            int chunks = _nodes.Length >= 2000 && !shardRunning ? Math.Min(Environment.ProcessorCount, 64) : 1;
            var parts = new RouteCensus[chunks];
            if (chunks == 1)
            {
                parts[0] = CensusOf(0, _nodes.Length, destinations);
            }
            else
            {
                System.Threading.Tasks.Parallel.For(0, chunks, k =>
                {
                    parts[k] = CensusOf(_nodes.Length * k / chunks, _nodes.Length * (k + 1) / chunks, destinations);
                });
            }

            var c = new RouteCensus();
            foreach (RouteCensus part in parts)
            {
                c.Add(part);
            }

            return c;
        }

        /// <summary>The census of nodes [<paramref name="from"/>, <paramref name="to"/>): reads only.</summary>
        private RouteCensus CensusOf(int from, int to, int[] destinations)
        {
            var c = new RouteCensus();
            for (int i = from; i < to; i++)
            {
                SimNode node = _nodes[i];
                MeshNode? core = node.Core;
                if (core == null || !node.Alive || node.Behaviour != NodeBehaviour.Honest)
                {
                    continue;
                }

                long nowMs = node.Clock.LocalMs(_nowUs);
                RouteTable routes = core.Routes;
                foreach (int d in destinations)
                {
                    if (d == i)
                    {
                        continue;
                    }

                    uint next = routes.NextHop(_nodes[d].Id, nowMs);
                    if (next == 0)
                    {
                        continue;
                    }

                    c.Routes++;
                    switch (RouteVia(next))
                    {
                        case 1:
                            c.ThroughNonExistent++;
                            break;
                        case 2:
                            c.ThroughAdversaries++;
                            break;
                    }
                }

                for (uint k = 0; k < InventedIds; k++)
                {
                    if (routes.NextHop(InventedIdBase + k, nowMs) != 0)
                    {
                        c.Routes++;
                        c.ThroughNonExistent++; // a route to an id no node has
                    }
                }

                uint parent = core.Routing?.Gradient.Parent ?? 0;
                if (parent != 0 && !node.IsSink)
                {
                    c.Parents++;
                    if (RouteVia(parent) != 0)
                    {
                        c.PoisonedParents++;
                    }
                }
            }

            return c;
        }

        private RoutePoisoningMetrics RoutePoisoningResult()
        {
            RouteCensus c = TakeRouteCensus();
            double sum = _poisonShareSum + c.Share;
            int samples = _poisonSamples + 1;
            return new RoutePoisoningMetrics
            {
                Routes = c.Routes,
                Poisoned = c.Poisoned,
                ThroughNonExistent = c.ThroughNonExistent,
                ThroughAdversaries = c.ThroughAdversaries,
                Share = Math.Round(c.Routes > 0 ? (double)c.Poisoned / c.Routes : 0, 6),
                Parents = c.Parents,
                PoisonedParents = c.PoisonedParents,
                MeanShare = Math.Round(sum / samples, 6),
                MaxShare = Math.Round(Math.Max(_poisonShareMax, c.Share), 6),
                Samples = samples,
            };
        }
    }
}
