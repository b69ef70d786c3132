using System;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// Route poisoning, measured in every run: how many of the routes honest nodes hold lead through a
    /// node that does not exist or through an adversary. Read through the core's public tables only
    /// (RouteTable.NextHop for every honest destination and the tamperers' invented ids, the gradient's
    /// Parent), so measuring changes nothing: no event, no random draw.
    /// </summary>
    public sealed partial class Simulation
    {
        private const long RouteSampleIntervalUs = 30_000_000;

        private long _nextRouteSampleUs = -1;
        private double _poisonShareSum;
        private double _poisonShareMax;
        private int _poisonSamples;

        private struct RouteCensus
        {
            public long Routes;
            public long ThroughNonExistent;
            public long ThroughAdversaries;
            public long Parents;
            public long PoisonedParents;

            public long Poisoned => ThroughNonExistent + ThroughAdversaries;

            public double Share => Routes + Parents > 0 ? (double)(Poisoned + PoisonedParents) / (Routes + Parents) : 0;
        }

        /// <summary>Called after every event: samples once per interval after warm-up (read-only).</summary>
        private void MaybeSampleRoutes()
        {
            if (_nextRouteSampleUs < 0)
            {
                _nextRouteSampleUs = Math.Max((long)(_scenario.WarmupSeconds * 1e6), RouteSampleIntervalUs);
            }

            if (_nowUs < _nextRouteSampleUs)
            {
                return;
            }

            _nextRouteSampleUs = _nowUs + RouteSampleIntervalUs;
            RouteCensus c = TakeRouteCensus();
            double share = c.Share;
            _poisonShareSum += share;
            _poisonShareMax = Math.Max(_poisonShareMax, share);
            _poisonSamples++;
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

        private RouteCensus TakeRouteCensus()
        {
            var c = new RouteCensus();
            foreach (SimNode node in _nodes)
            {
                MeshNode? core = node.Core;
                if (core == null || !node.Alive || node.Behaviour != NodeBehaviour.Honest)
                {
                    continue;
                }

                long nowMs = node.Clock.LocalMs(_nowUs);
                RouteTable routes = core.Routes;
                for (int d = 0; d < _nodes.Length; d++)
                {
                    SimNode dest = _nodes[d];
                    if (dest == node || dest.Behaviour != NodeBehaviour.Honest)
                    {
                        continue; // routes to adversaries are not routes honest traffic takes
                    }

                    uint next = routes.NextHop(dest.Id, nowMs);
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
