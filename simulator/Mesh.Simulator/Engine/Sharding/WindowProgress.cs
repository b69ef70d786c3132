using System;
using System.Threading;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// Which window each shard has finished, and which windows' metrics have been replayed. A shard
    /// may start window k once every other shard has finished window k − 1 (it needs the frames they
    /// posted then), so shards drift up to a window apart instead of meeting at a barrier after every
    /// window: a shard with a busy window delays the others only when it falls a whole window behind.
    /// Buffers indexed by window (posted frames, metrics logs) are rings of <see cref="Ring"/>.
    /// </summary>
    internal sealed class WindowProgress
    {
        /// <summary>
        /// Windows a buffer ring holds: a shard writes window k's while another still reads window
        /// k − 1's and the replay may not yet have taken window k − 2's.
        /// </summary>
        public const int Ring = 3;

        // Busy-wait rounds before yielding: ~8 pause instructions each, tens of microseconds in all.
        private const int BusySpins = 2000;

        // One cache line (8 longs) per shard, so that shards publishing their progress do not contend.
        private const int Stride = 8;

        private readonly long[] _finished;
        private readonly int _shards;
        private long _replayed = -1;
        private volatile bool _broken;

        public WindowProgress(int shards)
        {
            _shards = shards;
            _finished = new long[shards * Stride];
            for (int s = 0; s < shards; s++)
            {
                _finished[s * Stride] = -1;
            }
        }

        /// <summary>Windows whose metrics have been replayed: 0 … this.</summary>
        public long Replayed => Volatile.Read(ref _replayed);

        /// <summary>The last window every shard has finished.</summary>
        public long AllFinished
        {
            get
            {
                long min = long.MaxValue;
                for (int s = 0; s < _shards; s++)
                {
                    min = Math.Min(min, Volatile.Read(ref _finished[s * Stride]));
                }

                return min;
            }
        }

        public void Finished(int shard, long window) => Volatile.Write(ref _finished[shard * Stride], window);

        public void NoteReplayed(long window) => Volatile.Write(ref _replayed, window);

        /// <summary>Waits until <paramref name="shard"/> may start <paramref name="window"/>: every other shard has finished the one before, and the window whose buffers it will reuse has been replayed.</summary>
        public void WaitToStart(int shard, long window)
        {
            // Busy-waits first (shards are normally microseconds apart, and giving the core away costs
            // more), then yields it, in case this machine has fewer free cores than the run has threads.
            var spin = new SpinWait();
            int busy = 0;
            while (!MayStart(shard, window))
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

        private bool MayStart(int shard, long window)
        {
            if (Volatile.Read(ref _replayed) < window - Ring)
            {
                return false;
            }

            for (int s = 0; s < _shards; s++)
            {
                if (s != shard && Volatile.Read(ref _finished[s * Stride]) < window - 1)
                {
                    return false;
                }
            }

            return true;
        }
    }
}
