using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Mesh.Gateway.Model;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.History
{
    /// <summary>The writer's own thread: gathering batches, writing them with retries, giving up, retention.</summary>
    public sealed partial class HistoryWriter
    {
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
