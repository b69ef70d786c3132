using System;
using Microsoft.Data.Sqlite;
using SQLitePCL;

namespace Mesh.Gateway.Hosting
{
    /// <summary>
    /// One SQL statement prepared once on a connection and bound by position, for the per-row inserts on
    /// the reading path (history, MQTT outbox). Microsoft.Data.Sqlite binds every parameter by name on every
    /// execution (a UTF-8 conversion and a <c>sqlite3_bind_parameter_index</c> lookup each) and builds a data
    /// reader per <c>ExecuteNonQuery</c>: at 10,000 readings/s that was more CPU than SQLite's own insert work
    /// (≈ 7.6 % of the process, 5.3 % in parameter binding, in a profile of the saturation bench). Runs
    /// inside whatever transaction the connection has open; errors surface as <see cref="SqliteException"/>
    /// with SQLite's codes, as Microsoft.Data.Sqlite's would. Not thread-safe (as the connection is not).
    /// </summary>
    internal sealed class PreparedStatement : IDisposable
    {
        private readonly sqlite3 _db;
        private readonly sqlite3_stmt _stmt;

        public PreparedStatement(SqliteConnection connection, string sql)
        {
            _db = connection.Handle ?? throw new InvalidOperationException("the connection is not open");
            Check(raw.sqlite3_prepare_v2(_db, sql, out _stmt));
        }

        public void Bind(int index, long value) => Check(raw.sqlite3_bind_int64(_stmt, index, value));

        /// <summary>NaN is stored as NULL (SQLite would refuse it as a REAL).</summary>
        public void Bind(int index, double value) => Check(double.IsNaN(value) ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_double(_stmt, index, value));

        public void Bind(int index, string? value) => Check(value == null ? raw.sqlite3_bind_null(_stmt, index) : raw.sqlite3_bind_text(_stmt, index, value));

        /// <summary>An empty blob is bound as a zero-length blob: an empty span is a null pointer, which SQLite would store as NULL.</summary>
        public void Bind(int index, ReadOnlySpan<byte> value) => Check(value.IsEmpty ? raw.sqlite3_bind_zeroblob(_stmt, index, 0) : raw.sqlite3_bind_blob(_stmt, index, value));

        /// <summary>Runs the statement (no result rows expected) and makes it ready for the next row.</summary>
        public void Execute()
        {
            int rc = raw.sqlite3_step(_stmt);
            raw.sqlite3_reset(_stmt);
            if (rc != raw.SQLITE_DONE && rc != raw.SQLITE_ROW)
            {
                Throw(rc);
            }
        }

        private void Check(int rc)
        {
            if (rc != raw.SQLITE_OK)
            {
                Throw(rc);
            }
        }

        private void Throw(int rc)
        {
            throw new SqliteException($"SQLite Error {rc}: '{raw.sqlite3_errmsg(_db).utf8_to_string()}'.", rc, raw.sqlite3_extended_errcode(_db));
        }

        public void Dispose() => _stmt.Dispose();
    }
}
