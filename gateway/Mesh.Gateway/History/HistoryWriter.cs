using System;
using System.Collections.Generic;
using System.Text;
using System.Text.Json;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Mesh.Gateway.Model;
using Mesh.Protocol.Wire;
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
    public sealed partial class HistoryWriter : IMeshListener, IMetricsSource, IAsyncDisposable
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
    }
}
