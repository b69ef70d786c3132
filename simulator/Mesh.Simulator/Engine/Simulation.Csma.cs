using System;
using Mesh.Protocol;
using Mesh.Protocol.Node;

namespace Mesh.Simulator.Engine
{
    /// <summary>Medium access: when a node with a frame due may start transmitting (random backoff, carrier sense) and when it is woken next.</summary>
    public sealed partial class Simulation
    {
        private void ScheduleWake(SimNode node)
        {
            MeshNode? core = node.Core;
            if (!node.Alive || core == null)
            {
                return;
            }

            long wakeMs = node.Runner != null ? node.RunnerNextMs : core.NextWakeMs;
            if (node.Runner != null && node.RunnerRadio!.Count > 0)
            {
                // Frames wait in the application's radio queue: come back when the radio may send.
                long radioFree = node.TransmittingUntilUs > _nowUs ? node.TransmittingUntilUs : node.AttemptAtUs;
                if (radioFree > _nowUs && (wakeMs == long.MaxValue || radioFree < node.WakeUsAt(wakeMs)))
                {
                    PushWake(node, radioFree);
                    return;
                }
            }

            if (wakeMs == long.MaxValue)
            {
                return;
            }

            long wakeUs = node.WakeUsAt(wakeMs);
            if (wakeUs <= _nowUs)
            {
                // A frame is due but waits for the radio: the end of our own transmission or the backoff.
                long radioFree = node.TransmittingUntilUs > _nowUs ? node.TransmittingUntilUs : node.AttemptAtUs;
                wakeUs = radioFree > _nowUs ? radioFree : _nowUs + 1000;
            }

            PushWake(node, wakeUs);
        }

        private void PushWake(SimNode node, long wakeUs)
        {
            if (wakeUs < node.ScheduledWakeUs)
            {
                node.WakeToken++;
                node.ScheduledWakeUs = wakeUs;
                _events.Push(wakeUs, EventKind.Wake, node.Index, (int)node.WakeToken);
                if (_events.Count >= _compactEventsAt)
                {
                    CompactEvents();
                }
            }
        }

        // Every earlier wake-up supersedes the one scheduled before it, which stays in the heap (stale,
        // ignored when popped). A node serviced often keeps re-scheduling its far-off timer (heartbeat,
        // report), so stale wake-ups pile up minutes ahead: at 10,000 nodes the heap grew by ~60,000
        // events per simulated second (24 B each), hundreds of MB within a heartbeat interval, and
        // every push and pop paid for the depth. When the heap doubles, the stale ones are dropped.
        private int _compactEventsAt = 1 << 16;

        private void CompactEvents()
        {
            // Counted as the run would have counted them when popped (a run pops every event up to its end).
            _eventCount += _events.RemoveWhere(e => e.Kind == EventKind.Wake && e.Arg != (int)_nodes[e.Node].WakeToken, _endUs);
            _compactEventsAt = Math.Max(1 << 16, Math.Max(4 * _nodes.Length, 2 * _events.Count));
        }

        /// <summary>802.11 DCF: DIFS plus a whole number of slots drawn uniformly from the contention window.</summary>
        private long Backoff(SimNode node)
        {
            return _difsUs + _slotUs * RandomExtensions.NextBelow(node.Random, _contentionWindow);
        }

        /// <summary>
        /// Carrier sense: until when this node hears the channel busy, or 0 when it hears it idle. A
        /// transmission is sensed once it has been on the air for a slot (the vulnerable window), so two
        /// nodes that start in the same slot both find the channel idle and collide.
        /// </summary>
        private long SensedBusyUntil(SimNode node)
        {
            long until = 0;
            long sensedIfStartedBy = _nowUs - _slotUs;
            Span<Incoming> incoming = _incoming.Of(node.Index);
            for (int k = 0; k < incoming.Length; k++)
            {
                ref readonly Incoming inc = ref incoming[k];
                if (inc.EndUs > _nowUs && inc.StartUs <= sensedIfStartedBy && inc.Rssi >= _carrierSenseDbm && inc.EndUs > until)
                {
                    until = inc.EndUs;
                }
            }

            if (_jammers.Any)
            {
                until = Math.Max(until, _jammers.BusyUntil(node.X, node.Y, _nowUs));
            }

            return until;
        }

        /// <summary>
        /// Listen before talk: a due frame first waits a random backoff (nodes woken by the same event
        /// must not all start in the same microsecond), then defers while the channel is busy.
        /// </summary>
        private void TryTransmit(SimNode node)
        {
            MeshNode core = node.Core!;
            bool due = node.RunnerRadio != null ? node.RunnerRadio.Count > 0 : core.NextTransmitMs <= node.Clock.LocalMs(_nowUs);
            if (!due)
            {
                node.AttemptAtUs = 0;
                return;
            }

            if (node.TransmittingUntilUs > _nowUs)
            {
                return; // the end of our transmission brings us back
            }

            if (node.AttemptAtUs == 0)
            {
                node.AttemptAtUs = _nowUs + Backoff(node);
                return;
            }

            if (_nowUs < node.AttemptAtUs)
            {
                return;
            }

            if (_scenario.Radio.Csma)
            {
                long busyUntil = SensedBusyUntil(node);
                if (busyUntil > _nowUs)
                {
                    node.AttemptAtUs = busyUntil + Backoff(node);
                    return;
                }
            }

            node.AttemptAtUs = 0;
            int tx = AllocateTransmission(node.Index);
            int length;
            bool taken = node.RunnerRadio != null
                ? node.RunnerRadio.TryTake(_txBytes[tx], out length)
                : core.TryTakeTransmit(node.Clock.LocalMs(_nowUs), _txBytes[tx], 0, out length);
            if (taken)
            {
                if (IsSuppressedHeartbeat(node, _txBytes[tx], ref length))
                {
                    _txFree.Push(tx);
                    TryTransmit(node); // the next frame, if one is due, starts its backoff now
                    return;
                }

                _txLength[tx] = length;
                BeginTransmission(node, tx);
            }
            else
            {
                _txFree.Push(tx);
            }
        }
    }
}
