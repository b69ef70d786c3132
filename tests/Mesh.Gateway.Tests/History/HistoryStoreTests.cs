using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using Mesh.Gateway.History;
using Mesh.Gateway.Model;
using Microsoft.Data.Sqlite;

namespace Mesh.Gateway.Tests.History
{
    public sealed class HistoryStoreTests : IDisposable
    {
        private static readonly DateTimeOffset T0 = Make.T0;
        private readonly TempFolder _dir = new();

        public void Dispose() => _dir.Dispose();

        private static List<SensorReading> Series(uint node, string quantity, int count, double start)
        {
            var list = new List<SensorReading>();
            for (int i = 0; i < count; i++)
            {
                list.Add(Make.Reading(node, quantity, start + i, T0.AddMinutes(i), (uint)(i + 1)));
            }

            return list;
        }

        [Fact]
        public void Readings_round_trip_with_node_quantity_and_time_filters()
        {
            using var store = new HistoryStore(_dir.Options());
            store.AppendReadings(Series(7, "temperature", 10, 20));
            store.AppendReadings(Series(7, "humidity", 10, 50));
            store.AppendReadings(Series(8, "temperature", 10, 30));

            IReadOnlyList<SensorReading> all = store.QueryReadings(null, null, null, null, 1000);
            Assert.Equal(30, all.Count);
            Assert.True(all.Zip(all.Skip(1)).All(p => p.First.Timestamp <= p.Second.Timestamp), "ascending time order");

            IReadOnlyList<SensorReading> t7 = store.QueryReadings(7, "temperature", null, null, 1000);
            Assert.Equal(Series(7, "temperature", 10, 20), t7); // every field round-trips (times are whole ms)

            Assert.Equal(20, store.QueryReadings(7, null, null, null, 1000).Count);
            Assert.Equal(20, store.QueryReadings(null, "temperature", null, null, 1000).Count);

            // from inclusive, to exclusive
            IReadOnlyList<SensorReading> window = store.QueryReadings(8, "temperature", T0.AddMinutes(2), T0.AddMinutes(5), 1000);
            Assert.Equal(new[] { 32.0, 33.0, 34.0 }, window.Select(r => r.Value));
            Assert.Empty(store.QueryReadings(9, null, null, null, 1000));
            Assert.Equal(30, store.CountReadings());
            Assert.Equal(10, store.CountReadings(8));
        }

        [Fact]
        public void A_limited_query_returns_the_newest_matching_rows_oldest_first_and_the_limit_is_capped()
        {
            HistoryOptions options = _dir.Options();
            options.MaxQueryRows = 5;
            using var store = new HistoryStore(options);
            store.AppendReadings(Series(7, "temperature", 10, 0));

            Assert.Equal(new[] { 7.0, 8.0, 9.0 }, store.QueryReadings(7, "temperature", null, null, 3).Select(r => r.Value));
            Assert.Equal(new[] { 5.0, 6.0, 7.0, 8.0, 9.0 }, store.QueryReadings(7, null, null, null, 1_000_000).Select(r => r.Value));
            Assert.Equal(new[] { 2.0, 3.0 }, store.QueryReadings(7, null, null, T0.AddMinutes(4), 2).Select(r => r.Value));
            Assert.Throws<ArgumentOutOfRangeException>(() => store.QueryReadings(7, null, null, null, 0));
        }

        [Fact]
        public void Latest_readings_give_the_newest_value_of_each_quantity()
        {
            using var store = new HistoryStore(_dir.Options());
            store.AppendReadings(Series(7, "temperature", 10, 20));
            store.AppendReadings(Series(7, "humidity", 4, 50));
            store.AppendReadings(new[] { Make.Reading(7, "battery", 88, T0.AddMinutes(1)), Make.Reading(7, "battery", double.NaN, T0) });
            store.AppendReadings(Series(8, "co2", 3, 400));
            // stored later but measured earlier: does not replace the newest
            store.AppendReadings(new[] { Make.Reading(7, "temperature", -5, T0.AddMinutes(-1)) });

            IReadOnlyList<SensorReading> latest = store.LatestReadings(7);
            Assert.Equal(new[] { "battery", "humidity", "temperature" }, latest.Select(r => r.Quantity));
            Assert.Equal(new[] { 88.0, 53.0, 29.0 }, latest.Select(r => r.Value));
            Assert.Equal(T0.AddMinutes(9), latest[2].Timestamp);
            Assert.Empty(store.LatestReadings(99));
            Assert.True(double.IsNaN(store.QueryReadings(7, "battery", null, T0.AddSeconds(1), 10).Single().Value), "NaN survives as NULL");
        }

