using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Model;
using Mesh.Protocol;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// The gateway's seat in the mesh: a bridge-role <see cref="MeshNode"/> driven by one loop that
    /// owns it (the core is single-threaded by design). Transports feed an inbox; the loop hands frames
    /// to the node, sends what it returns to every transport, and turns delivered messages into
    /// readings, heartbeats and command outcomes for the listeners.
    /// </summary>
    public sealed partial class MeshGateway : IMetricsSource
    {
        private readonly MeshNode _node;
        private readonly ushort _network;
        private readonly IReadOnlyList<IFrameTransport> _transports;
        private readonly IReadOnlyList<IMeshListener> _listeners;
        private readonly TimeProvider _time;
        private readonly long _startTimestamp;
        private readonly ILogger _logger;
        private readonly SequenceStore _sequences;
        private readonly Channel<object> _inbox = Channel.CreateBounded<object>(new BoundedChannelOptions(16_384)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });

        // Set after every write to the inbox; the mesh loop sleeps on it (no spinning: on two shared cores a spin takes the core from the writer).
        private readonly ManualResetEventSlim _wake = new(false, spinCount: 0);
        private readonly MeshEventDecoder _decoder = new();
        private readonly MeshEvent _event = new();
        private readonly byte[] _transmit = new byte[FrameLayout.MaxFrameSize];

        // Each frame's outcome when a bundle arrives: the mesh loop's own (Handle runs only on it).
        private readonly RejectReason[] _reasons = new RejectReason[FrameLayout.MaxBundleFrames];
        private readonly Dictionary<ushort, PendingCommand> _pending = new();
        private readonly ConcurrentDictionary<string, long> _framesIn = new();
        private readonly ConcurrentDictionary<string, long> _framesOut = new();
        private readonly long[] _rejected = new long[RejectReasons.Count];

        // (origin, sequence) of recent frames heard on a shared-medium transport, with a bit per transport,
        // so the loop does not relay them back where every endpoint already heard them. Fixed size and
        // lossy by design: a slot overwritten early costs one redundant relay, never a lost frame.
        private readonly ulong[] _heardKeys = new ulong[8192];
        private readonly int[] _heardOn = new int[8192];
        private long _relaysSuppressed;
        private int _keyIndex;
        private int _keyPhase;

        public MeshGateway(
            NodeConfig config,
            NetworkKey key,
            IRandomSource random,
            IReadOnlyList<IFrameTransport> transports,
            IReadOnlyList<IMeshListener> listeners,
            SequenceStore sequences,
            TimeProvider time,
            ILogger<MeshGateway> logger)
        {
            _time = time;
            _startTimestamp = time.GetTimestamp();
            _sequences = sequences;
            config.InitialSequence = sequences.Load();
            _node = new MeshNode(config, key, random, 0);
            SnapshotKeys();
            SaveCheckpoint();
            _network = config.NetworkId;
            _transports = transports;
            _listeners = listeners;
            _logger = logger;
        }

        public uint NodeId => _node.NodeId;

        /// <summary>Restores a node's persisted newest sequence (before <see cref="RunAsync"/>: the core is single-threaded).</summary>
        public void RememberSequence(uint node, uint sequence) => _node.RememberSequence(node, sequence);

        public ushort NetworkId => _network;

        public async Task RunAsync(CancellationToken cancellationToken)
        {
            var pumps = new List<Task>();
            foreach (IFrameTransport t in _transports)
            {
                pumps.Add(t is IBlockingFrameReceiver blocking ? ReceiveOnThread(t, blocking, cancellationToken) : PumpAsync(t, cancellationToken));
            }

            try
            {
                await DedicatedThread.Start("mesh loop", () => Loop(cancellationToken)).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
            }
            finally
            {
                _inbox.Writer.TryComplete();
                foreach (PendingCommand p in _pending.Values)
                {
                    p.Completion.TrySetResult(Refused(p.Request, "gateway stopped"));
                }

                try
                {
                    await Task.WhenAll(pumps).ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        /// <summary>Stores the core's checkpoint and confirms it: the core sends nothing beyond a stored checkpoint.</summary>
        private void SaveCheckpoint()
        {
            if (_node.CheckpointDue)
            {
                uint checkpoint = _node.SequenceCheckpoint;
                _sequences.Save(checkpoint);
                _node.ConfirmCheckpoint(checkpoint);
            }
        }

        private long NowMs() => (long)_time.GetElapsedTime(_startTimestamp).TotalMilliseconds;

        /// <summary>
        /// The mesh loop, on a thread of its own (<see cref="DedicatedThread"/>): under load it never waits (frames
        /// keep arriving), and as a thread-pool task it held a worker for the whole burst. It sleeps on
        /// <see cref="_wake"/>, which whoever writes to the inbox sets: a frame from the receive thread wakes it
        /// directly, without a thread-pool hop in between.
        /// </summary>
        private void Loop(CancellationToken cancellationToken)
        {
            ChannelReader<object> reader = _inbox.Reader;
            while (!cancellationToken.IsCancellationRequested)
            {
                while (reader.TryRead(out object? item))
                {
                    Handle(item, NowMs());
                }

                long now = NowMs();
                _node.Poll(now);
                Drain(now);
                ValueTask flush = FlushAsync(now, cancellationToken);
                if (!flush.IsCompletedSuccessfully)
                {
                    flush.AsTask().GetAwaiter().GetResult(); // a transport whose send did not complete at once (serial)
                }

                SaveCheckpoint();

                long wake = _node.NextWakeMs;
                long delay = wake == long.MaxValue ? 1000 : Math.Clamp(wake - NowMs(), 0, 1000);
                if (delay > 0)
                {
                    // Reset before looking: an item written after the look sets the event again, so none is slept through.
                    _wake.Reset();
                    if (reader.Count == 0)
                    {
                        _wake.Wait(TimeSpan.FromMilliseconds(delay), cancellationToken);
                    }
                }
            }
        }

        private void NoteOutcome(FrameIn f, RejectReason r)
        {
            if (r != RejectReason.None && r != RejectReason.Duplicate && r != RejectReason.OwnFrame)
            {
                Interlocked.Increment(ref _rejected[(int)r]);
                foreach (IMeshListener l in _listeners)
                {
                    Safe(() => l.OnFrameRejected(f.Transport, r));
                }
            }
            else if (r != RejectReason.None)
            {
                Interlocked.Increment(ref _rejected[(int)r]);
            }
        }

        private void Handle(object item, long now)
        {
            switch (item)
            {
                case FrameIn f:
                    RememberHeardOn(f);
                    _node.Receive(f.Frame, 0, f.Length, f.Rssi, now, _reasons);
                    // Every frame of a bundle is reported: a forged one must not hide behind an authentic first frame.
                    int frames = FrameCodec.FramesIn(f.Frame, 0, f.Length);
                    for (int i = 0; i < frames; i++)
                    {
                        NoteOutcome(f, _reasons[i]);
                    }

                    Drain(now);
                    break;

                case CommandRequest c:
                    SendCommand(c, now);
                    break;

                case KeyRingChange k:
                    bool changed = k.Change(_node.NetworkKeys);
                    SnapshotKeys();
                    k.Completion.TrySetResult(changed);
                    break;
            }
        }

        private sealed record FrameIn(string Transport, byte[] Frame, int Length, int Rssi);

        private sealed record CommandRequest(uint Node, CommandKind Kind, byte[] Args, TaskCompletionSource<CommandOutcome> Completion);

        private sealed record KeyRingChange(Func<NetworkKeyRing, bool> Change, TaskCompletionSource<bool> Completion);

        private sealed record PendingCommand(CommandRequest Request, ushort Id, DateTimeOffset SentAt, TaskCompletionSource<CommandOutcome> Completion);
    }
}
