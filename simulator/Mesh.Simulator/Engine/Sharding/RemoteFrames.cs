using System;

namespace Mesh.Simulator.Engine
{
    /// <summary>A transmission posted to another shard: who sent it, when it is on the air, and where its bytes are.</summary>
    internal struct RemoteFrame
    {
        public int Sender;
        public int Offset;
        public int Length;
        public long StartUs;
        public long EndUs;
    }

    /// <summary>The frames one shard posted to another during one window, their bytes in one growing buffer.</summary>
    internal sealed class RemoteFrames
    {
        private RemoteFrame[] _frames = new RemoteFrame[64];
        private byte[] _bytes = new byte[64 * 256];
        private int _used;

        public int Count { get; private set; }

        public byte[] Bytes => _bytes;

        public ref readonly RemoteFrame this[int k] => ref _frames[k];

        public void Add(int sender, byte[] frame, int length, long startUs, long endUs)
        {
            if (Count == _frames.Length)
            {
                Array.Resize(ref _frames, _frames.Length * 2);
            }

            if (_used + length > _bytes.Length)
            {
                Array.Resize(ref _bytes, Math.Max(_bytes.Length * 2, _used + length));
            }

            Array.Copy(frame, 0, _bytes, _used, length);
            _frames[Count++] = new RemoteFrame { Sender = sender, Offset = _used, Length = length, StartUs = startUs, EndUs = endUs };
            _used += length;
        }

        public void Clear()
        {
            Count = 0;
            _used = 0;
        }
    }

    /// <summary>
    /// Frames between shards, in a ring of buffers by window (<see cref="WindowProgress.Ring"/>): during
    /// window k a shard posts into buffer k while the receiving shard reads, at the start of its window
    /// k, what was posted during window k − 1 (and clears it).
    /// </summary>
    internal sealed class ShardMailbox
    {
        private readonly RemoteFrames[,,] _boxes;

        public ShardMailbox(int shards)
        {
            _boxes = new RemoteFrames[WindowProgress.Ring, shards, shards];
            for (int p = 0; p < WindowProgress.Ring; p++)
            {
                for (int from = 0; from < shards; from++)
                {
                    for (int to = 0; to < shards; to++)
                    {
                        _boxes[p, from, to] = new RemoteFrames();
                    }
                }
            }
        }

        public void Post(long window, int from, int to, int sender, byte[] frame, int length, long startUs, long endUs)
        {
            _boxes[window % WindowProgress.Ring, from, to].Add(sender, frame, length, startUs, endUs);
        }

        /// <summary>What <paramref name="from"/> posted to <paramref name="to"/> in the window before <paramref name="window"/>.</summary>
        public RemoteFrames Read(long window, int from, int to) => _boxes[(window + WindowProgress.Ring - 1) % WindowProgress.Ring, from, to];
    }
}