        [Fact]
        public void Heartbeats_update_node_state_and_topology()
        {
            using var store = new HistoryStore(_dir.Options());
            store.AppendReadings(new[] { Make.Reading(5, "temperature", 20, T0, hops: 3, rssi: -90) });
            NodeState first = Assert.Single(store.Nodes());
            Assert.Equal(5u, first.Node);
            Assert.Null(first.Role);
            Assert.Null(first.UptimeSeconds);
            Assert.Empty(first.Neighbours);
            Assert.Equal((T0, 3, -90), (first.LastSeen, first.Hops, first.Rssi));

            store.RecordHeartbeat(Make.Heartbeat(5, T0.AddMinutes(1), 600, new NeighbourLink(6, -60, 200), new NeighbourLink(7, -80, 120)));
            store.RecordHeartbeat(Make.Heartbeat(6, T0.AddMinutes(1), 900, new NeighbourLink(5, -62, 190)));
            // an older heartbeat stored late must not roll the state back
            store.RecordHeartbeat(Make.Heartbeat(5, T0.AddSeconds(30), 570));
            store.AppendReadings(new[] { Make.Reading(5, "battery", 71, T0.AddMinutes(2)), Make.Reading(5, "battery_voltage", 3.71, T0.AddMinutes(2)) });

            NodeState n5 = store.Node(5)!;
            Assert.Equal("sensor", n5.Role);
            Assert.Equal("flooding", n5.Policy);
            Assert.Equal(600u, n5.UptimeSeconds);
            Assert.Equal(T0.AddMinutes(1), n5.LastHeartbeat);
            Assert.Equal(T0.AddMinutes(2), n5.LastSeen);
            Assert.Equal(new[] { new NeighbourLink(6, -60, 200), new NeighbourLink(7, -80, 120) }, n5.Neighbours);
            Assert.Equal(71, n5.Battery);
            Assert.Equal(3.71, n5.BatteryVoltage);
            Assert.Null(store.Node(6)!.Battery);
            Assert.Null(store.Node(42));
            Assert.Equal(new uint[] { 5, 6 }, store.Nodes().Select(n => n.Node));

            Assert.Equal(
                new[]
                {
                    new TopologyLink(1, 5, 6, -60, 200, T0.AddMinutes(1)),
                    new TopologyLink(1, 5, 7, -80, 120, T0.AddMinutes(1)),
                    new TopologyLink(1, 6, 5, -62, 190, T0.AddMinutes(1)),
                },
                store.Topology());
            Assert.Empty(store.Topology(since: T0.AddMinutes(2)));

            IReadOnlyList<NodeEvent> beats = store.Events(5, "heartbeat", null, null, 10);
            Assert.Equal(2, beats.Count);
            Assert.Contains("\"uptime\":570", beats[0].Detail, StringComparison.Ordinal);
            Assert.Equal(3, store.CountEvents("heartbeat"));
        }

        [Fact]
        public void Commands_texts_and_custom_events_are_node_events()
        {
            using var store = new HistoryStore(_dir.Options());
            store.RecordHeartbeat(Make.Heartbeat(5, T0, 10));
            store.RecordCommand(new CommandOutcome(5, "ping", 9, CommandState.Acknowledged, "ok", T0, T0.AddMilliseconds(250)));
            store.RecordCommand(new CommandOutcome(77, "reboot", 0, CommandState.Rejected, "not_sent", T0, T0, "gateway stopped"));
            store.RecordText(1, 5, T0.AddSeconds(1), "hello \"mesh\"");
            store.RecordEvent(1, 5, T0.AddSeconds(2), "offline", "{\"silent_s\":900}");
            Assert.Throws<ArgumentException>(() => store.RecordEvent(1, 5, T0, "offline", "not json"));
            Assert.Throws<ArgumentException>(() => store.RecordEvent(1, 5, T0, "", null));

            NodeEvent ping = store.Events(5, "command", null, null, 10).Single();
            Assert.Equal((ushort?)1, ping.Network);
            Assert.Equal(T0.AddMilliseconds(250), ping.Timestamp);
            Assert.Contains("\"state\":\"acknowledged\"", ping.Detail, StringComparison.Ordinal);
            Assert.Contains("\"round_trip_ms\":250", ping.Detail, StringComparison.Ordinal);
            NodeEvent refused = store.Events(77, null, null, null, 10).Single();
            Assert.Null(refused.Network);
            Assert.Contains("gateway stopped", refused.Detail, StringComparison.Ordinal);
            Assert.Contains("hello \\u0022mesh\\u0022", store.Events(5, "text", null, null, 10).Single().Detail, StringComparison.Ordinal);
            Assert.Equal("{\"silent_s\":900}", store.Events(null, "offline", null, null, 10).Single().Detail);
            Assert.Equal(5, store.CountEvents());
        }

