using System;
using System.Collections.Generic;
using System.Globalization;
using System.IO;
using Mesh.Protocol.Security;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>
    /// The network key and the state of a key refresh (PROTOCOL.md, "Key refresh and eviction"), kept in
    /// the node registry's file (private, 0600: it already holds every device key). A new key is stored
    /// here before any node is sent it, and every acknowledgement and phase change is stored as it
    /// happens, so a gateway restarted in the middle of a refresh resumes it instead of stranding nodes
    /// that already switched. Until a refresh completes the network key is <c>Mesh:Key</c> (index 0);
    /// afterwards it is the one stored here.
    /// </summary>
    public sealed partial class KeyRefreshStore : IDisposable
    {
        private readonly SqliteConnection _db;

        public KeyRefreshStore(string registryPath)
        {
            // NodeRegistry creates the file private before anything is written; open it the same way.
            new NodeRegistry(registryPath).Dispose();
            _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = registryPath, Pooling = false }.ToString());
            _db.Open();
            Execute("""
                CREATE TABLE IF NOT EXISTS network_key (
                    id        INTEGER PRIMARY KEY CHECK (id = 1),
                    key_index INTEGER NOT NULL,
                    key       TEXT    NOT NULL,
                    since     TEXT    NOT NULL
                );
                CREATE TABLE IF NOT EXISTS key_refresh (
                    id               INTEGER PRIMARY KEY AUTOINCREMENT,
                    old_index        INTEGER NOT NULL,
                    new_index        INTEGER NOT NULL,
                    new_key          TEXT,
                    phase            INTEGER NOT NULL,
                    gateway_phase    INTEGER NOT NULL,
                    deadline_seconds INTEGER NOT NULL,
                    evicted          TEXT    NOT NULL,
                    started          TEXT    NOT NULL,
                    stalled          TEXT,
                    finished         TEXT
                );
                CREATE TABLE IF NOT EXISTS key_refresh_nodes (
                    refresh_id  INTEGER NOT NULL,
                    node_id     INTEGER NOT NULL,
                    acked_phase INTEGER NOT NULL DEFAULT 0,
                    last_status TEXT,
                    PRIMARY KEY (refresh_id, node_id)
                );
                CREATE TABLE IF NOT EXISTS followed_refresh (
                    id        INTEGER PRIMARY KEY CHECK (id = 1),
                    key_index INTEGER NOT NULL,
                    key       TEXT    NOT NULL,
                    phase     INTEGER NOT NULL
                );
                """);
        }

        public sealed record NodeState(uint Node, int AckedPhase, string? LastStatus);

        /// <summary>One refresh: <see cref="Phase"/> 1..3 while it runs; <see cref="Finished"/> once the gateway dropped the old key.</summary>
        public sealed record Refresh(
            long Id,
            int OldIndex,
            int NewIndex,
            byte[]? NewKey,
            int Phase,
            int GatewayPhase,
            TimeSpan Deadline,
            IReadOnlyList<uint> Evicted,
            DateTimeOffset Started,
            string? Stalled,
            DateTimeOffset? Finished,
            IReadOnlyList<NodeState> Nodes)
        {
            public bool Running => Finished == null && Stalled == null;
        }

        /// <summary>The network key a completed refresh left (index, secret), or null: <c>Mesh:Key</c> with index 0.</summary>
        public (int Index, byte[] Secret)? CurrentKey()
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT key_index, key FROM network_key WHERE id = 1";
            using SqliteDataReader r = cmd.ExecuteReader();
            if (!r.Read())
            {
                return null;
            }

            byte[] secret = KeyHex.Parse(r.GetString(1)) ?? throw new InvalidDataException("the registry's network key is malformed");
            return (r.GetInt32(0), secret);
        }

        /// <summary>The newest refresh (running, stalled or finished), or null if none was ever started.</summary>
        public Refresh? Latest()
        {
            Refresh? refresh = null;
            using (SqliteCommand cmd = _db.CreateCommand())
            {
                cmd.CommandText = "SELECT id, old_index, new_index, new_key, phase, gateway_phase, deadline_seconds, evicted, started, stalled, finished FROM key_refresh ORDER BY id DESC LIMIT 1";
                using SqliteDataReader r = cmd.ExecuteReader();
                if (!r.Read())
                {
                    return null;
                }

                var evicted = new List<uint>();
                foreach (string n in r.GetString(7).Split(',', StringSplitOptions.RemoveEmptyEntries))
                {
                    evicted.Add(uint.Parse(n, CultureInfo.InvariantCulture));
                }

                refresh = new Refresh(r.GetInt64(0), r.GetInt32(1), r.GetInt32(2), r.IsDBNull(3) ? null : KeyHex.Parse(r.GetString(3)),
                    r.GetInt32(4), r.GetInt32(5), TimeSpan.FromSeconds(r.GetInt64(6)), evicted, Time(r.GetString(8)),
                    r.IsDBNull(9) ? null : r.GetString(9), r.IsDBNull(10) ? null : Time(r.GetString(10)), Array.Empty<NodeState>());
            }

            var nodes = new List<NodeState>();
            using (SqliteCommand cmd = _db.CreateCommand())
            {
                cmd.CommandText = "SELECT node_id, acked_phase, last_status FROM key_refresh_nodes WHERE refresh_id = $id ORDER BY node_id";
                cmd.Parameters.AddWithValue("$id", refresh.Id);
                using SqliteDataReader r = cmd.ExecuteReader();
                while (r.Read())
                {
                    nodes.Add(new NodeState((uint)r.GetInt64(0), r.GetInt32(1), r.IsDBNull(2) ? null : r.GetString(2)));
                }
            }

            return refresh with { Nodes = nodes };
        }

        /// <summary>
        /// Stores a new refresh in phase 1 with its new key and the nodes it goes to, in one transaction:
        /// nothing is sent before this returns. Returns its id.
        /// </summary>
        public long Begin(int oldIndex, int newIndex, byte[] newKey, TimeSpan deadline, IEnumerable<uint> nodes, IEnumerable<uint> evicted, DateTimeOffset now)
        {
            using SqliteTransaction tx = _db.BeginTransaction();
            long id;
            using (SqliteCommand cmd = _db.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = """
                    INSERT INTO key_refresh(old_index, new_index, new_key, phase, gateway_phase, deadline_seconds, evicted, started)
                    VALUES ($old, $new, $key, 1, 0, $deadline, $evicted, $started);
                    SELECT last_insert_rowid();
                    """;
                cmd.Parameters.AddWithValue("$old", oldIndex);
                cmd.Parameters.AddWithValue("$new", newIndex);
                cmd.Parameters.AddWithValue("$key", KeyHex.Format(newKey));
                cmd.Parameters.AddWithValue("$deadline", (long)deadline.TotalSeconds);
                cmd.Parameters.AddWithValue("$evicted", string.Join(",", evicted));
                cmd.Parameters.AddWithValue("$started", Text(now));
                id = (long)cmd.ExecuteScalar()!;
            }

            foreach (uint node in nodes)
            {
                using SqliteCommand cmd = _db.CreateCommand();
                cmd.Transaction = tx;
                cmd.CommandText = "INSERT INTO key_refresh_nodes(refresh_id, node_id) VALUES ($id, $node)";
                cmd.Parameters.AddWithValue("$id", id);
                cmd.Parameters.AddWithValue("$node", (long)node);
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
            return id;
        }

        /// <summary>Records a node's answer; <paramref name="ackedPhase"/> only ever rises.</summary>
        public void NodeAnswered(long id, uint node, int ackedPhase, string status)
        {
            Update("UPDATE key_refresh_nodes SET acked_phase = MAX(acked_phase, $phase), last_status = $status WHERE refresh_id = $id AND node_id = $node",
                ("$id", id), ("$node", (long)node), ("$phase", ackedPhase), ("$status", status));
        }

        public void SetPhase(long id, int phase) => Update("UPDATE key_refresh SET phase = $phase, stalled = NULL WHERE id = $id", ("$id", id), ("$phase", phase));

        /// <summary>What the gateway's own key ring holds (1: both keys, sends the old; 2: sends the new), stored before it is applied.</summary>
        public void SetGatewayPhase(long id, int phase) => Update("UPDATE key_refresh SET gateway_phase = $phase WHERE id = $id", ("$id", id), ("$phase", phase));

        public void Stall(long id, string why) => Update("UPDATE key_refresh SET stalled = $why WHERE id = $id", ("$id", id), ("$why", why));

        public void Unstall(long id, TimeSpan deadline) =>
            Update("UPDATE key_refresh SET stalled = NULL, deadline_seconds = $d WHERE id = $id", ("$id", id), ("$d", (long)deadline.TotalSeconds));

        /// <summary>
        /// Phase 3 done: the new key becomes the network key and the refresh is finished, in one
        /// transaction (the refresh row forgets its copy of the key).
        /// </summary>
        public void Finish(long id, int newIndex, byte[] newKey, DateTimeOffset now)
        {
            using SqliteTransaction tx = _db.BeginTransaction();
            WriteNetworkKey(tx, newIndex, newKey, now);
            using (SqliteCommand cmd = _db.CreateCommand())
            {
                cmd.Transaction = tx;
                cmd.CommandText = "UPDATE key_refresh SET phase = 3, gateway_phase = 0, new_key = NULL, stalled = NULL, finished = $at WHERE id = $id";
                cmd.Parameters.AddWithValue("$id", id);
                cmd.Parameters.AddWithValue("$at", Text(now));
                cmd.ExecuteNonQuery();
            }

            tx.Commit();
        }

        /// <summary>
        /// Sets the network key outright (a registry written by `provision --gateway` carries the exporting
        /// gateway's current key, so the new gateway runs on it whatever its Mesh:Key says).
        /// </summary>
        public void SetNetworkKey(int index, byte[] key, DateTimeOffset now)
        {
            using SqliteTransaction tx = _db.BeginTransaction();
            WriteNetworkKey(tx, index, key, now);
            tx.Commit();
        }

        public void Dispose() => _db.Dispose();

        private void WriteNetworkKey(SqliteTransaction tx, int index, byte[] key, DateTimeOffset now)
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.Transaction = tx;
            cmd.CommandText = """
                INSERT INTO network_key(id, key_index, key, since) VALUES (1, $index, $key, $since)
                ON CONFLICT(id) DO UPDATE SET key_index = $index, key = $key, since = $since
                """;
            cmd.Parameters.AddWithValue("$index", index);
            cmd.Parameters.AddWithValue("$key", KeyHex.Format(key));
            cmd.Parameters.AddWithValue("$since", Text(now));
            cmd.ExecuteNonQuery();
        }

        private static string Text(DateTimeOffset t) => t.UtcDateTime.ToString("O", CultureInfo.InvariantCulture);

        private static DateTimeOffset Time(string s) => DateTimeOffset.Parse(s, CultureInfo.InvariantCulture);

        private void Update(string sql, params (string Name, object Value)[] parameters)
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            foreach ((string name, object value) in parameters)
            {
                cmd.Parameters.AddWithValue(name, value);
            }

            cmd.ExecuteNonQuery();
        }

        private void Execute(string sql)
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = sql;
            cmd.ExecuteNonQuery();
        }
    }
}
