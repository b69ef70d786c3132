using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Mesh.Gateway.Model;
using Mesh.Protocol.Wire;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.History
{
    /// <summary>
    /// Feeds the mesh into a <see cref="HistoryStore"/> without ever making the mesh loop wait: listener calls
    /// only check and queue the record (a bounded channel of <see cref="HistoryOptions.QueueCapacity"/>
    /// records; when it is full new records are refused, counted and logged). One task, started by the
    /// constructor, takes everything waiting, up to <see cref="HistoryOptions.BatchSize"/> rows, and writes
    /// it in one transaction with prepared statements; it applies retention at start and every
    /// <see cref="HistoryOptions.RetentionIntervalMinutes"/>.
    /// </summary>
    /// <remarks>
    /// A failing write (disk full, database locked by another program, I/O error) is logged with its reason
    /// and retried with the same rows, waiting 0.5 s, 1 s, 2 s ... up to <see cref="HistoryOptions.MaxRetryDelaySeconds"/>;
    /// the queue keeps filling meanwhile. A record the database refuses as such (it cannot succeed on retry)
    /// is logged and dropped alone; the rest of its batch is stored. <see cref="StopAsync"/> /
    /// <see cref="DisposeAsync"/> stop accepting and store everything already accepted; only if that is
    /// still failing when the stop token fires (dispose: <see cref="HistoryOptions.ShutdownTimeoutSeconds"/>)
    /// is the remainder given up, and its size logged (a write already waiting for a lock finishes waiting
    /// first, so this can overrun by up to <see cref="HistoryOptions.BusyTimeoutSeconds"/>). The writer does not own the store.
    /// </remarks>
    public sealed class HistoryWriter : IMeshListener, IMetricsSource, IAsyncDisposable
    {
        private static readonly TimeSpan FirstRetryDelay = TimeSpan.FromMilliseconds(500);
        private static readonly TimeSpan FailedRetentionRetry = TimeSpan.FromMinutes(1);
        private const int GroupCommitRecords = 5_000; // this many waiting: write at once (see GatherGroup)
        private const int GroupCommitWindowMs = 200;

        private readonly HistoryStore _store;
        private readonly HistoryOptions _options;
        private readonly ILogger _logger;
        private readonly TimeProvider _time;
        private readonly Channel<object> _queue;
        private readonly CancellationTokenSource _abandon = new();
        private readonly Task _loop;
        private DateTimeOffset _nextRetention;
        private long _acceptedReadings;
        private long _writtenReadings;
        private long _writtenRecords;
        private long _dropped;
        private long _invalid;
        private long _lost;
        private long _writeErrors;
        private long _lastDropLog = long.MinValue / 2;
        private long _lastInvalidLog = long.MinValue / 2;
        private volatile bool _stopping;
        private int _disposed;

        public HistoryWriter(HistoryStore store, ILogger<HistoryWriter> logger, TimeProvider? time = null)
        {
            ArgumentNullException.ThrowIfNull(store);
            ArgumentNullException.ThrowIfNull(logger);
            _store = store;
            _options = store.Options;
            _logger = logger;
            _time = time ?? TimeProvider.System;
            _queue = Channel.CreateBounded<object>(new BoundedChannelOptions(_options.QueueCapacity)
            {
                SingleReader = true,
                SingleWriter = false,
                FullMode = BoundedChannelFullMode.Wait, // TryWrite fails when full; the mesh loop never waits
            });
            _nextRetention = _time.GetUtcNow();
            _loop = Hosting.DedicatedThread.Start("history writer", Run);
        }

        /// <summary>Records (reading lists, heartbeats, ...) waiting to be written.</summary>
        public int QueueDepth => _queue.Reader.Count;

        /// <summary>Readings accepted into the queue.</summary>
        public long ReadingsAccepted => Interlocked.Read(ref _acceptedReadings);

        /// <summary>Readings committed to the database.</summary>
        public long ReadingsWritten => Interlocked.Read(ref _writtenReadings);

        /// <summary>Records (reading lists, heartbeats, ...) committed to the database.</summary>
        public long RecordsWritten => Interlocked.Read(ref _writtenRecords);

        /// <summary>Records refused because the queue was full or the writer stopped.</summary>
        public long RecordsDropped => Interlocked.Read(ref _dropped);

        /// <summary>Records refused as malformed, on arrival or by the database.</summary>
        public long RecordsInvalid => Interlocked.Read(ref _invalid);

        /// <summary>Accepted records given up at shutdown because writing still failed.</summary>
        public long RecordsLost => Interlocked.Read(ref _lost);

        /// <summary>Failed write attempts (each is retried).</summary>
        public long WriteErrors => Interlocked.Read(ref _writeErrors);

        public void OnReadings(IReadOnlyList<SensorReading> readings)
        {
            if (readings == null || readings.Count == 0)
            {
                return;
            }

            // Copied: the caller may reuse its list once this returns.
            var copy = new SensorReading[readings.Count];
            int n = 0;
            foreach (SensorReading r in readings)
            {
                string? problem = HistoryBatch.Check(r);
                if (problem != null)
                {
                    Invalid(problem);
                    continue;
                }

                copy[n++] = r;
            }

            if (n == 0)
            {
                return;
            }

            if (n < copy.Length)
            {
                Array.Resize(ref copy, n);
            }

            if (Enqueue(copy))
            {
                Interlocked.Add(ref _acceptedReadings, n);
            }
        }

        public void OnHeartbeat(NodeHeartbeat heartbeat)
        {
            string? problem = HistoryBatch.Check(heartbeat);
            if (problem != null)
            {
                Invalid(problem);
                return;
            }

            // Neighbours copied for the same reason as readings.
            Enqueue(heartbeat with { Neighbours = new List<NeighbourLink>(heartbeat.Neighbours) });
        }

        public void OnCommandOutcome(CommandOutcome outcome)
        {
            string? problem = HistoryBatch.Check(outcome);
            if (problem != null)
            {
                Invalid(problem);
                return;
            }

            Enqueue(outcome);
        }

        public void OnText(ushort network, uint node, string text)
        {
            if (text == null)
            {
                Invalid($"text from node {node} is null");
                return;
            }

            Enqueue(new TextItem(network, node, _time.GetUtcNow(), text));
        }

        public void OnFrameRejected(string transport, RejectReason reason)
        {
            // Counted by the mesh gateway's metrics; not history.
        }

        /// <summary>Queues a node event (e.g. "online" / "offline" from presence tracking). False if refused (logged).</summary>
        public bool EnqueueEvent(ushort network, uint node, DateTimeOffset timestamp, string kind, string? detailJson = null)
        {
            string? problem = HistoryBatch.CheckEvent(kind, detailJson);
            if (problem != null)
            {
                Invalid(problem);
                return false;
            }

            return Enqueue(new EventItem(network, node, timestamp, kind, detailJson));
        }

        /// <summary>Completes when everything accepted before the call has been written (or given up at shutdown).</summary>
        /// <exception cref="InvalidOperationException">The writer has stopped.</exception>
        public async Task FlushAsync(CancellationToken cancellationToken = default)
        {
            var marker = new FlushMarker();
            try
            {
                await _queue.Writer.WriteAsync(marker, cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException ex)
            {
                throw new InvalidOperationException("the history writer has stopped", ex);
            }

            await marker.Done.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }

        /// <summary>
        /// Stops accepting records and writes everything already accepted. If writing is still failing when
        /// <paramref name="cancellationToken"/> fires, the rest is given up (logged, counted in <see cref="RecordsLost"/>).
        /// </summary>
        public async Task StopAsync(CancellationToken cancellationToken)
        {
            _stopping = true;
            _queue.Writer.TryComplete();
            using (cancellationToken.Register(static s => ((CancellationTokenSource)s!).Cancel(), _abandon))
            {
                await _loop.ConfigureAwait(false);
            }
        }

        /// <summary><see cref="StopAsync"/> with <see cref="HistoryOptions.ShutdownTimeoutSeconds"/>.</summary>
        public async ValueTask DisposeAsync()
        {
            if (Interlocked.Exchange(ref _disposed, 1) != 0)
            {
                return;
            }

            using (var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(_options.ShutdownTimeoutSeconds), _time))
            {
                await StopAsync(deadline.Token).ConfigureAwait(false);
            }

            _abandon.Dispose();
        }

        public void WriteMetrics(StringBuilder o)
        {
            o.Append("# HELP mesh_gateway_history_queue_depth Records waiting to be written to the history database.\n");
            o.Append("# TYPE mesh_gateway_history_queue_depth gauge\n");
            o.Append("mesh_gateway_history_queue_depth ").Append(QueueDepth).Append('\n');
            Counter(o, "history_readings_written_total", "Readings committed to the history database.", ReadingsWritten);
            Counter(o, "history_write_errors_total", "Failed history write attempts (each is retried).", WriteErrors);
            Counter(o, "history_records_dropped_total", "Records not queued for history: queue full or writer stopped.", RecordsDropped);
            Counter(o, "history_records_invalid_total", "Records refused as malformed.", RecordsInvalid);
            Counter(o, "history_records_lost_total", "Accepted records given up at shutdown because writing kept failing.", RecordsLost);
        }

        private static void Counter(StringBuilder o, string name, string help, long value)
        {
            o.Append("# HELP mesh_gateway_").Append(name).Append(' ').Append(help).Append('\n');
            o.Append("# TYPE mesh_gateway_").Append(name).Append(" counter\n");
            o.Append("mesh_gateway_").Append(name).Append(' ').Append(value).Append('\n');
        }

        private bool Enqueue(object item)
        {
            if (_queue.Writer.TryWrite(item))
            {
                return true;
            }

            long dropped = Interlocked.Increment(ref _dropped);
            if (Due(ref _lastDropLog))
            {
                _logger.LogWarning("history: record not stored ({Reason}); {Dropped} refused so far",
                    _stopping ? "the writer has stopped" : $"queue full at History:QueueCapacity={_options.QueueCapacity}, writes are behind or failing",
                    dropped);
            }

            return false;
        }

        private void Invalid(string problem)
        {
            long invalid = Interlocked.Increment(ref _invalid);
            if (Due(ref _lastInvalidLog))
            {
                _logger.LogWarning("history: record not stored: {Problem}; {Invalid} malformed records so far", problem, invalid);
            }
        }

        /// <summary>At most one log line a minute per kind of refusal, so a flood of them cannot flood the log.</summary>
        private static bool Due(ref long lastLog)
        {
            long now = Environment.TickCount64;
            long last = Interlocked.Read(ref lastLog);
            return now - last >= 60_000 && Interlocked.CompareExchange(ref lastLog, now, last) == last;
        }

        /// <summary>
        /// The writer's loop, on a thread of its own (see <see cref="Hosting.DedicatedThread"/>): it blocks in SQLite
        /// for every batch, and as a thread-pool task it held a worker the MQTT client and broker need. The waits
        /// are blocking for the same reason (a wait on this thread takes nothing from the pool).
        /// </summary>
        private void Run()
        {
            var batch = new List<object?>();
            ChannelReader<object> reader = _queue.Reader;
            try
            {
                while (true)
                {
                    _abandon.Token.ThrowIfCancellationRequested();
                    if (_time.GetUtcNow() >= _nextRetention)
                    {
                        Retention();
                    }

                    GatherGroup(reader);
                    int rows = 0;
                    while (rows < _options.BatchSize && reader.TryRead(out object? item))
                    {
                        batch.Add(item);
                        rows += item is SensorReading[] rs ? rs.Length : 1;
                    }

                    if (batch.Count > 0)
                    {
                        WriteAsync(batch, 0, batch.Count).GetAwaiter().GetResult(); // completes synchronously unless a write failed and is retried
                        batch.Clear();
                        continue;
                    }

                    TimeSpan untilRetention = _nextRetention - _time.GetUtcNow();
                    using var timer = new CancellationTokenSource(untilRetention > TimeSpan.Zero ? untilRetention : TimeSpan.Zero, _time);
                    try
                    {
                        if (!reader.WaitToReadAsync(timer.Token).AsTask().GetAwaiter().GetResult())
                        {
                            return; // stopped and drained
                        }
                    }
                    catch (OperationCanceledException) when (timer.IsCancellationRequested)
                    {
                        // retention is due
                    }
                }
            }
            catch (OperationCanceledException) when (_abandon.IsCancellationRequested)
            {
                GiveUp(batch, "shutdown deadline reached while writes were failing");
            }
            catch (ObjectDisposedException ex)
            {
                GiveUp(batch, "the history store was disposed before the writer: " + ex.Message);
            }
#pragma warning disable CA1031 // the writer task must end by accounting for every record, whatever went wrong
            catch (Exception ex)
#pragma warning restore CA1031
            {
                _logger.LogCritical(ex, "history: the writer failed unexpectedly and stops");
                GiveUp(batch, ex.Message);
            }
        }

        /// <summary>
        /// Group commit: when only a few records wait, gives more of them <see cref="GroupCommitWindowMs"/> to
        /// arrive before the transaction (unless the writer is stopping). Each commit writes every page it
        /// touched, and readings from many nodes touch one leaf of the (node, quantity, ts) index per node and
        /// quantity, and the nodes' rows, whether the commit carries one reading per node or a hundred; writing as
        /// soon as anything was queued made thousands of small transactions a second under load. Records reach the
        /// file up to that much later (the API's history lags the live feed by as much); none is refused or lost for it.
        /// </summary>
        private void GatherGroup(ChannelReader<object> reader)
        {
            if (!_stopping && reader.CanCount && reader.Count is > 0 and < GroupCommitRecords)
            {
                _abandon.Token.WaitHandle.WaitOne(GroupCommitWindowMs);
            }
        }

        /// <summary>Writes items[start..start+count) in one transaction, retrying until it succeeds; handled items are set to null.</summary>
        private async Task WriteAsync(List<object?> items, int start, int count)
        {
            int failures = 0;
            while (true)
            {
                try
                {
                    Write(items, start, count);
                    if (failures > 0)
                    {
                        _logger.LogInformation("history: writing to {Path} works again after {Failures} failed attempts", _store.Path, failures);
                    }

                    Handled(items, start, count, written: true);
                    return;
                }
                catch (Exception ex) when (IsRecordError(ex))
                {
                    if (count == 1)
                    {
                        Interlocked.Increment(ref _invalid);
                        _logger.LogError(ex, "history: the database refused a record, which is dropped: {Record}", items[start]);
                        Handled(items, start, 1, written: false);
                        return;
                    }

                    // Find the culprit: one transaction per record for this batch.
                    for (int i = start; i < start + count; i++)
                    {
                        if (items[i] != null)
                        {
                            await WriteAsync(items, i, 1).ConfigureAwait(false);
                        }
                    }

                    return;
                }
                catch (Exception ex) when (ex is not ObjectDisposedException)
                {
                    failures++;
                    Interlocked.Increment(ref _writeErrors);
                    TimeSpan delay = TimeSpan.FromTicks(Math.Min(
                        FirstRetryDelay.Ticks << Math.Min(failures - 1, 16),
                        TimeSpan.FromSeconds(_options.MaxRetryDelaySeconds).Ticks));
                    string reason = ex is SqliteException s ? $"{s.Message} (SQLite error {s.SqliteErrorCode})" : ex.Message;
                    if (failures == 1)
                    {
                        _logger.LogError(ex, "history: writing {Records} records to {Path} failed: {Reason}; retrying in {Delay} s, queue {Depth}",
                            count, _store.Path, reason, delay.TotalSeconds, QueueDepth);
                    }
                    else
                    {
                        _logger.LogWarning("history: writing {Records} records to {Path} failed again (attempt {Attempt}): {Reason}; retrying in {Delay} s, queue {Depth}",
                            count, _store.Path, failures, reason, delay.TotalSeconds, QueueDepth);
                    }

                    await Task.Delay(delay, _time, _abandon.Token).ConfigureAwait(false);
                }
            }
        }

        private void Write(List<object?> items, int start, int count)
        {
            using HistoryBatch b = _store.BeginBatch();
            for (int i = start; i < start + count; i++)
            {
                switch (items[i])
                {
                    case SensorReading[] readings:
                        b.AppendReadings(readings);
                        break;
                    case NodeHeartbeat hb:
                        b.RecordHeartbeat(hb);
                        break;
                    case CommandOutcome c:
                        b.RecordCommand(c);
                        break;
                    case TextItem t:
                        b.RecordText(t.Network, t.Node, t.Timestamp, t.Text);
                        break;
                    case EventItem e:
                        b.RecordEvent(e.Network, e.Node, e.Timestamp, e.Kind, e.Detail);
                        break;
                }
            }

            b.Commit();
        }

        private void Handled(List<object?> items, int start, int count, bool written)
        {
            for (int i = start; i < start + count; i++)
            {
                object? item = items[i];
                items[i] = null;
                switch (item)
                {
                    case null:
                        break;
                    case FlushMarker m:
                        m.Done.TrySetResult();
                        break;
                    case SensorReading[] rs when written:
                        Interlocked.Add(ref _writtenReadings, rs.Length);
                        Interlocked.Increment(ref _writtenRecords);
                        break;
                    default:
                        if (written)
                        {
                            Interlocked.Increment(ref _writtenRecords);
                        }

                        break;
                }
            }
        }

        private void GiveUp(List<object?> batch, string reason)
        {
            _queue.Writer.TryComplete();
            long records = 0, readings = 0;
            void Count(object? item)
            {
                switch (item)
                {
                    case null:
                        break;
                    case FlushMarker m:
                        m.Done.TrySetException(new InvalidOperationException("the history writer stopped before writing everything: " + reason));
                        break;
                    case SensorReading[] rs:
                        records++;
                        readings += rs.Length;
                        break;
                    default:
                        records++;
                        break;
                }
            }

            foreach (object? item in batch)
            {
                Count(item);
            }

            batch.Clear();
            while (_queue.Reader.TryRead(out object? item))
            {
                Count(item);
            }

            Interlocked.Add(ref _lost, records);
            if (records > 0)
            {
                _logger.LogError("history: {Records} accepted records ({Readings} readings) were not stored in {Path}: {Reason}",
                    records, readings, _store.Path, reason);
            }
        }

        private void Retention()
        {
            DateTimeOffset now = _time.GetUtcNow();
            var watch = Stopwatch.StartNew();
            try
            {
                RetentionResult r = _store.ApplyRetention(now);
                _nextRetention = now + TimeSpan.FromMinutes(_options.RetentionIntervalMinutes);
                if (r.Readings + r.Events + r.Nodes > 0)
                {
                    _logger.LogInformation("history: retention before {Cutoff:O} deleted {Readings} readings, {Events} events, {Nodes} nodes in {Ms} ms",
                        r.Cutoff, r.Readings, r.Events, r.Nodes, watch.ElapsedMilliseconds);
                }
            }
            catch (Exception ex) when (ex is not ObjectDisposedException)
            {
                _nextRetention = now + FailedRetentionRetry;
                _logger.LogWarning(ex, "history: retention on {Path} failed: {Reason}; trying again in {Minutes} min",
                    _store.Path, ex.Message, FailedRetentionRetry.TotalMinutes);
            }
        }

        /// <summary>Failures of one record that retrying cannot fix, as opposed to the database or disk being unavailable.</summary>
        private static bool IsRecordError(Exception ex)
        {
            const int TooBig = 18, Constraint = 19, Mismatch = 20, Range = 25;
            return ex is ArgumentException or JsonException or FormatException or InvalidCastException
                || (ex is SqliteException s && s.SqliteErrorCode is TooBig or Constraint or Mismatch or Range);
        }

        private sealed record TextItem(ushort Network, uint Node, DateTimeOffset Timestamp, string Text);

        private sealed record EventItem(ushort Network, uint Node, DateTimeOffset Timestamp, string Kind, string? Detail);

        private sealed class FlushMarker
        {
            public readonly TaskCompletionSource Done = new(TaskCreationOptions.RunContinuationsAsynchronously);
        }
    }
}
