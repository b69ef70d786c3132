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
    public sealed class MeshGateway : IMetricsSource
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

        /// <summary>Frames received per transport (thread-safe snapshot source for /metrics).</summary>
        public IReadOnlyDictionary<string, long> FramesIn => _framesIn;

        public IReadOnlyDictionary<string, long> FramesOut => _framesOut;

        /// <summary>Rejections by reason, indexed by <see cref="RejectReason"/>; read with Volatile/Interlocked semantics.</summary>
        public long RejectedCount(RejectReason reason) => Interlocked.Read(ref _rejected[(int)reason]);

        public int InboxDepth => _inbox.Reader.Count;

        /// <summary>Frames not relayed back onto the shared medium they were heard on.</summary>
        public long RelaysSuppressed => Interlocked.Read(ref _relaysSuppressed);

        /// <summary>Sends a command to a node; completes with its acknowledgement, its timeout, or a local refusal.</summary>
        public Task<CommandOutcome> SendCommandAsync(uint node, CommandKind kind, byte[] args, CancellationToken cancellationToken)
        {
            var request = new CommandRequest(node, kind, args, new TaskCompletionSource<CommandOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!_inbox.Writer.TryWrite(request))
            {
                return Task.FromResult(Refused(request, "gateway inbox is full or stopped"));
            }

            _wake.Set();

            return request.Completion.Task.WaitAsync(cancellationToken);
        }

        /// <summary>Index of the network key the gateway sends under now (thread-safe snapshot).</summary>
        public int NetworkKeyIndex => Volatile.Read(ref _keyIndex);

        /// <summary>Its key ring's refresh phase: 0 one key, 1 a new key accepted beside it, 2 the new key sent (thread-safe snapshot).</summary>
        public int NetworkKeyPhase => Volatile.Read(ref _keyPhase);

        /// <summary>
        /// Restores the gateway's key ring to where a key refresh left it before a restart (before
        /// <see cref="RunAsync"/>: the core is single-threaded): <paramref name="next"/> accepted beside
        /// the current key, and sent when <paramref name="phase"/> is 2.
        /// </summary>
        public void RestoreKeyRefresh(NetworkKey next, int phase)
        {
            if (!_node.NetworkKeys.Distribute(next) || (phase == NetworkKeyRing.PhaseSwitched && !_node.NetworkKeys.Advance(next.Index, phase)))
            {
                throw new InvalidOperationException($"the stored key refresh (index {next.Index}, phase {phase}) does not fit the current network key (index {_node.NetworkKeys.Current.Index})");
            }

            SnapshotKeys();
        }

        /// <summary>
        /// Changes the gateway's own network key ring on the mesh loop (key refresh: <see cref="NetworkKeyRing.Distribute"/>,
        /// <see cref="NetworkKeyRing.Advance"/>); completes with what <paramref name="change"/> returned.
        /// </summary>
        public Task<bool> ChangeNetworkKeysAsync(Func<NetworkKeyRing, bool> change, CancellationToken cancellationToken)
        {
            var request = new KeyRingChange(change, new TaskCompletionSource<bool>(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!_inbox.Writer.TryWrite(request))
            {
                throw new InvalidOperationException("the gateway's mesh loop is stopped or its inbox is full");
            }

            _wake.Set();

            return request.Completion.Task.WaitAsync(cancellationToken);
        }

        private void SnapshotKeys()
        {
            Volatile.Write(ref _keyIndex, _node.NetworkKeys.Transmit.Index);
            Volatile.Write(ref _keyPhase, _node.NetworkKeys.Phase);
        }

        /// <summary>Hands a frame to the loop as if a transport had received it (tests, in-process bridges).</summary>
        public async ValueTask InjectAsync(string transport, byte[] frame, int length, int rssi, CancellationToken cancellationToken)
        {
            await _inbox.Writer.WriteAsync(new FrameIn(transport, frame, length, rssi), cancellationToken).ConfigureAwait(false);
            _wake.Set();
        }

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

        private async Task PumpAsync(IFrameTransport transport, CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ReceivedFrame f;
                try
                {
                    f = await transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // A transport hiccup (serial unplugged, socket error) must not stop the others.
                    _logger.LogWarning(ex, "transport {Transport}: receive failed; retrying in 1 s", transport.Name);
                    await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                _framesIn.AddOrUpdate(transport.Name, 1, (_, v) => v + 1);
                await _inbox.Writer.WriteAsync(new FrameIn(transport.Name, f.Frame, f.Length, f.Rssi), cancellationToken).ConfigureAwait(false);
                _wake.Set();
            }
        }

        /// <summary>
        /// Reads a transport with blocking calls on a thread of its own (see <see cref="IBlockingFrameReceiver"/>)
        /// and hands each frame to the inbox; completes when the thread ends (cancellation).
        /// </summary>
        private Task ReceiveOnThread(IFrameTransport transport, IBlockingFrameReceiver receiver, CancellationToken cancellationToken) =>
            DedicatedThread.Start("mesh " + transport.Name + " receive", () => ReceiveLoop(transport, receiver, cancellationToken));

        private void ReceiveLoop(IFrameTransport transport, IBlockingFrameReceiver receiver, CancellationToken cancellationToken)
        {
            // Wakes at least every 250 ms to notice cancellation (a blocking receive does not watch the token).
            TimeSpan wait = TimeSpan.FromMilliseconds(250);
            ChannelWriter<object> inbox = _inbox.Writer;
            while (!cancellationToken.IsCancellationRequested)
            {
                ReceivedFrame f;
                try
                {
                    if (!receiver.TryReceive(wait, out f))
                    {
                        continue;
                    }
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    return; // the transport was closed at shutdown
                }
                catch (Exception ex)
                {
                    // A transport hiccup (socket error) must not stop the others.
                    _logger.LogWarning(ex, "transport {Transport}: receive failed; retrying in 1 s", transport.Name);
                    cancellationToken.WaitHandle.WaitOne(1000);
                    continue;
                }

                _framesIn.AddOrUpdate(transport.Name, 1, (_, v) => v + 1);
                var item = new FrameIn(transport.Name, f.Frame, f.Length, f.Rssi);
                if (!inbox.TryWrite(item))
                {
                    try
                    {
                        // Inbox full: this thread waits (as the asynchronous pump did); the kernel's socket buffer queues meanwhile.
                        inbox.WriteAsync(item, cancellationToken).AsTask().GetAwaiter().GetResult();
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
                    {
                        return;
                    }
                }

                _wake.Set();
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

        private void Handle(object item, long now)
        {
            switch (item)
            {
                case FrameIn f:
                    RememberHeardOn(f);
                    RejectReason r = _node.Receive(f.Frame, 0, f.Length, f.Rssi, now);
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

        /// <summary>Stores what commands to this gateway change in its core (null: nothing stored, as in the demo).</summary>
        public ICommandedSettings? CommandedSettings { get; init; }

        /// <summary>Commands waiting for one node's acknowledgement at most; more are refused at once (Mesh:MaxPendingCommandsPerNode).</summary>
        public int MaxPendingPerNode { get; init; } = 4;

        private void SendCommand(CommandRequest c, long now)
        {
            // A dead node holds each of its commands for the whole retry schedule: without a per-node bound
            // a burst of commands to it takes every slot and starves the live nodes.
            int waiting = 0;
            foreach (PendingCommand p in _pending.Values)
            {
                waiting += p.Request.Node == c.Node ? 1 : 0;
            }

            if (waiting >= MaxPendingPerNode)
            {
                DateTimeOffset at = _time.GetUtcNow();
                c.Completion.TrySetResult(new CommandOutcome(c.Node, MeshEventDecoder.CommandName(c.Kind), 0, CommandState.Rejected, "node_busy", at, at,
                    $"node {c.Node} already has {waiting} commands waiting for an acknowledgement (Mesh:MaxPendingCommandsPerNode); try again when they complete"));
                return;
            }

            SendResult result = _node.SendCommand(c.Node, c.Kind, c.Args, 0, c.Args.Length, now, out ushort id);
            if (result != SendResult.Queued)
            {
                c.Completion.TrySetResult(Refused(c, "not sent: " + result));
                return;
            }

            _pending[id] = new PendingCommand(c, id, _time.GetUtcNow(), c.Completion);
        }

        private CommandOutcome Refused(CommandRequest c, string why)
        {
            DateTimeOffset at = _time.GetUtcNow();
            return new CommandOutcome(c.Node, MeshEventDecoder.CommandName(c.Kind), 0, CommandState.Rejected, "not_sent", at, at, why);
        }

        private void Drain(long now)
        {
            while (_node.TryTakeEvent(_event))
            {
                DateTimeOffset at = _time.GetUtcNow();
                switch (_event.Kind)
                {
                    case MeshEventKind.Message:
                        Deliver(at);
                        break;
                    case MeshEventKind.CommandAcknowledged:
                    case MeshEventKind.CommandTimedOut:
                        Complete(at);
                        break;
                    case MeshEventKind.SettingsChanged:
                        // Another gateway commanded this one (it was provisioned from it): stored before the ack
                        // leaves (the loop flushes after draining), as a board stores it.
                        try
                        {
                            CommandedSettings?.Persist(_event);
                        }
                        catch (Exception ex)
                        {
                            _logger.LogError(ex, "a setting changed by command was not stored; it is lost at the next restart");
                        }

                        SnapshotKeys();
                        break;
                }
            }
        }

        private void Deliver(DateTimeOffset at)
        {
            switch (_event.Type)
            {
                case MessageType.Readings:
                    IReadOnlyList<SensorReading> readings = _decoder.Readings(_network, _event, at);
                    if (readings.Count > 0)
                    {
                        // Per reading: a plain try/catch, no closure allocated per listener.
                        foreach (IMeshListener l in _listeners)
                        {
                            try
                            {
                                l.OnReadings(readings);
                            }
                            catch (Exception ex)
                            {
                                ListenerFailed(ex);
                            }
                        }
                    }

                    break;
                case MessageType.Heartbeat:
                    NodeHeartbeat? hb = _decoder.Heartbeat(_network, _event, at);
                    if (hb != null)
                    {
                        foreach (IMeshListener l in _listeners)
                        {
                            Safe(() => l.OnHeartbeat(hb));
                        }
                    }

                    break;
                case MessageType.Text:
                    string text = MeshEventDecoder.Text(_event);
                    uint origin = _event.Origin;
                    foreach (IMeshListener l in _listeners)
                    {
                        Safe(() => l.OnText(_network, origin, text));
                    }

                    break;
            }
        }

        private void Complete(DateTimeOffset at)
        {
            if (!_pending.Remove(_event.CommandId, out PendingCommand? p))
            {
                return;
            }

            bool acked = _event.Kind == MeshEventKind.CommandAcknowledged;
            var outcome = new CommandOutcome(p.Request.Node, MeshEventDecoder.CommandName(p.Request.Kind), p.Id,
                acked ? CommandState.Acknowledged : CommandState.TimedOut,
                acked ? MeshEventDecoder.StatusName(_event.CommandStatus) : "timeout",
                p.SentAt, at);
            p.Completion.TrySetResult(outcome);
            foreach (IMeshListener l in _listeners)
            {
                Safe(() => l.OnCommandOutcome(outcome));
            }
        }

        private static bool TryKey(byte[] frame, int length, out ulong key)
        {
            key = 0;
            if (length < FrameLayout.HeaderSize)
            {
                return false;
            }

            uint origin = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(FrameLayout.OffsetOrigin));
            uint sequence = System.Buffers.Binary.BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(FrameLayout.OffsetSequence));
            key = ((ulong)origin << 32) | sequence;
            return true;
        }

        private static int Slot(ulong key) => (int)((key * 0x9E3779B97F4A7C15UL) >> 51); // 13 bits: 8192 slots

        private void RememberHeardOn(FrameIn f)
        {
            int index = -1;
            for (int i = 0; i < _transports.Count; i++)
            {
                if (_transports[i].Name == f.Transport && _transports[i].IsSharedMedium)
                {
                    index = i;
                }
            }

            if (index < 0 || !TryKey(f.Frame, f.Length, out ulong key))
            {
                return;
            }

            int slot = Slot(key);
            if (_heardKeys[slot] != key)
            {
                _heardKeys[slot] = key;
                _heardOn[slot] = 0;
            }

            _heardOn[slot] |= 1 << Math.Min(index, 30);
        }

        /// <summary>True when <paramref name="frame"/> originated elsewhere and was heard on shared-medium transport <paramref name="index"/>.</summary>
        private bool HeardOn(byte[] frame, int length, int index)
        {
            if (!TryKey(frame, length, out ulong key) || (uint)(key >> 32) == _node.NodeId)
            {
                return false;
            }

            int slot = Slot(key);
            return _heardKeys[slot] == key && (_heardOn[slot] & (1 << Math.Min(index, 30))) != 0;
        }

        private async ValueTask FlushAsync(long now, CancellationToken cancellationToken)
        {
            while (_node.TryTakeTransmit(now, _transmit, 0, out int length))
            {
                var frame = new ReadOnlyMemory<byte>(_transmit, 0, length);
                for (int i = 0; i < _transports.Count; i++)
                {
                    IFrameTransport t = _transports[i];
                    if (t.IsSharedMedium && HeardOn(_transmit, length, i))
                    {
                        Interlocked.Increment(ref _relaysSuppressed);
                        continue;
                    }

                    try
                    {
                        await t.SendAsync(frame, cancellationToken).ConfigureAwait(false);
                        _framesOut.AddOrUpdate(t.Name, 1, (_, v) => v + 1);
                    }
                    catch (Exception ex) when (ex is not OperationCanceledException)
                    {
                        _logger.LogWarning(ex, "transport {Transport}: send failed", t.Name);
                    }
                }
            }
        }

        private void Safe(Action action)
        {
            try
            {
                action();
            }
            catch (Exception ex)
            {
                ListenerFailed(ex);
            }
        }

        private void ListenerFailed(Exception ex) => _logger.LogError(ex, "a mesh listener failed; the mesh loop continues");

        public void WriteMetrics(System.Text.StringBuilder o)
        {
            o.Append("# HELP mesh_gateway_frames_in_total Frames received from the mesh, by transport.\n");
            o.Append("# TYPE mesh_gateway_frames_in_total counter\n");
            foreach (KeyValuePair<string, long> kv in _framesIn)
            {
                o.Append("mesh_gateway_frames_in_total{transport=\"").Append(kv.Key).Append("\"} ").Append(kv.Value).Append('\n');
            }

            o.Append("# HELP mesh_gateway_frames_out_total Frames sent into the mesh, by transport.\n");
            o.Append("# TYPE mesh_gateway_frames_out_total counter\n");
            foreach (KeyValuePair<string, long> kv in _framesOut)
            {
                o.Append("mesh_gateway_frames_out_total{transport=\"").Append(kv.Key).Append("\"} ").Append(kv.Value).Append('\n');
            }

            o.Append("# HELP mesh_gateway_frames_rejected_total Frames not accepted, by reason (duplicates are normal in a flooding mesh).\n");
            o.Append("# TYPE mesh_gateway_frames_rejected_total counter\n");
            for (int i = 1; i < RejectReasons.Count; i++)
            {
                o.Append("mesh_gateway_frames_rejected_total{reason=\"").Append(RejectReasons.Label((RejectReason)i)).Append("\"} ")
                    .Append(RejectedCount((RejectReason)i)).Append('\n');
            }

            o.Append("# HELP mesh_gateway_relays_not_sent_total Frames not relayed back onto the shared medium (UDP group) they were heard on.\n");
            o.Append("# TYPE mesh_gateway_relays_not_sent_total counter\n");
            o.Append("mesh_gateway_relays_not_sent_total ").Append(Interlocked.Read(ref _relaysSuppressed)).Append('\n');

            o.Append("# HELP mesh_gateway_inbox_depth Frames and commands waiting for the mesh loop.\n");
            o.Append("# TYPE mesh_gateway_inbox_depth gauge\n");
            o.Append("mesh_gateway_inbox_depth ").Append(InboxDepth).Append('\n');
        }

        private sealed record FrameIn(string Transport, byte[] Frame, int Length, int Rssi);

        private sealed record CommandRequest(uint Node, CommandKind Kind, byte[] Args, TaskCompletionSource<CommandOutcome> Completion);

        private sealed record KeyRingChange(Func<NetworkKeyRing, bool> Change, TaskCompletionSource<bool> Completion);

        private sealed record PendingCommand(CommandRequest Request, ushort Id, DateTimeOffset SentAt, TaskCompletionSource<CommandOutcome> Completion);
    }
}
