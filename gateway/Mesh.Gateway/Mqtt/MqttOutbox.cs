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
    /// <summary>A message waiting for the broker's acknowledgement. <see cref="AcceptedTicks"/> is a Stopwatch timestamp.</summary>
    public sealed record OutboxMessage(long Id, string Topic, byte[] Payload, bool Retain, long AcceptedTicks);

    /// <summary>
    /// Every message the gateway accepts for MQTT goes through here: written to SQLite before it is
    /// published and deleted only after the broker acknowledged it (QoS 1), so a broker that goes away —
    /// or a gateway that restarts — loses nothing and order is kept. Bounded: past
    /// <c>Mqtt:Outbox:MaxMessages</c> the oldest are dropped, and each drop is logged as a warning.
    /// Enqueue is thread-safe; everything else belongs to the single publisher task.
    /// </summary>
    public sealed class MqttOutbox : IDisposable
    {
        private readonly ConcurrentQueue<(string Topic, byte[] Payload, bool Retain, long Ticks)> _incoming = new();
        private readonly SemaphoreSlim _signal = new(0, int.MaxValue);
        private readonly SqliteConnection _db;
        private readonly SqliteCommand _insert;
        private readonly SqliteCommand _select;
        private readonly SqliteCommand _delete;
        private readonly int _max;
        private readonly ILogger _logger;
        private readonly string _path;
        private readonly Dictionary<long, long> _ticks = new();
        private long _forgotten;
        private long _stored;
        private long _dropped;
        private int _signalled;

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
                Exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;");
                Exec("CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, topic TEXT NOT NULL, payload BLOB NOT NULL, retain INTEGER NOT NULL)");
            }
            catch (Exception ex) when (ex is SqliteException or IOException or UnauthorizedAccessException)
            {
                throw new InvalidOperationException($"Mqtt:Outbox:Path '{path}' cannot be used as the MQTT outbox: {ex.Message}", ex);
            }

            _insert = _db.CreateCommand();
            _insert.CommandText = "INSERT INTO outbox (topic, payload, retain) VALUES ($t, $p, $r) RETURNING id";
            _insert.Parameters.Add("$t", SqliteType.Text);
            _insert.Parameters.Add("$p", SqliteType.Blob);
            _insert.Parameters.Add("$r", SqliteType.Integer);
            _select = _db.CreateCommand();
            _select.CommandText = "SELECT id, topic, payload, retain FROM outbox WHERE id > $after ORDER BY id LIMIT $n";
            _select.Parameters.Add("$after", SqliteType.Integer);
            _select.Parameters.Add("$n", SqliteType.Integer);
            _delete = _db.CreateCommand();
            _delete.CommandText = "DELETE FROM outbox WHERE id <= $id";
            _delete.Parameters.Add("$id", SqliteType.Integer);

            using var count = _db.CreateCommand();
            count.CommandText = "SELECT COUNT(*) FROM outbox";
            _stored = (long)count.ExecuteScalar()!;
            count.CommandText = "SELECT COALESCE(MAX(seq), 0) FROM sqlite_sequence WHERE name = 'outbox'";
            _forgotten = (long)count.ExecuteScalar()!; // ids from before this process carry no accept time
            if (_stored > 0)
            {
                _logger.LogInformation("MQTT outbox {Path}: {Count} messages from before the restart will be published first", path, _stored);
            }
        }

        /// <summary>Messages accepted and not yet acknowledged by the broker.</summary>
        public long Waiting => Interlocked.Read(ref _stored) + _incoming.Count;

        /// <summary>Messages dropped because the outbox was full (each drop was logged).</summary>
        public long Dropped => Interlocked.Read(ref _dropped);

        /// <summary>Accepts a message for publication. Never blocks; callable from any thread.</summary>
        public void Enqueue(string topic, byte[] payload, bool retain)
        {
            _incoming.Enqueue((topic, payload, retain, Stopwatch.GetTimestamp()));
            if (Interlocked.Exchange(ref _signalled, 1) == 0)
            {
                _signal.Release();
            }
        }

        /// <summary>Waits until something was enqueued since the last call, or the timeout passes.</summary>
        public async Task WaitAsync(TimeSpan timeout, CancellationToken cancellationToken)
        {
            if (_incoming.IsEmpty)
            {
                await _signal.WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            }

            Interlocked.Exchange(ref _signalled, 0);
        }

        /// <summary>
        /// Moves accepted messages into the database (one transaction), enforcing the bound. Returns how
        /// many were moved. If the bound drops messages that are in flight they are still delivered; the
        /// drop count then overstates the loss, never understates it.
        /// </summary>
        public int Persist()
        {
            if (_incoming.IsEmpty)
            {
                return 0;
            }

            int n = 0;
            using (SqliteTransaction tx = _db.BeginTransaction())
            {
                _insert.Transaction = tx;
                while (n < 20_000 && _incoming.TryDequeue(out var m))
                {
                    _insert.Parameters[0].Value = m.Topic;
                    _insert.Parameters[1].Value = m.Payload;
                    _insert.Parameters[2].Value = m.Retain ? 1 : 0;
                    _ticks[(long)_insert.ExecuteScalar()!] = m.Ticks;
                    n++;
                }

                tx.Commit();
            }

            long stored = Interlocked.Add(ref _stored, n);
            if (stored > _max)
            {
                DropOldest(stored - _max);
            }

            if (_incoming.Count > 0 && Interlocked.Exchange(ref _signalled, 1) == 0)
            {
                _signal.Release();
            }

            return n;
        }

        /// <summary>The oldest waiting messages with ids above <paramref name="afterId"/>, in order.</summary>
        public List<OutboxMessage> Peek(long afterId, int max)
        {
            _select.Parameters[0].Value = afterId;
            _select.Parameters[1].Value = max;
            var list = new List<OutboxMessage>();
            using SqliteDataReader r = _select.ExecuteReader();
            while (r.Read())
            {
                long id = r.GetInt64(0);
                _ticks.TryGetValue(id, out long ticks);
                list.Add(new OutboxMessage(id, r.GetString(1), (byte[])r.GetValue(2), r.GetInt64(3) != 0, ticks));
            }

            return list;
        }

        /// <summary>Forgets every message up to and including <paramref name="id"/>: the broker has them.</summary>
        public void Remove(long id)
        {
            _delete.Parameters[0].Value = id;
            int deleted = _delete.ExecuteNonQuery(); // fewer than published if the bound dropped some meanwhile
            Interlocked.Add(ref _stored, -deleted);
            Forget(id);
        }

        private void DropOldest(long excess)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = "DELETE FROM outbox WHERE id IN (SELECT id FROM outbox ORDER BY id LIMIT $n)";
            cmd.Parameters.AddWithValue("$n", excess);
            int dropped = cmd.ExecuteNonQuery();
            Interlocked.Add(ref _stored, -dropped);
            Interlocked.Add(ref _dropped, dropped);
            _logger.LogWarning("MQTT outbox full (Mqtt:Outbox:MaxMessages = {Max}): dropped the {Count} oldest unpublished messages; {Total} dropped so far. " +
                "The broker has been unreachable too long for the bound — raise it or restore the broker.", _max, dropped, Dropped);
            using var min = _db.CreateCommand();
            min.CommandText = "SELECT COALESCE(MIN(id), 0) FROM outbox";
            long first = (long)min.ExecuteScalar()!;
            Forget(first - 1);
        }

        // Ids are dense and ascending within a process, so the bookkeeping is dropped by walking the range.
        private void Forget(long upTo)
        {
            for (long k = _forgotten + 1; k <= upTo; k++)
            {
                _ticks.Remove(k);
            }

            if (upTo > _forgotten)
            {
                _forgotten = upTo;
            }
        }

        private void Exec(string sql)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }

        public void Dispose()
        {
            _insert.Dispose();
            _select.Dispose();
            _delete.Dispose();
            _db.Dispose();
            _signal.Dispose();
        }

        public override string ToString() => "MQTT outbox " + _path;
    }
}
