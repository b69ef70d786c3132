using System;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.History
{
    /// <summary>
    /// The prepared write statements the batches reuse.
    /// </summary>
    public sealed partial class HistoryStore
    {
        /// <summary>The prepared write statements, reused for every row (parameters only change value).</summary>
        internal sealed class Statements : IDisposable
        {
            // The per-reading insert, bound by position (see PreparedStatement): ?1 network, ?2 node, ?3 quantity,
            // ?4 value, ?5 unit, ?6 ts, ?7 sequence, ?8 hops, ?9 rssi.
            public readonly Hosting.PreparedStatement InsertReading;

            public readonly SqliteCommand Seen;
            public readonly SqliteParameter SNetwork, SNode, STs, SHops, SRssi;

            public readonly SqliteCommand Heartbeat;
            public readonly SqliteParameter HNode, HRole, HPolicy, HUptime, HNeighbours, HKnown, HTs;

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
                    UPDATE nodes SET role = $role, policy = $policy, uptime = $uptime, neighbours = $neighbours, neighbours_known = $known, heartbeat_at = $ts
                    WHERE node = $node AND (heartbeat_at IS NULL OR heartbeat_at <= $ts);
                    """);
                HNode = Param(Heartbeat, "$node");
                HRole = Param(Heartbeat, "$role");
                HPolicy = Param(Heartbeat, "$policy");
                HUptime = Param(Heartbeat, "$uptime");
                HNeighbours = Param(Heartbeat, "$neighbours");
                HKnown = Param(Heartbeat, "$known");
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
