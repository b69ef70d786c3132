using System;
using System.Globalization;
using System.IO;
using System.Threading;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.History
{
    /// <summary>
    /// The gateway's history in one SQLite file: every reading, node events (heartbeats, command outcomes,
    /// texts, presence changes) and each node's latest state.
    /// </summary>
    /// <remarks>
    /// <para>Schema (version <see cref="SchemaVersion"/>, kept in <c>PRAGMA user_version</c>; every migration
    /// step commits together with its version number, so opening is idempotent and an interrupted upgrade
    /// resumes; step 1's statements are also <c>IF NOT EXISTS</c>, for files older than the version number).
    /// Times are Unix milliseconds (UTC).</para>
    /// <code>
    /// readings(id INTEGER PRIMARY KEY, network, node, quantity, value REAL (NULL = NaN), unit, ts, sequence, hops, rssi)
    ///   index readings_node_quantity_ts(node, quantity, ts), readings_ts(ts)
    /// node_events(id INTEGER PRIMARY KEY, network (NULL if unknown), node, ts, kind, detail JSON object or NULL)
    ///   index node_events_node_ts(node, ts), node_events_ts(ts)
    /// nodes(node INTEGER PRIMARY KEY, network, role, policy, uptime, last_seen, last_hops, last_rssi, neighbours JSON array, heartbeat_at,
    ///   neighbours_known: how many neighbours the node's newest heartbeat said it knows, NULL if it did not say; version 2)
    /// </code>
    /// <para>A gateway serves one mesh network, so a node is keyed by its id alone; <c>network</c> records which.</para>
    /// <para>Threading: safe to share. Writes are serialised on one connection (WAL mode, synchronous=NORMAL:
    /// a power cut may lose the last transactions, never corrupt the file); each query runs on its own pooled
    /// connection and does not wait for writes.</para>
    /// </remarks>
    public sealed partial class HistoryStore : IDisposable
    {
        /// <summary>The schema version this build writes (one per migration step); a file with a newer one is refused.</summary>
        public static int SchemaVersion => Migrations.Length;

        private static readonly string[] Migrations =
        {
            // 1: initial schema
            """
            CREATE TABLE IF NOT EXISTS readings(
                id INTEGER PRIMARY KEY,
                network INTEGER NOT NULL,
                node INTEGER NOT NULL,
                quantity TEXT NOT NULL,
                value REAL,
                unit TEXT NOT NULL,
                ts INTEGER NOT NULL,
                sequence INTEGER NOT NULL,
                hops INTEGER NOT NULL,
                rssi INTEGER NOT NULL);
            CREATE INDEX IF NOT EXISTS readings_node_quantity_ts ON readings(node, quantity, ts);
            CREATE INDEX IF NOT EXISTS readings_ts ON readings(ts);
            CREATE TABLE IF NOT EXISTS node_events(
                id INTEGER PRIMARY KEY,
                network INTEGER,
                node INTEGER NOT NULL,
                ts INTEGER NOT NULL,
                kind TEXT NOT NULL,
                detail TEXT);
            CREATE INDEX IF NOT EXISTS node_events_node_ts ON node_events(node, ts);
            CREATE INDEX IF NOT EXISTS node_events_ts ON node_events(ts);
            CREATE TABLE IF NOT EXISTS nodes(
                node INTEGER PRIMARY KEY,
                network INTEGER NOT NULL,
                role TEXT,
                policy TEXT,
                uptime INTEGER,
                last_seen INTEGER NOT NULL,
                last_hops INTEGER NOT NULL,
                last_rssi INTEGER NOT NULL,
                neighbours TEXT,
                heartbeat_at INTEGER);
            """,

            // 2: a heartbeat's block 3 (how many neighbours the node knows; it lists its best few), so a restarted
            // gateway still tells a list cut to eight from a node with eight neighbours. Runs once: it commits with
            // its version number.
            "ALTER TABLE nodes ADD COLUMN neighbours_known INTEGER;",
        };

        private const string ReadingColumns = "network, node, quantity, value, unit, ts, sequence, hops, rssi";

        private readonly HistoryOptions _options;
        private readonly string _connectionString;
        private readonly SqliteConnection _write;
        private readonly SemaphoreSlim _gate = new(1, 1);
        private readonly Statements _statements;
        private bool _disposed;

        /// <summary>Opens the database at <see cref="HistoryOptions.Path"/>, creating it (and its folder) if missing, and brings its schema up to date.</summary>
        /// <exception cref="ArgumentException">The options are not valid (the message names the setting).</exception>
        /// <exception cref="InvalidDataException">The file is not a SQLite database, is damaged, or has a newer schema; the message names the path.</exception>
        /// <exception cref="IOException">The file cannot be opened or created; the message names the path.</exception>
        public HistoryStore(HistoryOptions options)
        {
            ArgumentNullException.ThrowIfNull(options);
            string? error = options.Validate();
            if (error != null)
            {
                throw new ArgumentException(error, nameof(options));
            }

            _options = options.Copy();
            Path = System.IO.Path.GetFullPath(options.Path);
            _connectionString = new SqliteConnectionStringBuilder
            {
                DataSource = Path,
                Mode = SqliteOpenMode.ReadWriteCreate,
                Cache = SqliteCacheMode.Private,
                Pooling = true,
                DefaultTimeout = options.BusyTimeoutSeconds,
            }.ToString();

            _write = new SqliteConnection(_connectionString);
            try
            {
                Hosting.PrivateFiles.EnsureDatabase(Path); // private (0600) from the first byte, folder included
                _write.Open();
                JournalMode = Scalar(_write, "PRAGMA journal_mode = WAL;") as string ?? "";
                Execute(_write, "PRAGMA synchronous = NORMAL;");
                Execute(_write, $"PRAGMA cache_size = -{(options.WriteCacheMegabytes * 1024).ToString(CultureInfo.InvariantCulture)};");
                Migrate();
                _statements = new Statements(_write);
            }
            catch (Exception ex)
            {
                _write.Dispose();
                SqliteConnection.ClearPool(_write);
                throw OpenFailure(Path, ex);
            }
        }

        /// <summary>Full path of the database file.</summary>
        public string Path { get; }

        /// <summary>"wal" normally; another value if the file system cannot do WAL (then readers and the writer wait for each other).</summary>
        public string JournalMode { get; }

        /// <summary>A copy of the options the store was opened with (changing it changes nothing).</summary>
        public HistoryOptions Options => _options.Copy();

        /// <summary>The schema version recorded in the file (<c>PRAGMA user_version</c>).</summary>
        public int StoredSchemaVersion()
        {
            using SqliteConnection c = OpenRead();
            return Convert.ToInt32(Scalar(c, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        }

        public void Dispose()
        {
            _gate.Wait();
            try
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                _statements.Dispose();
                try
                {
                    Execute(_write, "PRAGMA optimize;");
                }
                catch (SqliteException)
                {
                    // only a planner hint; the file is consistent either way
                }

                _write.Dispose();
                SqliteConnection.ClearPool(_write);
            }
            finally
            {
                _gate.Release();
            }
        }

        internal static object? Scalar(SqliteConnection c, string sql)
        {
            using SqliteCommand cmd = c.CreateCommand();
            cmd.CommandText = sql;
            return cmd.ExecuteScalar();
        }

        private static void Execute(SqliteConnection c, string sql)
        {
            using SqliteCommand cmd = c.CreateCommand();
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }

        private void Migrate()
        {
            int version = Convert.ToInt32(Scalar(_write, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
            if (version > Migrations.Length)
            {
                throw new InvalidDataException($"history database '{Path}' has schema version {version}, newer than this gateway " +
                    $"understands ({Migrations.Length}); run a newer gateway or point History:Path at another file");
            }

            for (int v = version; v < Migrations.Length; v++)
            {
                using SqliteTransaction tx = _write.BeginTransaction();
                using (SqliteCommand cmd = _write.CreateCommand())
                {
                    cmd.Transaction = tx;
                    cmd.CommandText = Migrations[v] + $"\nPRAGMA user_version = {(v + 1).ToString(CultureInfo.InvariantCulture)};";
                    cmd.ExecuteNonQuery();
                }

                tx.Commit();
            }
        }

        private static Exception OpenFailure(string path, Exception ex)
        {
            const int NotADatabase = 26, Corrupt = 11, CantOpen = 14, ReadOnly = 8, Permission = 3;
            switch (ex)
            {
                case InvalidDataException:
                    return ex;
                case SqliteException s when s.SqliteErrorCode is NotADatabase or Corrupt:
                    return new InvalidDataException($"history database '{path}' is not a SQLite database or is damaged ({s.Message}); " +
                        "move it aside (a new one is created on the next start) or restore it from a backup", ex);
                case SqliteException s when s.SqliteErrorCode is CantOpen or ReadOnly or Permission:
                    return new IOException($"history database '{path}' cannot be opened for writing ({s.Message}); " +
                        "check that History:Path names a file in a writable folder", ex);
                default:
                    return new IOException($"history database '{path}' could not be opened: {ex.Message}", ex);
            }
        }

        private SqliteConnection OpenRead()
        {
            ThrowIfDisposed();
            var c = new SqliteConnection(_connectionString);
            c.Open();
            return c;
        }

        private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);
    }
}
