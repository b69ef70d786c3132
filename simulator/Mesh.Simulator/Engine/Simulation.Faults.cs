using System;
using Mesh.Protocol.Node;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Engine
{
    /// <summary>Node failures: scheduled crashes and restarts, random churn.</summary>
    public sealed partial class Simulation
    {
        private void ScheduleFaults(Scenario s)
        {
            foreach (var c in s.Faults.Crashes)
            {
                _events.Push((long)(c.AtSeconds * 1e6), EventKind.Crash, c.Node, 0);
                if (c.RestartAtSeconds.HasValue)
                {
                    _events.Push((long)(c.RestartAtSeconds.Value * 1e6), EventKind.Restart, c.Node, 0);
                }
            }

            if (s.Faults.ChurnRatePerHour > 0)
            {
                foreach (var node in _nodes)
                {
                    if (!node.IsSink && node.Behaviour == NodeBehaviour.Honest)
                    {
                        ScheduleChurn(node);
                    }
                }
            }

            foreach (var node in _nodes)
            {
                if (node.Behaviour == NodeBehaviour.Forger)
                {
                    _events.Push(NextInterval(Math.Max(1, s.Workload.ReadingIntervalSeconds)), EventKind.Forge, node.Index, 0);
                }
            }
        }

        private void ScheduleChurn(SimNode node)
        {
            double meanSeconds = 3600.0 / _scenario.Faults.ChurnRatePerHour;
            double wait = -Math.Log(1 - RandomDraws.Unit(_workloadRandom)) * meanSeconds;
            long at = _nowUs + (long)(wait * 1e6);
            if (at < _endUs)
            {
                _events.Push(at, EventKind.Crash, node.Index, 1);
                _events.Push(at + (long)(_scenario.Faults.ChurnDowntimeSeconds * 1e6), EventKind.Restart, node.Index, 1);
            }
        }

        private void Crash(SimNode node)
        {
            if (!node.Alive)
            {
                return;
            }

            if (IsHonestRunning(node))
            {
                _aliveHonest--;
            }

            node.Alive = false;
            _alive[node.Index] = false;
            if (node.Core != null)
            {
                // The board persisted its sequence checkpoint in flash; that is all that survives.
                node.PersistedSequence = node.Core.SequenceCheckpoint;
            }

            _incoming.Clear(node.Index);
            node.WakeToken++;
            node.ScheduledWakeUs = long.MaxValue;
            _metrics.Crashes++;
        }

        private void Restart(SimNode node)
        {
            if (node.Alive)
            {
                return;
            }

            node.Alive = true;
            _alive[node.Index] = true;
            node.TransmittingUntilUs = 0;
            _transmittingUntilUs[node.Index] = 0;
            node.AttemptAtUs = 0;
            StartNode(node, _nowUs);
            if (IsHonestRunning(node))
            {
                _aliveHonest++;
            }

            if (_scenario.Faults.ChurnRatePerHour > 0 && !node.IsSink)
            {
                ScheduleChurn(node);
            }
        }
    }
}
