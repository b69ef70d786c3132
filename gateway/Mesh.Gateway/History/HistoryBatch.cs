using System;
using System.Collections.Generic;
using Mesh.Gateway.Model;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.History
{
    /// <summary>
    /// One write transaction of a <see cref="HistoryStore"/> (from <see cref="HistoryStore.BeginBatch"/>): many
    /// records, one commit, prepared statements reused for every row. Each method checks its whole argument
    /// before writing anything, so a refused call leaves the batch as it was. Disposing without
    /// <see cref="Commit"/> rolls back. Not thread-safe; other writers wait until it is disposed.
    /// </summary>
    public sealed class HistoryBatch : IDisposable
    {
        private const int MaxKindLength = 64;

        private readonly HistoryStore _store;
        private readonly SqliteTransaction _tx;
        private readonly HistoryStore.Statements _s;
        private readonly Dictionary<uint, SensorReading> _newest = new();
        private bool _done;
        private bool _disposed;

        internal HistoryBatch(HistoryStore store, SqliteTransaction tx, HistoryStore.Statements statements)
        {
            _store = store;
            _tx = tx;
            _s = statements;
            _s.Prepare(tx);
        }

        /// <summary>Rows written so far (readings plus events).</summary>
        public int Rows { get; private set; }

        /// <summary>Why <paramref name="r"/> cannot be stored, or null if it can.</summary>
        public static string? Check(SensorReading? r)
        {
            if (r == null)
            {
                return "reading is null";
            }

            if (string.IsNullOrEmpty(r.Quantity))
            {
                return $"reading from node {r.Node} has no quantity";
            }

            return r.Unit == null ? $"reading {r.Quantity} from node {r.Node} has no unit" : null;
        }

        /// <summary>Why <paramref name="hb"/> cannot be stored, or null if it can.</summary>
        public static string? Check(NodeHeartbeat? hb)
        {
            if (hb == null)
            {
                return "heartbeat is null";
            }

            if (hb.Role == null || hb.Policy == null || hb.Neighbours == null)
            {
                return $"heartbeat from node {hb.Node} lacks role, policy or neighbours";
            }

            foreach (NeighbourLink? l in hb.Neighbours)
            {
                if (l == null)
                {
                    return $"heartbeat from node {hb.Node} has a null neighbour";
                }
            }

            return null;
        }

        /// <summary>Why <paramref name="c"/> cannot be stored, or null if it can.</summary>
        public static string? Check(CommandOutcome? c)
        {
            if (c == null)
            {
                return "command outcome is null";
            }

            return c.Command == null || c.Status == null ? $"command outcome for node {c.Node} lacks command or status" : null;
        }

        /// <summary>Why an event of <paramref name="kind"/> with <paramref name="detailJson"/> cannot be stored, or null if it can.</summary>
        public static string? CheckEvent(string? kind, string? detailJson)
        {
            if (string.IsNullOrWhiteSpace(kind) || kind.Length > MaxKindLength)
            {
                return $"event kind must be 1..{MaxKindLength} characters (was '{kind}')";
            }

            return detailJson != null && !HistoryJson.IsObject(detailJson) ? $"event '{kind}' detail is not a JSON object" : null;
        }

        public void AppendReadings(IReadOnlyList<SensorReading> readings)
        {
            ArgumentNullException.ThrowIfNull(readings);
            ThrowIfDone();
            foreach (SensorReading r in readings)
            {
                Refuse(Check(r), nameof(readings));
            }

            HistoryStore.Statements s = _s;
            foreach (SensorReading r in readings)
            {
                long ts = r.Timestamp.ToUnixTimeMilliseconds();
                Hosting.PreparedStatement insert = s.InsertReading;
                insert.Bind(1, (long)r.Network);
                insert.Bind(2, (long)r.Node);
                insert.Bind(3, r.Quantity);
                insert.Bind(4, r.Value); // NaN as NULL
                insert.Bind(5, r.Unit);
                insert.Bind(6, ts);
                insert.Bind(7, (long)r.Sequence);
                insert.Bind(8, (long)r.Hops);
                insert.Bind(9, (long)r.Rssi);
                insert.Execute();
                Rows++;

                if (!_newest.TryGetValue(r.Node, out SensorReading? n) || r.Timestamp >= n.Timestamp)
                {
                    _newest[r.Node] = r;
                }
            }
        }

        public void RecordHeartbeat(NodeHeartbeat heartbeat)
        {
            Refuse(Check(heartbeat), nameof(heartbeat));
            ThrowIfDone();
            long ts = heartbeat.Timestamp.ToUnixTimeMilliseconds();
            Seen(heartbeat.Network, heartbeat.Node, ts, heartbeat.Hops, heartbeat.Rssi);

            HistoryStore.Statements s = _s;
            s.HNode.Value = (long)heartbeat.Node;
            s.HRole.Value = heartbeat.Role;
            s.HPolicy.Value = heartbeat.Policy;
            s.HUptime.Value = (long)heartbeat.UptimeSeconds;
            s.HNeighbours.Value = HistoryJson.Neighbours(heartbeat.Neighbours);
            s.HKnown.Value = heartbeat.NeighboursKnown is int known ? known : DBNull.Value;
            s.HTs.Value = ts;
            s.Heartbeat.ExecuteNonQuery();

            Event(heartbeat.Network, heartbeat.Node, ts, "heartbeat", HistoryJson.Heartbeat(heartbeat));
        }

        public void RecordEvent(ushort network, uint node, DateTimeOffset timestamp, string kind, string? detailJson = null)
        {
            Refuse(CheckEvent(kind, detailJson), nameof(kind));
            ThrowIfDone();
            Event(network, node, timestamp.ToUnixTimeMilliseconds(), kind, detailJson);
        }

        public void RecordCommand(CommandOutcome outcome)
        {
            Refuse(Check(outcome), nameof(outcome));
            ThrowIfDone();
            HistoryStore.Statements s = _s;
            s.CNode.Value = (long)outcome.Node;
            s.CTs.Value = outcome.CompletedAt.ToUnixTimeMilliseconds();
            s.CDetail.Value = HistoryJson.Command(outcome);
            s.InsertCommandEvent.ExecuteNonQuery();
            Rows++;
        }

        public void RecordText(ushort network, uint node, DateTimeOffset timestamp, string text)
        {
            ArgumentNullException.ThrowIfNull(text);
            ThrowIfDone();
            Event(network, node, timestamp.ToUnixTimeMilliseconds(), "text", HistoryJson.Text(text));
        }

        /// <summary>Updates the last-seen state of every node a reading came from, then commits.</summary>
        public void Commit()
        {
            ThrowIfDone();
            foreach (SensorReading r in _newest.Values)
            {
                Seen(r.Network, r.Node, r.Timestamp.ToUnixTimeMilliseconds(), r.Hops, r.Rssi);
            }

            _newest.Clear();
            _tx.Commit();
            _done = true;
        }

        public void Dispose()
        {
            if (_disposed)
            {
                return;
            }

            _disposed = true;
            _done = true;
            try
            {
                _tx.Dispose(); // rolls back unless committed
            }
            finally
            {
                _store.EndBatch();
            }
        }

        private void Seen(ushort network, uint node, long ts, int hops, int rssi)
        {
            HistoryStore.Statements s = _s;
            s.SNetwork.Value = (long)network;
            s.SNode.Value = (long)node;
            s.STs.Value = ts;
            s.SHops.Value = (long)hops;
            s.SRssi.Value = (long)rssi;
            s.Seen.ExecuteNonQuery();
        }

        private void Event(ushort network, uint node, long ts, string kind, string? detail)
        {
            HistoryStore.Statements s = _s;
            s.ENetwork.Value = (long)network;
            s.ENode.Value = (long)node;
            s.ETs.Value = ts;
            s.EKind.Value = kind;
            s.EDetail.Value = (object?)detail ?? DBNull.Value;
            s.InsertEvent.ExecuteNonQuery();
            Rows++;
        }

        private void ThrowIfDone()
        {
            if (_done)
            {
                throw new InvalidOperationException("this history batch has been committed or disposed");
            }
        }

        private static void Refuse(string? problem, string parameter)
        {
            if (problem != null)
            {
                throw new ArgumentException(problem, parameter);
            }
        }
    }
}