        [Fact]
        public void A_batch_is_one_transaction_and_rolls_back_unless_committed()
        {
            using var store = new HistoryStore(_dir.Options());
            using (HistoryBatch b = store.BeginBatch())
            {
                b.AppendReadings(Series(7, "temperature", 5, 0));
                Assert.Throws<ArgumentException>(() => b.AppendReadings(new[] { Make.Reading(7, "humidity", 1, T0) with { Unit = null! } }));
            }

            Assert.Equal(0, store.CountReadings());
            Assert.Empty(store.Nodes());
            using (HistoryBatch b = store.BeginBatch())
            {
                b.AppendReadings(Series(7, "temperature", 5, 0));
                b.RecordHeartbeat(Make.Heartbeat(7, T0, 1));
                Assert.Equal(6, b.Rows);
                b.Commit();
            }

            Assert.Equal(5, store.CountReadings());
        }

        [Fact]
        public void Retention_deletes_only_rows_older_than_the_cutoff()
        {
            HistoryOptions options = _dir.Options();
            options.RetentionDays = 7;
            using var store = new HistoryStore(options);
            DateTimeOffset now = T0.AddDays(30);
            store.AppendReadings(new[]
            {
                Make.Reading(1, "temperature", 1, now.AddDays(-8)),
                Make.Reading(1, "temperature", 2, now.AddDays(-7).AddMilliseconds(-1)),
                Make.Reading(1, "temperature", 3, now.AddDays(-7)),
                Make.Reading(2, "temperature", 4, now.AddDays(-1)),
                Make.Reading(3, "temperature", 5, now.AddDays(-9)),
            });
            store.RecordHeartbeat(Make.Heartbeat(1, now.AddDays(-10), 1));
            store.RecordHeartbeat(Make.Heartbeat(2, now.AddHours(-1), 1));

            RetentionResult r = store.ApplyRetention(now);

            Assert.Equal(now.AddDays(-7), r.Cutoff);
            Assert.Equal((3L, 1L, 1L), (r.Readings, r.Events, r.Nodes));
            Assert.Equal(new[] { 3.0, 4.0 }, store.QueryReadings(null, null, null, null, 100).Select(x => x.Value));
            Assert.Equal(new uint[] { 1, 2 }, store.Nodes().Select(n => n.Node)); // node 3 last seen 9 days ago
            Assert.Equal(1, store.CountEvents());
            Assert.Equal(new RetentionResult(now.AddDays(-7), 0, 0, 0), store.ApplyRetention(now));
        }

        [Fact]
        public void Retention_deletes_large_amounts_in_chunks()
        {
            using var store = new HistoryStore(_dir.Options());
            var old = new List<SensorReading>();
            for (int i = 0; i < 45_000; i++)
            {
                old.Add(Make.Reading((uint)(i % 50) + 1, "temperature", i, T0.AddMilliseconds(i)));
            }

            store.AppendReadings(old);
            store.AppendReadings(new[] { Make.Reading(1, "humidity", 1, T0.AddDays(40)) });
            Assert.Equal(45_000, store.ApplyRetention(T0.AddDays(45)).Readings);
            Assert.Equal(1, store.CountReadings());
        }

        [Fact]
        public void Data_survives_reopening_the_store()
        {
            HistoryOptions options = _dir.Options();
            using (var store = new HistoryStore(options))
            {
                store.AppendReadings(Series(7, "temperature", 10, 20));
                store.RecordHeartbeat(Make.Heartbeat(7, T0.AddHours(1), 3600, new NeighbourLink(8, -50, 255)));
            }

            Assert.False(File.Exists(options.Path + "-wal") && new FileInfo(options.Path + "-wal").Length > 0, "closed cleanly: WAL checkpointed");
            using (var store = new HistoryStore(options))
            {
                Assert.Equal(Series(7, "temperature", 10, 20), store.QueryReadings(7, "temperature", null, null, 100));
                Assert.Equal(3600u, store.Node(7)!.UptimeSeconds);
                Assert.Single(store.Topology());
                store.AppendReadings(Series(7, "humidity", 1, 40));
                Assert.Equal(11, store.CountReadings());
            }
        }

