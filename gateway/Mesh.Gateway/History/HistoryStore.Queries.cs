using System;
using System.Collections.Generic;
using System.Text;
using Mesh.Gateway.Model;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.History
{
    /// <summary>
    /// Reading: queries of readings, node state, topology, events and counts, each on its own pooled
    /// connection, and the helpers that build their filters and read their rows.
    /// </summary>
    public sealed partial class HistoryStore
    {
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
                    (SELECT value FROM readings WHERE node = n.node AND quantity = 'battery_voltage' ORDER BY ts DESC, id DESC LIMIT 1),
                    n.neighbours_known
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
                    r.IsDBNull(11) ? null : r.GetDouble(11),
                    r.IsDBNull(12) ? null : (int)r.GetInt64(12)));
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
    }
}
