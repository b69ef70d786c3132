using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using System.Text;
using System.Threading;
using Mesh.Gateway.Model;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.History
{
    /// <summary>
    /// The gateway's history in one SQLite file: every reading, node events (heartbeats, command outcomes,
    /// texts, presence changes) and each node's latest state.
    /// </summary>
    /// <remarks>
    /// <para>Schema (version <see cref="SchemaVersion"/>, kept in <c>PRAGMA user_version</c>; every migration
    /// step is <c>IF NOT EXISTS</c> and commits together with its version number, so opening is idempotent
    /// and an interrupted upgrade resumes). Times are Unix milliseconds (UTC).</para>
    /// <code>
    /// readings(id INTEGER PRIMARY KEY, network, node, quantity, value REAL (NULL = NaN), unit, ts, sequence, hops, rssi)
    ///   index readings_node_quantity_ts(node, quantity, ts), readings_ts(ts)
    /// node_events(id INTEGER PRIMARY KEY, network (NULL if unknown), node, ts, kind, detail JSON object or NULL)
    ///   index node_events_node_ts(node, ts), node_events_ts(ts)
    /// nodes(node INTEGER PRIMARY KEY, network, role, policy, uptime, last_seen, last_hops, last_rssi, neighbours JSON array, heartbeat_at)
    /// </code>
    /// <para>A gateway serves one mesh network, so a node is keyed by its id alone; <c>network</c> records which.</para>
    /// <para>Threading: safe to share. Writes are serialised on one connection (WAL mode, synchronous=NORMAL:
    /// a power cut may lose the last transactions, never corrupt the file); each query runs on its own pooled
    /// connection and does not wait for writes.</para>
    /// </remarks>
    public sealed class HistoryStore : IDisposable
    {
        /// <summary>The schema version this build writes; a file with a newer one is refused.</summary>
        public const int SchemaVersion = 1;

        private const int RetentionChunk = 20_000;

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

        /// <summary>Starts a transaction on the write connection; nothing is stored until <see cref="HistoryBatch.Commit"/>. Other writes wait until the batch is disposed.</summary>
        public HistoryBatch BeginBatch()
        {
            ThrowIfDisposed();
            _gate.Wait();
            try
            {
                ThrowIfDisposed();
                return new HistoryBatch(this, _write.BeginTransaction(), _statements);
            }
            catch
            {
                _gate.Release();
                throw;
            }
        }

        internal void EndBatch() => _gate.Release();

        /// <summary>Stores readings in one transaction and updates their nodes' last-seen state.</summary>
        public void AppendReadings(IReadOnlyList<SensorReading> readings) => InBatch(b => b.AppendReadings(readings));

        /// <summary>Updates the node's latest state (role, policy, uptime, neighbours, last seen) and adds a "heartbeat" event.</summary>
        public void RecordHeartbeat(NodeHeartbeat heartbeat) => InBatch(b => b.RecordHeartbeat(heartbeat));

        /// <summary>Adds a node event, e.g. "online" or "offline". <paramref name="detailJson"/> must be a JSON object or null.</summary>
        public void RecordEvent(ushort network, uint node, DateTimeOffset timestamp, string kind, string? detailJson = null) =>
            InBatch(b => b.RecordEvent(network, node, timestamp, kind, detailJson));

        /// <summary>Adds a "command" event at the outcome's completion time; detail: command, id, state, status, sent_at, completed_at, round_trip_ms, error.</summary>
        public void RecordCommand(CommandOutcome outcome) => InBatch(b => b.RecordCommand(outcome));

        /// <summary>Adds a "text" event; detail: {"text": ...}.</summary>
        public void RecordText(ushort network, uint node, DateTimeOffset timestamp, string text) =>
            InBatch(b => b.RecordText(network, node, timestamp, text));

        /// <summary>
        /// Readings matching every given filter, <paramref name="from"/> inclusive, <paramref name="to"/> exclusive,
        /// in ascending time order. At most <paramref name="limit"/> rows (capped to <see cref="HistoryOptions.MaxQueryRows"/>);
        /// when more match, the newest are returned, so an open-ended query shows the latest data. To page further
        /// back, query again with <paramref name="to"/> = the first returned timestamp (rows sharing that exact
        /// millisecond with it may then be skipped).
        /// </summary>
        /// <exception cref="ArgumentOutOfRangeException"><paramref name="limit"/> is less than 1.</exception>
        public IReadOnlyList<SensorReading> QueryReadings(uint? node, string? quantity, DateTimeOffset? from, DateTimeOffset? to, int limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
            using SqliteConnection c = OpenRead();
            using SqliteCommand cmd = c.CreateCommand();
            var where = new StringBuilder("1 = 1");
            Filter(cmd, where, node, from, to);
            if (quantity != null)
            {
                where.Append(" AND quantity = $quantity");
                cmd.Parameters.AddWithValue("$quantity", quantity);
            }

            cmd.Parameters.AddWithValue("$limit", Math.Min(limit, _options.MaxQueryRows));
            cmd.CommandText = $"SELECT {ReadingColumns} FROM (SELECT id, {ReadingColumns} FROM readings WHERE {where} " +
                "ORDER BY ts DESC, id DESC LIMIT $limit) ORDER BY ts, id;";
            return ReadReadings(cmd);
        }

        /// <summary>The newest reading of each quantity the node has stored, ordered by quantity name.</summary>
        public IReadOnlyList<SensorReading> LatestReadings(uint node)
        {
            using SqliteConnection c = OpenRead();
            using SqliteCommand cmd = c.CreateCommand();
            // Walks the distinct quantities of the node through the (node, quantity, ts) index, then takes
            // each one's newest row: a few index seeks whatever the amount of history.
            cmd.CommandText = $"""
                WITH RECURSIVE q(quantity) AS (
                    SELECT (SELECT MIN(quantity) FROM readings WHERE node = $node)
                    UNION ALL
                    SELECT (SELECT MIN(quantity) FROM readings WHERE node = $node AND quantity > q.quantity) FROM q WHERE q.quantity IS NOT NULL)
                SELECT {Prefixed("r.")} FROM q JOIN readings r
                    ON r.id = (SELECT id FROM readings WHERE node = $node AND quantity = q.quantity ORDER BY ts DESC, id DESC LIMIT 1)
                WHERE q.quantity IS NOT NULL
                ORDER BY r.quantity;
                """;
            cmd.Parameters.AddWithValue("$node", (long)node);
            return ReadReadings(cmd);
        }

        /// <summary>Every node's latest state, ordered by node id.</summary>
        public IReadOnlyList<NodeState> Nodes() => ReadNodes(null);

        /// <summary>One node's latest state, or null if it has never been heard (or was dropped by retention).</summary>
        public NodeState? Node(uint id)
        {
            IReadOnlyList<NodeState> list = ReadNodes(id);
            return list.Count == 0 ? null : list[0];
        }

        /// <summary>
        /// The mesh as the nodes last described it: every neighbour link from each node's newest heartbeat,
        /// ordered by reporting node. With <paramref name="since"/>, only heartbeats at or after it count.
        /// </summary>
        public IReadOnlyList<TopologyLink> Topology(DateTimeOffset? since = null)
        {
            using SqliteConnection c = OpenRead();
            using SqliteCommand cmd = c.CreateCommand();
            cmd.CommandText = "SELECT network, node, neighbours, heartbeat_at FROM nodes WHERE neighbours IS NOT NULL" +
                (since.HasValue ? " AND heartbeat_at >= $since" : "") + " ORDER BY node;";
            if (since.HasValue)
            {
                cmd.Parameters.AddWithValue("$since", since.Value.ToUnixTimeMilliseconds());
            }

            var links = new List<TopologyLink>();
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                var network = (ushort)r.GetInt64(0);
                var from = (uint)r.GetInt64(1);
                DateTimeOffset at = DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(3));
                foreach (NeighbourLink l in HistoryJson.ParseNeighbours(r.GetString(2)))
                {
                    links.Add(new TopologyLink(network, from, l.Node, l.Rssi, l.Quality, at));
                }
            }

            return links;
        }

        /// <summary>Node events matching every given filter; same ordering, range and limit rules as <see cref="QueryReadings"/>.</summary>
        public IReadOnlyList<NodeEvent> Events(uint? node, string? kind, DateTimeOffset? from, DateTimeOffset? to, int limit)
        {
            ArgumentOutOfRangeException.ThrowIfLessThan(limit, 1);
            using SqliteConnection c = OpenRead();
            using SqliteCommand cmd = c.CreateCommand();
            var where = new StringBuilder("1 = 1");
            Filter(cmd, where, node, from, to);
            if (kind != null)
            {
                where.Append(" AND kind = $kind");
                cmd.Parameters.AddWithValue("$kind", kind);
            }

            cmd.Parameters.AddWithValue("$limit", Math.Min(limit, _options.MaxQueryRows));
            cmd.CommandText = "SELECT network, node, ts, kind, detail FROM (SELECT id, network, node, ts, kind, detail FROM node_events " +
                $"WHERE {where} ORDER BY ts DESC, id DESC LIMIT $limit) ORDER BY ts, id;";
            var list = new List<NodeEvent>();
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(new NodeEvent(
                    r.IsDBNull(0) ? null : (ushort)r.GetInt64(0),
                    (uint)r.GetInt64(1),
                    DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(2)),
                    r.GetString(3),
                    r.IsDBNull(4) ? null : r.GetString(4)));
            }

            return list;
        }

        /// <summary>The newest sequence stored per node (to restore the mesh's replay state after a restart).</summary>
        public IReadOnlyList<(uint Node, uint Sequence)> HighestSequences()
        {
            var list = new List<(uint, uint)>();
            using SqliteConnection c = OpenRead();
            using SqliteCommand cmd = c.CreateCommand();
            cmd.CommandText = "SELECT node, MAX(sequence) FROM readings GROUP BY node";
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(((uint)r.GetInt64(0), (uint)r.GetInt64(1)));
            }

            return list;
        }

        /// <summary>Stored readings, of one node if given.</summary>
        public long CountReadings(uint? node = null) =>
            Count("SELECT COUNT(*) FROM readings" + (node.HasValue ? " WHERE node = $node" : ""), node, null);

        /// <summary>Stored node events, of one kind if given.</summary>
        public long CountEvents(string? kind = null) =>
            Count("SELECT COUNT(*) FROM node_events" + (kind != null ? " WHERE kind = $kind" : ""), null, kind);

        /// <summary>The schema version recorded in the file (<c>PRAGMA user_version</c>).</summary>
        public int StoredSchemaVersion()
        {
            using SqliteConnection c = OpenRead();
            return Convert.ToInt32(Scalar(c, "PRAGMA user_version;"), CultureInfo.InvariantCulture);
        }

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

        private void InBatch(Action<HistoryBatch> write)
        {
            using HistoryBatch b = BeginBatch();
            write(b);
            b.Commit();
        }

        private SqliteConnection OpenRead()
        {
            ThrowIfDisposed();
            var c = new SqliteConnection(_connectionString);
            c.Open();
            return c;
        }

        private void ThrowIfDisposed() => ObjectDisposedException.ThrowIf(_disposed, this);

        private static void Filter(SqliteCommand cmd, StringBuilder where, uint? node, DateTimeOffset? from, DateTimeOffset? to)
        {
            if (node.HasValue)
            {
                where.Append(" AND node = $node");
                cmd.Parameters.AddWithValue("$node", (long)node.Value);
            }

            if (from.HasValue)
            {
                where.Append(" AND ts >= $from");
                cmd.Parameters.AddWithValue("$from", from.Value.ToUnixTimeMilliseconds());
            }

            if (to.HasValue)
            {
                where.Append(" AND ts < $to");
                cmd.Parameters.AddWithValue("$to", to.Value.ToUnixTimeMilliseconds());
            }
        }

        private static string Prefixed(string prefix) =>
            prefix + ReadingColumns.Replace(", ", ", " + prefix, StringComparison.Ordinal);

        private static List<SensorReading> ReadReadings(SqliteCommand cmd)
        {
            var list = new List<SensorReading>();
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(new SensorReading(
                    (ushort)r.GetInt64(0),
                    (uint)r.GetInt64(1),
                    r.GetString(2),
                    r.IsDBNull(3) ? double.NaN : r.GetDouble(3),
                    r.GetString(4),
                    DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
                    (uint)r.GetInt64(6),
                    (int)r.GetInt64(7),
                    (int)r.GetInt64(8)));
            }

            return list;
        }

        private List<NodeState> ReadNodes(uint? id)
        {
            using SqliteConnection c = OpenRead();
            using SqliteCommand cmd = c.CreateCommand();
            cmd.CommandText = """
                SELECT n.network, n.node, n.role, n.policy, n.uptime, n.last_seen, n.last_hops, n.last_rssi, n.neighbours, n.heartbeat_at,
                    (SELECT value FROM readings WHERE node = n.node AND quantity = 'battery' ORDER BY ts DESC, id DESC LIMIT 1),
                    (SELECT value FROM readings WHERE node = n.node AND quantity = 'battery_voltage' ORDER BY ts DESC, id DESC LIMIT 1)
                FROM nodes n
                """ + (id.HasValue ? " WHERE n.node = $node" : "") + " ORDER BY n.node;";
            if (id.HasValue)
            {
                cmd.Parameters.AddWithValue("$node", (long)id.Value);
            }

            var list = new List<NodeState>();
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                list.Add(new NodeState(
                    (ushort)r.GetInt64(0),
                    (uint)r.GetInt64(1),
                    r.IsDBNull(2) ? null : r.GetString(2),
                    r.IsDBNull(3) ? null : r.GetString(3),
                    r.IsDBNull(4) ? null : (uint)r.GetInt64(4),
                    DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(5)),
                    (int)r.GetInt64(6),
                    (int)r.GetInt64(7),
                    HistoryJson.ParseNeighbours(r.IsDBNull(8) ? null : r.GetString(8)),
                    r.IsDBNull(9) ? null : DateTimeOffset.FromUnixTimeMilliseconds(r.GetInt64(9)),
                    r.IsDBNull(10) ? null : r.GetDouble(10),
                    r.IsDBNull(11) ? null : r.GetDouble(11)));
            }

            return list;
        }

        private long Count(string sql, uint? node, string? kind)
        {
            using SqliteConnection c = OpenRead();
            using SqliteCommand cmd = c.CreateCommand();
            cmd.CommandText = sql;
            if (node.HasValue)
            {
                cmd.Parameters.AddWithValue("$node", (long)node.Value);
            }

            if (kind != null)
            {
                cmd.Parameters.AddWithValue("$kind", kind);
            }

            return (long)cmd.ExecuteScalar()!;
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

        /// <summary>The prepared write statements, reused for every row (parameters only change value).</summary>
        internal sealed class Statements : IDisposable
        {
            // The per-reading insert, bound by position (see PreparedStatement): ?1 network, ?2 node, ?3 quantity,
            // ?4 value, ?5 unit, ?6 ts, ?7 sequence, ?8 hops, ?9 rssi.
            public readonly Hosting.PreparedStatement InsertReading;

            public readonly SqliteCommand Seen;
            public readonly SqliteParameter SNetwork, SNode, STs, SHops, SRssi;

            public readonly SqliteCommand Heartbeat;
            public readonly SqliteParameter HNode, HRole, HPolicy, HUptime, HNeighbours, HTs;

            public readonly SqliteCommand InsertEvent;
            public readonly SqliteParameter ENetwork, ENode, ETs, EKind, EDetail;

            public readonly SqliteCommand InsertCommandEvent;
            public readonly SqliteParameter CNode, CTs, CDetail;

            public Statements(SqliteConnection c)
            {
                InsertReading = new Hosting.PreparedStatement(c, $"INSERT INTO readings({ReadingColumns}) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9);");

                // A node's last-seen state follows its newest message, whatever order messages are stored in.
                Seen = Command(c, """
                    INSERT INTO nodes(node, network, last_seen, last_hops, last_rssi) VALUES($node, $network, $ts, $hops, $rssi)
                    ON CONFLICT(node) DO UPDATE SET network = excluded.network, last_seen = excluded.last_seen,
                        last_hops = excluded.last_hops, last_rssi = excluded.last_rssi
                    WHERE excluded.last_seen >= nodes.last_seen;
                    """);
                SNetwork = Param(Seen, "$network");
                SNode = Param(Seen, "$node");
                STs = Param(Seen, "$ts");
                SHops = Param(Seen, "$hops");
                SRssi = Param(Seen, "$rssi");

                Heartbeat = Command(c, """
                    UPDATE nodes SET role = $role, policy = $policy, uptime = $uptime, neighbours = $neighbours, heartbeat_at = $ts
                    WHERE node = $node AND (heartbeat_at IS NULL OR heartbeat_at <= $ts);
                    """);
                HNode = Param(Heartbeat, "$node");
                HRole = Param(Heartbeat, "$role");
                HPolicy = Param(Heartbeat, "$policy");
                HUptime = Param(Heartbeat, "$uptime");
                HNeighbours = Param(Heartbeat, "$neighbours");
                HTs = Param(Heartbeat, "$ts");

                InsertEvent = Command(c, "INSERT INTO node_events(network, node, ts, kind, detail) VALUES($network, $node, $ts, $kind, $detail);");
                ENetwork = Param(InsertEvent, "$network");
                ENode = Param(InsertEvent, "$node");
                ETs = Param(InsertEvent, "$ts");
                EKind = Param(InsertEvent, "$kind");
                EDetail = Param(InsertEvent, "$detail");

                // Command outcomes carry no network id: take the node's, if it has been heard.
                InsertCommandEvent = Command(c, "INSERT INTO node_events(network, node, ts, kind, detail) " +
                    "VALUES((SELECT network FROM nodes WHERE node = $node), $node, $ts, 'command', $detail);");
                CNode = Param(InsertCommandEvent, "$node");
                CTs = Param(InsertCommandEvent, "$ts");
                CDetail = Param(InsertCommandEvent, "$detail");
            }

            public void Prepare(SqliteTransaction tx)
            {
                Seen.Transaction = tx;
                Heartbeat.Transaction = tx;
                InsertEvent.Transaction = tx;
                InsertCommandEvent.Transaction = tx;
            }

            public void Dispose()
            {
                InsertReading.Dispose();
                Seen.Dispose();
                Heartbeat.Dispose();
                InsertEvent.Dispose();
                InsertCommandEvent.Dispose();
            }

            private static SqliteCommand Command(SqliteConnection c, string sql)
            {
                SqliteCommand cmd = c.CreateCommand();
                cmd.CommandText = sql;
                return cmd;
            }

            private static SqliteParameter Param(SqliteCommand cmd, string name)
            {
                var p = new SqliteParameter { ParameterName = name, Value = DBNull.Value };
                cmd.Parameters.Add(p);
                return p;
            }
        }
    }
}
