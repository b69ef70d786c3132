using System;
using System.Collections.Concurrent;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using System.Threading.Tasks;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>A message waiting for the broker's acknowledgement. <see cref="AcceptedTicks"/> is a Stopwatch timestamp (0 when read back from the file).</summary>
    public sealed record OutboxMessage(long Id, string Topic, byte[] Payload, bool Retain, long AcceptedTicks);

    /// <summary>
    /// Every message the gateway accepts for MQTT goes through here: committed to SQLite (WAL) before it
    /// is published, deleted only after the broker acknowledged it (QoS 1). A broker that goes away or a
    /// gateway that restarts loses nothing and order is kept; delivery is at least once (a message
    /// published but not yet acknowledged when the connection or the process dies is published again).
    /// <para>
    /// The file work runs on its own task, off the publish loop: it commits what arrived in one
    /// transaction per batch (ids assigned here, no per-row round trip), deletes acknowledged messages
    /// in the same transactions, and hands the committed messages to the publisher in memory, so in the
    /// steady state the publisher never reads the file. Only after a reconnection, a restart, or a
    /// backlog larger than the memory hand-off does the publisher read the file. When everything is
    /// acknowledged and the file has grown, it is compacted (VACUUM, WAL truncated).
    /// </para>
    /// Bounded: past <c>Mqtt:Outbox:MaxMessages</c> the oldest are dropped, each drop logged as a warning.
    /// </summary>
    public sealed partial class MqttOutbox : IDisposable
    {
        private const int BatchMax = 5_000;
        private const int HandOffMax = 50_000;
        private const long CompactAboveBytes = 4 * 1024 * 1024;
        private const int GroupCommitMessages = 1_000; // this many waiting: commit at once (see GatherGroup)
        private const int GroupCommitWindowMs = 5;

        private readonly ConcurrentQueue<OutboxMessage> _incoming = new();
        private readonly object _enqueueLock = new();
        private readonly ConcurrentQueue<OutboxMessage> _ready = new();
        private readonly SemaphoreSlim _persistSignal = new(0, int.MaxValue);
        private readonly object _dbLock = new();
        private readonly SqliteConnection _db;
        private readonly Hosting.PreparedStatement _insert; // ?1 id, ?2 topic, ?3 payload, ?4 retain (bound by position: see PreparedStatement)
        private readonly SqliteCommand _select;
        private readonly SqliteCommand _delete;
        private readonly int _max;
        private readonly ILogger _logger;
        private readonly string _path;
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _persister;
        // Completed without RunContinuationsAsynchronously on purpose: the publisher waiting on it continues on the
        // thread that accepted the message and sends it at once, instead of waiting for a thread-pool thread to
        // be scheduled (one hand-off fewer between a reading and the broker; on a loaded machine each can wait a time slice).
        private TaskCompletionSource _readySignal = new();
        private long _nextId;
        private long _persistedUpTo; // highest id accepted (named so for history: accepted ids are handed out at once)
        private long _committedUpTo;
        private long _ackedUpTo;
        private long _deletedUpTo;
        private long _droppedUpTo;
        private long _handedUpTo;
        private long _dropped;
        private int _readyCount;
        private int _persistSignalled;
        private long _lastCompactTicks;

        /// <summary>
        /// Opens the outbox; a damaged file is moved aside (kept, with a warning naming it) and an empty one
        /// started, so a damaged outbox costs the messages it held, not the bridge. Other problems (a folder
        /// that cannot be written) still stop the start with the reason.
        /// </summary>
        public static MqttOutbox Open(string path, int maxMessages, ILogger logger)
        {
            try
            {
                return new MqttOutbox(path, maxMessages, logger);
            }
            catch (InvalidOperationException ex) when (Hosting.DamagedDatabase.IsDamage(ex.InnerException))
            {
                string aside = Hosting.DamagedDatabase.MoveAside(path);
                logger.LogWarning("MQTT outbox {Path} cannot be used ({Reason}); moved it to {Aside} and started an empty outbox. " +
                    "Messages it held were not published; bridging goes on.", System.IO.Path.GetFullPath(path), ex.InnerException!.Message, aside);
                return new MqttOutbox(path, maxMessages, logger);
            }
        }

        public MqttOutbox(string path, int maxMessages, ILogger logger)
        {
            _path = path;
            _max = maxMessages;
            _logger = logger;
            try
            {
                Hosting.PrivateFiles.EnsureDatabase(path);
                _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = path, Pooling = false }.ToString());
                _db.Open();
                // WAL with synchronous=NORMAL: a commit is in the OS's hands at once (it survives kill -9),
                // and reaches the disk at the next checkpoint (a power cut can lose the last commits).
                Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
                // Checkpoints (the only fsyncs) run on their own connection and task, never inside a commit on the path to the broker.
                Exec("PRAGMA wal_autocheckpoint=0;");
                Exec("CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL, retain INTEGER NOT NULL)");
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"Mqtt:Outbox:Path '{path}' cannot be used as the MQTT outbox: {ex.Message}", ex);
            }

            _insert = new Hosting.PreparedStatement(_db, "INSERT INTO outbox (id, topic, payload, retain) VALUES (?1, ?2, ?3, ?4)");
            _select = _db.CreateCommand();
            _select.CommandText = "SELECT id, topic, payload, retain FROM outbox WHERE id > $after ORDER BY id LIMIT $n";
            _select.Parameters.Add("$after", SqliteType.Integer);
            _select.Parameters.Add("$n", SqliteType.Integer);
            _delete = _db.CreateCommand();
            _delete.CommandText = "DELETE FROM outbox WHERE id <= $id";
            _delete.Parameters.Add("$id", SqliteType.Integer);

            long maxId = Scalar("SELECT COALESCE(MAX(id), 0) FROM outbox");
            long seq = Scalar("SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'outbox'");
            long minId = Scalar("SELECT COALESCE(MIN(id), 0) FROM outbox");
            _persistedUpTo = Math.Max(maxId, seq);
            _nextId = _persistedUpTo + 1;
            _committedUpTo = _persistedUpTo;
            _ackedUpTo = minId == 0 ? _persistedUpTo : minId - 1;
            _deletedUpTo = _ackedUpTo;
            _handedUpTo = _ackedUpTo;
            _lastCompactTicks = Stopwatch.GetTimestamp();
            long stored = _persistedUpTo - _ackedUpTo;
            if (stored > 0)
            {
                _logger.LogInformation("MQTT outbox {Path}: {Count} messages from before the restart will be published first", path, stored);
            }

            _persister = Hosting.DedicatedThread.Start("mqtt outbox persist", PersistLoop);
            _checkpointer = Hosting.DedicatedThread.Start("mqtt outbox checkpoint", CheckpointLoop);
        }

        private readonly Task _checkpointer;

        /// <summary>
        /// Moves the WAL into the database file every second (PASSIVE: never waits for the writer), so the WAL
        /// stays small. On a thread of its own: a checkpoint ends in an fsync that can block for a while.
        /// </summary>
        private void CheckpointLoop()
        {
            using var connection = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = _path, Pooling = false }.ToString());
            try
            {
                connection.Open();
                using var cmd = connection.CreateCommand();
                cmd.CommandText = "PRAGMA wal_checkpoint(PASSIVE)";
                while (!_stop.Token.WaitHandle.WaitOne(1000))
                {
                    cmd.ExecuteNonQuery();
                }
            }
            catch (SqliteException ex)
            {
                _logger.LogWarning("MQTT outbox {Path}: checkpoints stopped ({Reason}); SQLite's own run at the next start", _path, ex.Message);
            }
        }

        /// <summary>Messages accepted and not yet acknowledged by the broker.</summary>
        public long Waiting => Interlocked.Read(ref _persistedUpTo) - Math.Max(Interlocked.Read(ref _ackedUpTo), Interlocked.Read(ref _droppedUpTo)) + _incoming.Count;

        /// <summary>Messages dropped because the outbox was full (each drop was logged).</summary>
        public long Dropped => Interlocked.Read(ref _dropped);

        /// <summary>Accepted but not yet handed to the publisher or the file.</summary>
        public int Uncommitted => _incoming.Count;

        /// <summary>
        /// Accepts a message for publication: numbered, handed to the publisher at once and queued for the
        /// file. Never blocks on the file; callable from any thread.
        /// </summary>
        public void Enqueue(string topic, byte[] payload, bool retain)
        {
            lock (_enqueueLock)
            {
                // Numbering, hand-off and file queue in one order: the publisher and the file agree on ids.
                var m = new OutboxMessage(_nextId++, topic, payload, retain, Stopwatch.GetTimestamp());
                _incoming.Enqueue(m);
                if (Volatile.Read(ref _readyCount) < HandOffMax)
                {
                    _ready.Enqueue(m);
                    Interlocked.Increment(ref _readyCount);
                }

                Interlocked.Exchange(ref _persistedUpTo, m.Id);
            }

            SignalReady();
            if (Interlocked.Exchange(ref _persistSignalled, 1) == 0)
            {
                _persistSignal.Release();
            }
        }

        private void SignalReady()
        {
            TaskCompletionSource current = Volatile.Read(ref _readySignal);
            if (!current.Task.IsCompleted)
            {
                Interlocked.Exchange(ref _readySignal, new TaskCompletionSource()).TrySetResult();
            }
        }

        /// <summary>Completes when messages were committed after it was taken: take it before <see cref="Next"/>, await it when Next returned nothing.</summary>
        public Task Ready
        {
            get
            {
                TaskCompletionSource current = Volatile.Read(ref _readySignal);
                if (current.Task.IsCompleted)
                {
                    var fresh = new TaskCompletionSource();
                    Interlocked.CompareExchange(ref _readySignal, fresh, current);
                    return Volatile.Read(ref _readySignal).Task;
                }

                return current.Task;
            }
        }

        /// <summary>Waits until something was committed, or the timeout passes.</summary>
        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            Task ready = Ready;
            if (Waiting == 0 || Interlocked.Read(ref _handedUpTo) >= Interlocked.Read(ref _persistedUpTo))
            {
                await Task.WhenAny(ready, Task.Delay(timeout, cancellationToken)).ConfigureAwait(false);
                cancellationToken.ThrowIfCancellationRequested();
            }
        }

        /// <summary>
        /// The next committed messages, in order, after the last ones handed out: from memory in the steady
        /// state, from the file after <see cref="Rewind"/>, a restart, or a backlog. Publisher task only.
        /// </summary>
        public List<OutboxMessage> Next(int max)
        {
            var list = new List<OutboxMessage>(Math.Min(max, 256));
            long after = Math.Max(Interlocked.Read(ref _handedUpTo), Interlocked.Read(ref _droppedUpTo));
            while (list.Count < max && _ready.TryPeek(out OutboxMessage? m))
            {
                if (m.Id > after + 1)
                {
                    break; // a gap: the messages before m are only in the file
                }

                _ready.TryDequeue(out _);
                Interlocked.Decrement(ref _readyCount);
                if (m.Id == after + 1)
                {
                    list.Add(m);
                    after = m.Id;
                }
            }

            if (list.Count == 0 && after < Interlocked.Read(ref _persistedUpTo))
            {
                list = Peek(after, max);
                if (list.Count > 0)
                {
                    after = list[^1].Id;
                }
            }

            Interlocked.Exchange(ref _handedUpTo, after);
            return list;
        }

        /// <summary>After a reconnection: everything not acknowledged is handed out again (at least once).</summary>
        public void Rewind() => Interlocked.Exchange(ref _handedUpTo, Interlocked.Read(ref _ackedUpTo));

        /// <summary>The broker has every message up to and including <paramref name="id"/>; they are deleted with the next batch.</summary>
        public void Acknowledge(long id)
        {
            if (id > Interlocked.Read(ref _ackedUpTo))
            {
                Interlocked.Exchange(ref _ackedUpTo, id);
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            try
            {
                _persister.Wait(TimeSpan.FromSeconds(10));
                _checkpointer.Wait(TimeSpan.FromSeconds(10));
            }
            catch (AggregateException)
            {
            }

            try
            {
                while (Persist() > 0)
                {
                }
            }
            catch (SqliteException ex)
            {
                _logger.LogError("MQTT outbox {Path}: could not store the last {Count} messages at shutdown: {Reason}", _path, _incoming.Count, ex.Message);
            }

            _insert.Dispose();
            _select.Dispose();
            _delete.Dispose();
            _db.Dispose();
            _persistSignal.Dispose();
            _stop.Dispose();
        }

        public override string ToString() => "MQTT outbox " + _path;
    }
}