        [Fact]
        public void Schema_version_is_recorded_WAL_is_on_and_reopening_is_idempotent()
        {
            HistoryOptions options = _dir.Options();
            using (var store = new HistoryStore(options))
            {
                Assert.Equal(HistoryStore.SchemaVersion, store.StoredSchemaVersion());
                Assert.Equal("wal", store.JournalMode);
            }

            using (var store = new HistoryStore(options))
            {
                Assert.Equal(HistoryStore.SchemaVersion, store.StoredSchemaVersion());
            }

            using var raw = new SqliteConnection($"Data Source={options.Path};Pooling=False");
            raw.Open();
            using SqliteCommand cmd = raw.CreateCommand();
            cmd.CommandText = "PRAGMA user_version;";
            Assert.Equal((long)HistoryStore.SchemaVersion, cmd.ExecuteScalar());
            cmd.CommandText = "SELECT group_concat(name, ',') FROM (SELECT name FROM sqlite_master WHERE name NOT LIKE 'sqlite_%' ORDER BY name);";
            Assert.Equal("node_events,node_events_node_ts,node_events_ts,nodes,readings,readings_node_quantity_ts,readings_ts", cmd.ExecuteScalar());
            cmd.CommandText = "PRAGMA journal_mode;";
            Assert.Equal("wal", cmd.ExecuteScalar());
        }

        [Fact]
        public void A_version_1_file_is_upgraded_in_place_and_a_heartbeat_then_keeps_how_many_neighbours_the_node_knows()
        {
            HistoryOptions options = _dir.Options();
            using (var raw = new SqliteConnection($"Data Source={options.Path};Pooling=False"))
            {
                // The schema as version 1 wrote it, with a node in it.
                raw.Open();
                using SqliteCommand cmd = raw.CreateCommand();
                cmd.CommandText = "CREATE TABLE readings(id INTEGER PRIMARY KEY, network INTEGER NOT NULL, node INTEGER NOT NULL, quantity TEXT NOT NULL, " +
                    "value REAL, unit TEXT NOT NULL, ts INTEGER NOT NULL, sequence INTEGER NOT NULL, hops INTEGER NOT NULL, rssi INTEGER NOT NULL);" +
                    "CREATE TABLE node_events(id INTEGER PRIMARY KEY, network INTEGER, node INTEGER NOT NULL, ts INTEGER NOT NULL, kind TEXT NOT NULL, detail TEXT);" +
                    "CREATE TABLE nodes(node INTEGER PRIMARY KEY, network INTEGER NOT NULL, role TEXT, policy TEXT, uptime INTEGER, " +
                    "last_seen INTEGER NOT NULL, last_hops INTEGER NOT NULL, last_rssi INTEGER NOT NULL, neighbours TEXT, heartbeat_at INTEGER);" +
                    "INSERT INTO nodes(node, network, role, last_seen, last_hops, last_rssi, neighbours, heartbeat_at) VALUES(7, 1, 'relay', 1000, 2, -70, '[]', 1000);" +
                    "PRAGMA user_version = 1;";
                cmd.ExecuteNonQuery();
            }

            using var store = new HistoryStore(options);
            Assert.Equal(2, store.StoredSchemaVersion());
            NodeState before = store.Node(7)!;
            Assert.Equal("relay", before.Role); // kept through the upgrade
            Assert.Null(before.NeighboursKnown); // version 1 did not keep it

            store.RecordHeartbeat(Make.Heartbeat(7, T0, 60, new NeighbourLink(8, -60, 200)) with { NeighboursKnown = 17 });
            Assert.Equal(17, store.Node(7)!.NeighboursKnown);
            Assert.Equal(17, store.Nodes().Single(n => n.Node == 7).NeighboursKnown);

            // An older sender's heartbeat without block 3 says nothing about it.
            store.RecordHeartbeat(Make.Heartbeat(7, T0.AddMinutes(1), 120, new NeighbourLink(8, -60, 200)));
            Assert.Null(store.Node(7)!.NeighboursKnown);
        }

