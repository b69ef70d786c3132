using System;
using System.Collections.Generic;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.Provisioning
{
    /// <summary>
    /// The last command counter this gateway's core executed per commander (PROTOCOL.md, "Command
    /// freshness"), kept in the registry file. A gateway is commanded by another gateway that provisioned it
    /// (key refresh phases); without these counters a restarted gateway would run a retried phase command
    /// again (and refuse it as invalid) instead of answering "already executed", and would run a replayed
    /// command at all.
    /// </summary>
    public sealed class CommandCounterStore : IDisposable
    {
        private readonly SqliteConnection _db;

        public CommandCounterStore(string registryPath)
        {
            // NodeRegistry creates the file private before anything is written; open it the same way.
            new NodeRegistry(registryPath).Dispose();
            _db = new SqliteConnection(new SqliteConnectionStringBuilder { DataSource = registryPath, Pooling = false }.ToString());
            _db.Open();
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "CREATE TABLE IF NOT EXISTS command_counters (commander INTEGER PRIMARY KEY, counter INTEGER NOT NULL)";
            cmd.ExecuteNonQuery();
        }

        /// <summary>Pairs commander, counter, as <c>NodeConfig.InitialCommandCounters</c> takes them.</summary>
        public uint[] Load()
        {
            var pairs = new List<uint>();
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = "SELECT commander, counter FROM command_counters ORDER BY commander";
            using SqliteDataReader r = cmd.ExecuteReader();
            while (r.Read())
            {
                pairs.Add((uint)r.GetInt64(0));
                pairs.Add((uint)r.GetInt64(1));
            }

            return pairs.ToArray();
        }

        public void Save(uint commander, uint counter)
        {
            using SqliteCommand cmd = _db.CreateCommand();
            cmd.CommandText = """
                INSERT INTO command_counters(commander, counter) VALUES ($commander, $counter)
                ON CONFLICT(commander) DO UPDATE SET counter = $counter
                """;
            cmd.Parameters.AddWithValue("$commander", (long)commander);
            cmd.Parameters.AddWithValue("$counter", (long)counter);
            cmd.ExecuteNonQuery();
        }

        public void Dispose() => _db.Dispose();
    }
}
