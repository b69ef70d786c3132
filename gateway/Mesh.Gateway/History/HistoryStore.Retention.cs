using System;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.History
{
    /// <summary>
    /// Retention: deleting readings, events and nodes older than the retention period, in chunks.
    /// </summary>
    public sealed partial class HistoryStore
    {
        private const int RetentionChunk = 20_000;

        /// <summary>
        /// Deletes readings and events older than <see cref="HistoryOptions.RetentionDays"/> before <paramref name="now"/>,
        /// and nodes not seen since then. Deletes in chunks, one transaction each, so other writes interleave.
        /// </summary>
        public RetentionResult ApplyRetention(DateTimeOffset now)
        {
            DateTimeOffset cutoff = now - TimeSpan.FromDays(_options.RetentionDays);
            long cut = cutoff.ToUnixTimeMilliseconds();
            long readings = DeleteChunked("DELETE FROM readings WHERE id IN (SELECT id FROM readings WHERE ts < $cut LIMIT $chunk);", cut);
            long events = DeleteChunked("DELETE FROM node_events WHERE id IN (SELECT id FROM node_events WHERE ts < $cut LIMIT $chunk);", cut);
            long nodes = DeleteChunked("DELETE FROM nodes WHERE last_seen < $cut;", cut);
            return new RetentionResult(cutoff, readings, events, nodes);
        }

        private long DeleteChunked(string sql, long cut)
        {
            long total = 0;
            while (true)
            {
                int deleted;
                ThrowIfDisposed();
                _gate.Wait();
                try
                {
                    ThrowIfDisposed();
                    using SqliteTransaction tx = _write.BeginTransaction();
                    using SqliteCommand cmd = _write.CreateCommand();
                    cmd.Transaction = tx;
                    cmd.CommandText = sql;
                    cmd.Parameters.AddWithValue("$cut", cut);
                    cmd.Parameters.AddWithValue("$chunk", RetentionChunk);
                    deleted = cmd.ExecuteNonQuery();
                    tx.Commit();
                }
                finally
                {
                    _gate.Release();
                }

                total += deleted;
                if (deleted < RetentionChunk)
                {
                    return total;
                }
            }
        }
    }
}
