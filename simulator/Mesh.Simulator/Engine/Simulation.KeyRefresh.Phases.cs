using System;
using System.Collections.Generic;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// The key refresh's answers at the driving gateways and the end of each phase (Simulation.KeyRefresh.cs).
    /// </summary>
    public sealed partial class Simulation
    {
        /// <summary>A refresh command's outcome at the driving gateway (from its event queue).</summary>
        private void KeyRefreshAnswered(SimNode sink, MeshEvent e, bool timedOut)
        {
            if (_refreshInFlight.Count == 0 || !_refreshInFlight.Remove((sink.Index, e.CommandId), out var f))
            {
                return;
            }

            _refreshBusy.Remove(f.Node);
            _refreshSinkBusy[sink.Index]--;
            if (f.Phase != _refreshPhase)
            {
                return; // an answer from a phase the deadline closed
            }

            if (timedOut)
            {
                _refreshMetrics.CommandsTimedOut++;
                return; // still pending: sent again from the next tick
            }

            if (f.Resend)
            {
                return; // the key again; the phase command follows from the next tick
            }

            CommandStatus status = e.CommandStatus;
            if (status == CommandStatus.Ok || status == CommandStatus.AlreadyExecuted)
            {
                _ackedPhase![f.Node] = f.Phase;
                _refreshPending.Remove(f.Node);
                return;
            }

            if (f.Phase > 1 && status == CommandStatus.InvalidArgument && _redistributed.Add(f.Node))
            {
                // It no longer holds j (restarted without it): give it the key again, once per phase.
                if (SendRefreshCommand(sink, f.Node, f.Phase, true, sink.Clock.LocalMs(_nowUs)))
                {
                    _refreshMetrics.KeysSentAgain++;
                }
                else
                {
                    _redistributed.Remove(f.Node);
                }

                return;
            }

            _refreshPending.Remove(f.Node);
            _refreshRefused.Add(f.Node);
        }

        private void EndPhase()
        {
            int phase = _refreshPhase;
            int acked = 0;
            var missing = new List<uint>();
            for (int i = 0; i < _ackedPhase!.Length; i++)
            {
                bool target = phase == 1 ? _ackedPhase[i] >= 0 : _ackedPhase[i] >= 1;
                if (!target)
                {
                    continue;
                }

                if (_ackedPhase[i] >= phase)
                {
                    acked++;
                }
                else
                {
                    missing.Add(_nodes[i].Id);
                }
            }

            _refreshMetrics.Phases.Add(new KeyRefreshPhaseMetrics
            {
                Phase = phase,
                Targets = phase == 1 ? _refreshMetrics.Targets : _refreshMetrics.Phases[phase - 2].Acknowledged,
                Acknowledged = acked,
                EndedSeconds = Math.Round(_nowUs / 1e6, 3),
                DeadlinePassed = _nowUs >= _phaseDeadlineUs,
                NotAcknowledged = missing,
            });

            if (phase == 1 && acked == 0)
            {
                _refreshPhase = PhaseStalled;
                _refreshMetrics.Stalled = "no node acknowledged the new key before the deadline";
                return;
            }

            if (phase >= 2)
            {
                foreach (int s in _sinks)
                {
                    SimNode sink = _nodes[s];
                    sink.Core?.NetworkKeys.Advance(_newKey!.Index, phase);
                    if (phase == NetworkKeyRing.PhaseSwitched)
                    {
                        sink.PersistedNextPhase = NetworkKeyRing.PhaseSwitched;
                    }
                    else
                    {
                        sink.PersistedNetworkKey = _newKey;
                        sink.PersistedNextKey = null;
                        sink.PersistedNextPhase = 0;
                    }
                }
            }

            if (phase == 3)
            {
                _refreshPhase = PhaseDone;
                _refreshFinishedUs = _nowUs;
                _refreshMetrics.FinishedSeconds = Math.Round(_nowUs / 1e6, 3);
                return;
            }

            _refreshPhase = phase + 1;
            _refreshPending.Clear();
            _redistributed.Clear();
            _refreshRefused.Clear();
            for (int i = 0; i < _ackedPhase.Length; i++)
            {
                if (_ackedPhase[i] >= 1)
                {
                    _refreshPending.Add(i);
                }
            }

            _phaseDeadlineUs = _nowUs + (long)(_scenario.KeyRefresh!.PhaseDeadlineSeconds * 1e6);
        }

        /// <summary>Drops the refresh commands in flight at gateway <paramref name="sink"/> (it restarted).</summary>
        private void ForgetInFlight(int sink)
        {
            var gone = new List<(int Sink, ushort Id)>();
            foreach (var kv in _refreshInFlight)
            {
                if (kv.Key.Sink == sink)
                {
                    gone.Add(kv.Key);
                    _refreshBusy.Remove(kv.Value.Node);
                }
            }

            foreach (var k in gone)
            {
                _refreshInFlight.Remove(k);
            }

            _refreshSinkBusy[sink] = 0;
        }
    }
}
