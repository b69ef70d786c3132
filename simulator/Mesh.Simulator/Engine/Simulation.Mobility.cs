using System;
using Mesh.Protocol;
using Mesh.Simulator.Radio;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Topology;

namespace Mesh.Simulator.Engine
{
    /// <summary>Random-waypoint mobility of a share of the nodes, with link tables rebuilt at every update.</summary>
    public sealed partial class Simulation
    {
        private void ScheduleMobility(Scenario s, IRandomSource random)
        {
            MobilitySettings? m = s.Mobility;
            if (m == null || m.Fraction <= 0 || m.SpeedMetersPerSecond <= 0)
            {
                return;
            }

            foreach (SimNode node in _nodes)
            {
                if (!node.IsSink && TopologyBuilder.Unit(random) < m.Fraction)
                {
                    node.Mobile = true;
                    PickWaypoint(node);
                }
            }

            _events.Push((long)(m.UpdateSeconds * 1e6), EventKind.Move, 0, 0);
        }

        private void PickWaypoint(SimNode node)
        {
            var t = _scenario.Topology;
            double width = Math.Max(t.WidthMeters, MaxOf(_x));
            double height = Math.Max(t.HeightMeters, MaxOf(_y));
            node.TargetX = TopologyBuilder.Unit(_workloadRandom) * width;
            node.TargetY = TopologyBuilder.Unit(_workloadRandom) * height;
        }

        /// <summary>
        /// Random waypoint (Johnson and Maltz 1996): each mobile node walks at constant speed to a random
        /// point, pauses, and picks the next. Links are recomputed at every update.
        /// </summary>
        private void Move()
        {
            MobilitySettings m = _scenario.Mobility!;
            double step = m.SpeedMetersPerSecond * m.UpdateSeconds;
            foreach (SimNode node in _nodes)
            {
                if (!node.Mobile || node.PauseUntilUs > _nowUs)
                {
                    continue;
                }

                double dx = node.TargetX - node.X, dy = node.TargetY - node.Y;
                double d = Math.Sqrt(dx * dx + dy * dy);
                if (d <= step)
                {
                    node.X = node.TargetX;
                    node.Y = node.TargetY;
                    node.PauseUntilUs = _nowUs + (long)(m.PauseSeconds * 1e6);
                    PickWaypoint(node);
                }
                else
                {
                    node.X += dx / d * step;
                    node.Y += dy / d * step;
                }

                _x[node.Index] = node.X;
                _y[node.Index] = node.Y;
            }

            _links = LinkTable.Build(_x, _y, _radio);
            _burstLoss?.Reset(_links.LinkCount);
            _metrics.LinkUpdates++;
            _hopsToSink = null;
            _events.Push(_nowUs + (long)(m.UpdateSeconds * 1e6), EventKind.Move, 0, 0);
        }

        private static double MaxOf(double[] values)
        {
            double max = 0;
            foreach (double v in values)
            {
                max = Math.Max(max, v);
            }

            return max;
        }
    }
}
