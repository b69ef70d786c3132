using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Threading;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>The outbox's SQLite side: persisting what was accepted, reading and removing it, the persist loop, compaction.</summary>
    public sealed partial class MqttOutbox
    {
        /// <summary>
        /// Commits what arrived (one transaction, at most a batch), deletes what the broker acknowledged,
        /// enforces the bound, and hands the committed messages to the publisher. Returns how many were
        /// committed. Runs on the persister task; tests and shutdown may call it too.
        /// </summary>
        public int Persist()
        {
            var committed = new List<OutboxMessage>();
            long dropUpTo = 0;
            long dropCount = 0;
            lock (_dbLock)
            {
                long acked = Interlocked.Read(ref _ackedUpTo);
                if (_incoming.IsEmpty && acked <= _deletedUpTo)
                {
                    return 0;
                }

                while (committed.Count < BatchMax && _incoming.TryDequeue(out OutboxMessage? m))
                {
                    committed.Add(m);
                }

                using (SqliteTransaction tx = _db.BeginTransaction())
                {
                    foreach (OutboxMessage m in committed)
                    {
                        _insert.Bind(1, m.Id);
                        _insert.Bind(2, m.Topic);
                        _insert.Bind(3, m.Payload);
                        _insert.Bind(4, m.Retain ? 1L : 0L);
                        _insert.Execute();
                    }

                    if (acked > _deletedUpTo)
                    {
                        _delete.Transaction = tx;
                        _delete.Parameters[0].Value = acked;
                        _delete.ExecuteNonQuery();
                        _deletedUpTo = acked;
                    }

                    long stored = (committed.Count > 0 ? committed[^1].Id : _committedUpTo) - Math.Max(acked, Interlocked.Read(ref _droppedUpTo));
                    if (stored > _max)
                    {
                        dropUpTo = Math.Max(acked, Interlocked.Read(ref _droppedUpTo)) + (stored - _max);
                        _delete.Transaction = tx;
                        _delete.Parameters[0].Value = dropUpTo;
                        _delete.ExecuteNonQuery();
                    }

                    tx.Commit();
                }

                if (committed.Count > 0)
                {
                    _committedUpTo = committed[^1].Id;
                }

                _delete.Transaction = null;

                // Under the lock: a Persist that finds nothing left to commit (the persister thread took it) must
                // not return before the drop it made is counted — Waiting and Dropped then disagreed with the file
                // for a moment (BrokerOutageTests saw 150 waiting of a bound of 100, once).
                if (dropUpTo > 0)
                {
                    long before = Math.Max(Interlocked.Read(ref _ackedUpTo), Interlocked.Read(ref _droppedUpTo));
                    dropCount = Math.Max(0, dropUpTo - before);
                    Interlocked.Exchange(ref _droppedUpTo, dropUpTo);
                    Interlocked.Add(ref _dropped, dropCount);
                }
            }

            if (dropUpTo > 0)
            {
                long count = dropCount;
                _logger.LogWarning("MQTT outbox full (Mqtt:Outbox:MaxMessages = {Max}): dropped the {Count} oldest unpublished messages; {Total} dropped so far. " +
                    "The broker has been unreachable too long for the bound — raise it or restore the broker.", _max, count, Dropped);
            }

            if (committed.Count > 0)
            {
                SignalReady(); // a publisher reading from the file (after a backlog) finds more there now
            }

            return committed.Count;
        }

        /// <summary>The oldest waiting messages with ids above <paramref name="afterId"/>, in order, read from the file.</summary>
        public List<OutboxMessage> Peek(long afterId, int max)
        {
            var list = new List<OutboxMessage>();
            lock (_dbLock)
            {
                _select.Parameters[0].Value = Math.Max(afterId, Interlocked.Read(ref _droppedUpTo));
                _select.Parameters[1].Value = max;
                using SqliteDataReader r = _select.ExecuteReader();
                while (r.Read())
                {
                    list.Add(new OutboxMessage(r.GetInt64(0), r.GetString(1), (byte[])r.GetValue(2), r.GetInt64(3) != 0, 0));
                }
            }

            return list;
        }

        /// <summary>Acknowledges up to <paramref name="id"/> and deletes at once (tests; the publisher uses <see cref="Acknowledge"/>).</summary>
        public void Remove(long id)
        {
            Acknowledge(id);
            Persist();
        }

        /// <summary>
        /// The persister's loop, on a thread of its own (see <see cref="Hosting.DedicatedThread"/>): each commit is
        /// synchronous SQLite work that would otherwise hold a thread-pool worker the MQTT client and broker need.
        /// </summary>
        private void PersistLoop()
        {
            while (!_stop.IsCancellationRequested)
            {
                try
                {
                    _persistSignal.Wait(TimeSpan.FromSeconds(1), _stop.Token);
                    Interlocked.Exchange(ref _persistSignalled, 0);
                    do
                    {
                        GatherGroup();
                    }
                    while (Persist() > 0 && !_stop.IsCancellationRequested);

                    CompactIfDrained();
                }
                catch (OperationCanceledException) when (_stop.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex) when (ex is SqliteException or IOException)
                {
                    // The messages stay queued in memory; the next round tries again.
                    _logger.LogError("MQTT outbox {Path}: {Reason}; retrying in 1 s", _path, ex.Message);
                    _stop.Token.WaitHandle.WaitOne(1000);
                }
            }
        }

        /// <summary>
        /// Group commit: when only a few messages wait, gives more of them <see cref="GroupCommitWindowMs"/> to
        /// arrive before the transaction. A commit writes every page it touched (the table's last leaf, the
        /// AUTOINCREMENT counter's page, the pages of the rows the broker acknowledged) whether it carries one
        /// row or a thousand; committing as soon as anything was there made thousands of small transactions a
        /// second under load (60,000 pwrite calls/s between the outbox and the history at 20,000 readings/s).
        /// Publishing does not wait for the commit (messages are handed to the publisher as they are accepted);
        /// what the window adds is up to that many milliseconds of accepted messages to what a kill -9 loses.
        /// </summary>
        private void GatherGroup()
        {
            if (_incoming.Count < GroupCommitMessages)
            {
                _stop.Token.WaitHandle.WaitOne(GroupCommitWindowMs);
            }
        }

        /// <summary>Once everything is acknowledged, gives the file's space back (a drained backlog of millions would otherwise stay on disk).</summary>
        private void CompactIfDrained()
        {
            if (Waiting != 0 || Stopwatch.GetElapsedTime(_lastCompactTicks) < TimeSpan.FromSeconds(30))
            {
                return;
            }

            long bytes = new FileInfo(_path).Length + (File.Exists(_path + "-wal") ? new FileInfo(_path + "-wal").Length : 0);
            if (bytes < CompactAboveBytes)
            {
                return;
            }

            _lastCompactTicks = Stopwatch.GetTimestamp();
            lock (_dbLock)
            {
                Exec("VACUUM");
                Exec("PRAGMA wal_checkpoint(TRUNCATE)");
            }

            _logger.LogInformation("MQTT outbox {Path}: drained; compacted from {Before:N0} to {After:N0} bytes", _path, bytes, new FileInfo(_path).Length);
        }

        private void Exec(string sql)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }

        private long Scalar(string sql)
        {
            using var cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            return (long)cmd.ExecuteScalar()!;
        }
    }
}