        [Fact]
        public void An_interrupted_migration_completes_on_the_next_open()
        {
            HistoryOptions options = _dir.Options();
            using (var raw = new SqliteConnection($"Data Source={options.Path};Pooling=False"))
            {
                raw.Open();
                using SqliteCommand cmd = raw.CreateCommand();
                cmd.CommandText = "CREATE TABLE readings(id INTEGER PRIMARY KEY, network INTEGER NOT NULL, node INTEGER NOT NULL, quantity TEXT NOT NULL, " +
                    "value REAL, unit TEXT NOT NULL, ts INTEGER NOT NULL, sequence INTEGER NOT NULL, hops INTEGER NOT NULL, rssi INTEGER NOT NULL);";
                cmd.ExecuteNonQuery();
            }

            using var store = new HistoryStore(options);
            Assert.Equal(HistoryStore.SchemaVersion, store.StoredSchemaVersion());
            store.AppendReadings(Series(1, "temperature", 2, 0));
            Assert.Equal(2, store.CountReadings());
        }

        [Fact]
        public void Opening_a_file_that_is_not_a_database_fails_with_a_message_naming_the_path()
        {
            HistoryOptions options = _dir.Options("corrupt.db");
            File.WriteAllText(options.Path, string.Concat(Enumerable.Repeat("this is not a SQLite database. ", 300)));

            InvalidDataException ex = Assert.Throws<InvalidDataException>(() => new HistoryStore(options));

            Assert.Contains(options.Path, ex.Message, StringComparison.Ordinal);
            Assert.Contains("not a SQLite database", ex.Message, StringComparison.Ordinal);
            File.Delete(options.Path); // the failed open left no handle behind
        }

        [Fact]
        public void A_database_with_a_newer_schema_is_refused()
        {
            HistoryOptions options = _dir.Options();
            using (var raw = new SqliteConnection($"Data Source={options.Path};Pooling=False"))
            {
                raw.Open();
                using SqliteCommand cmd = raw.CreateCommand();
                cmd.CommandText = "PRAGMA user_version = 99;";
                cmd.ExecuteNonQuery();
            }

            InvalidDataException ex = Assert.Throws<InvalidDataException>(() => new HistoryStore(options));
            Assert.Contains("schema version 99", ex.Message, StringComparison.Ordinal);
            Assert.Contains(options.Path, ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void A_path_in_a_missing_folder_is_created_and_an_unusable_path_is_reported()
        {
            HistoryOptions nested = new() { Path = _dir.File(Path.Combine("a", "b", "history.db")) };
            using (var store = new HistoryStore(nested))
            {
                Assert.True(File.Exists(nested.Path));
            }

            HistoryOptions folder = new() { Path = _dir.Path };
            IOException ex = Assert.Throws<IOException>(() => new HistoryStore(folder));
            Assert.Contains(_dir.Path, ex.Message, StringComparison.Ordinal);
        }

        [Theory]
        [InlineData("RetentionDays", 0, "History:RetentionDays must be between 1 and 3650 (was 0)")]
        [InlineData("RetentionDays", 3651, "History:RetentionDays must be between 1 and 3650 (was 3651)")]
        [InlineData("BatchSize", 0, "History:BatchSize must be between 1 and 1000000 (was 0)")]
        [InlineData("QueueCapacity", 10, "History:QueueCapacity must be between 1000 and 100000000 (was 10)")]
        public void Options_validation_names_the_setting(string setting, int value, string expected)
        {
            var options = new HistoryOptions();
            Assert.Null(options.Validate());
            typeof(HistoryOptions).GetProperty(setting)!.SetValue(options, value);
            Assert.Equal(expected, options.Validate());
            ArgumentException ex = Assert.Throws<ArgumentException>(() => new HistoryStore(options));
            Assert.Contains(expected, ex.Message, StringComparison.Ordinal);
        }

        [Fact]
        public void Options_validation_reports_every_problem()
        {
            var options = new HistoryOptions { Path = " ", RetentionDays = -1 };
            string error = options.Validate()!;
            Assert.Contains("History:Path is required", error, StringComparison.Ordinal);
            Assert.Contains("History:RetentionDays must be between 1 and 3650 (was -1)", error, StringComparison.Ordinal);
            Assert.Contains("History:Path", new HistoryOptions { Path = ":memory:" }.Validate(), StringComparison.Ordinal);
        }
    }
}
