using System;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// What insiders seal with during a key refresh, what honest cores took of an evicted node's injections,
    /// and the refresh's figures (Simulation.KeyRefresh.cs).
    /// </summary>
    public sealed partial class Simulation
    {
        /// <summary>The network key an insider seals with: an evicted one only ever has i; another follows the gateways.</summary>
        private NetworkKey InsiderNetworkKey(SimNode insider)
        {
            if (_newKey == null || _evictedIds.Contains(insider.Id) || _refreshPhase == PhaseStalled)
            {
                return _key;
            }

            return _refreshPhase >= 3 ? _newKey : _key;
        }

        /// <summary>An insider's forgery leaves: remembered when its sender is evicted (before or after the refresh).</summary>
        private void NoteInsiderInjection(SimNode insider, ulong message)
        {
            insider.InjectedAtUs = _nowUs;
            if (_evictedIds.Contains(insider.Id))
            {
                bool after = _refreshPhase == PhaseDone;
                _evictedInjections[message] = after;
                if (after)
                {
                    _refreshMetrics.EvictedInjectionsAfter++;
                }
                else
                {
                    _refreshMetrics.EvictedInjectionsDuring++;
                }
            }
        }

        /// <summary>
        /// At every honest core, relays included: an evicted node's injection (recognised by its sealed
        /// bytes wherever a relay carried it) that the core took, each (node, message) once; and its
        /// injections after the refresh refused for their key.
        /// </summary>
        private void NoteEvictedInjection(SimNode r, byte[] bytes, int length, RejectReason result)
        {
            ulong key = MetricsCollector.Key(LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetOrigin), LittleEndian.ReadUInt32(bytes, FrameLayout.OffsetSequence));
            if (!_evictedInjections.TryGetValue(key, out bool after) || !_forgeries.TryGetValue(key, out byte[]? sealedBytes)
                || length != FrameLayout.HeaderSize + sealedBytes.Length + FrameLayout.NetMicSize
                || !bytes.AsSpan(FrameLayout.HeaderSize, sealedBytes.Length).SequenceEqual(sealedBytes))
            {
                return;
            }

            if (result == RejectReason.None)
            {
                if (_evictedTaken.Add((r.Index, key, after)))
                {
                    if (after)
                    {
                        _refreshMetrics.EvictedInjectionsTakenAfter++;
                    }
                    else
                    {
                        _refreshMetrics.EvictedInjectionsTakenDuring++;
                    }
                }
            }
            else if (after && result == RejectReason.UnknownKey)
            {
                _refreshMetrics.EvictedRefusedUnknownKeyAfter++;
            }
        }

        /// <summary>Completes the refresh figures when the result is built.</summary>
        private void FinishKeyRefreshMetrics()
        {
            if (_scenario.KeyRefresh == null)
            {
                return;
            }

            KeyRefreshMetrics m = _refreshMetrics;
            m.Phase = _refreshPhase == PhaseDone ? 3 : _refreshPhase;
            if (_refreshStartUs < 0)
            {
                return;
            }

            long until = _refreshFinishedUs >= 0 ? _refreshFinishedUs : _nowUs;
            (m.ReadingsSentDuring, m.ReadingsDeliveredDuring) = _metrics.ReadingsSentBetween(_refreshStartUs, until);
            m.ReadingDeliveryDuring = m.ReadingsSentDuring > 0 ? Math.Round((double)m.ReadingsDeliveredDuring / m.ReadingsSentDuring, 4) : 0;
            int j = _newKey!.Index;
            m.NodesOnNewKeyOnly = 0;
            m.NodesStillHoldingOldKey = 0;
            foreach (SimNode n in _nodes)
            {
                if (n.Core == null || n.Behaviour != NodeBehaviour.Honest || n.IsSink)
                {
                    continue;
                }

                NetworkKeyRing ring = n.Core.NetworkKeys;
                if (ring.Current.Index == j && ring.Next == null)
                {
                    m.NodesOnNewKeyOnly++;
                }
                else
                {
                    m.NodesStillHoldingOldKey++;
                }
            }
        }
    }
}
