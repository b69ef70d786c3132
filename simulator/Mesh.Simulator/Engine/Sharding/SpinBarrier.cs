using System;
using System.Threading;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// The barrier between windows of a sharded run: windows last well under a millisecond of wall
    /// time, so the shards spin (yielding the core when it is oversubscribed) rather than sleep. A shard
    /// that fails breaks the barrier for all, so that none waits forever.
    /// </summary>
    internal sealed class SpinBarrier
    {
        // Busy-wait rounds before yielding: ~8 pause instructions each, tens of microseconds in all.
        private const int BusySpins = 500;

        private readonly int _participants;
        private int _arrived;
        private volatile int _generation;
        private volatile bool _broken;

        public SpinBarrier(int participants)
        {
            _participants = participants;
        }

        /// <summary>Runs <paramref name="last"/> on the last thread to arrive, before any is released.</summary>
        public void SignalAndWait(Action? last = null)
        {
            int generation = _generation;
            if (Interlocked.Increment(ref _arrived) == _participants)
            {
                try
                {
                    last?.Invoke();
                }
                catch
                {
                    _broken = true;
                    throw;
                }
                finally
                {
                    _arrived = 0;
                    _generation = generation + 1;
                }

                return;
            }

            // Busy-wait first (a window's imbalance is microseconds, and giving the core away costs more),
            // then yield it, in case this machine has fewer free cores than the run has shards.
            var spin = new SpinWait();
            int busy = 0;
            while (_generation == generation)
            {
                if (_broken)
                {
                    throw new OperationCanceledException("another shard of the run failed");
                }

                if (busy < BusySpins)
                {
                    busy++;
                    Thread.SpinWait(8);
                }
                else
                {
                    spin.SpinOnce(sleep1Threshold: -1);
                }
            }
        }

        public void Break() => _broken = true;
    }
}
