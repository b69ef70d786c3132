using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.Globalization;
using System.Linq;
using System.Threading.Tasks;
using Mesh.Gateway.History;
using Mesh.Gateway.Model;
using Microsoft.Data.Sqlite;
using Microsoft.Extensions.Logging;
using Xunit.Abstractions;

namespace Mesh.Gateway.Tests.History
{
    public sealed class HistoryWriterTests : IDisposable
    {
        private readonly TempFolder _dir = new();
        private readonly ITestOutputHelper _output;

        public HistoryWriterTests(ITestOutputHelper output)
        {
            _output = output;
        }

        public void Dispose() => _dir.Dispose();

        /// <summary>Recent times: the writer applies retention (30 days) when it starts.</summary>
        private static readonly DateTimeOffset Now = DateTimeOffset.FromUnixTimeMilliseconds(DateTimeOffset.UtcNow.ToUnixTimeMilliseconds());

        private static SensorReading[] Message(uint node, int index, DateTimeOffset at) => new[]
        {
            Make.Reading(node, "temperature", 20 + index % 10, at, (uint)index),
            Make.Reading(node, "humidity", 40 + index % 30, at, (uint)index),
            Make.Reading(node, "pressure", 1000 + index % 50, at, (uint)index),
            Make.Reading(node, "battery", 100 - index % 100, at, (uint)index),
            Make.Reading(node, "battery_voltage", 3.3, at, (uint)index),
        };

        [Fact]
        public async Task Disposing_the_writer_drains_everything_it_accepted()
        {
            using var store = new HistoryStore(_dir.Options());
            var logger = new ListLogger<HistoryWriter>();
            const int Messages = 4_000;
            var writer = new HistoryWriter(store, logger);
            for (int i = 0; i < Messages; i++)
            {
                writer.OnReadings(Message((uint)(i % 20) + 1, i, Now.AddMilliseconds(i)));
            }

            writer.OnHeartbeat(Make.Heartbeat(1, Now, 60, new NeighbourLink(2, -50, 250)));
            writer.OnCommandOutcome(new CommandOutcome(1, "ping", 3, CommandState.TimedOut, "timeout", Now, Now.AddSeconds(4)));
            writer.OnText(1, 2, "hi");
            Assert.True(writer.EnqueueEvent(1, 3, Now, "online"));
            await writer.DisposeAsync();

            Assert.Equal(Messages * 5, store.CountReadings());
            Assert.Equal(Messages * 5, writer.ReadingsWritten);
            Assert.Equal(writer.ReadingsAccepted, writer.ReadingsWritten);
            Assert.Equal(Messages + 4, writer.RecordsWritten);
            Assert.Equal(4, store.CountEvents());
            Assert.Equal(20, store.Nodes().Count);
            Assert.Single(store.Topology());
            Assert.Equal((0L, 0L, 0L), (writer.RecordsLost, writer.RecordsDropped, writer.WriteErrors));
            Assert.DoesNotContain(logger.Lines, l => l.Level >= LogLevel.Warning);

            writer.OnReadings(Message(1, 0, Now)); // after stop: refused, counted, logged
            Assert.Equal(1, writer.RecordsDropped);
            Assert.Contains(logger.Lines, l => l.Message.Contains("the writer has stopped", StringComparison.Ordinal));
            await Assert.ThrowsAsync<InvalidOperationException>(() => writer.FlushAsync());
        }

        [Fact]
        public async Task Flush_waits_for_what_was_accepted_before_it()
        {
            using var store = new HistoryStore(_dir.Options());
            await using var writer = new HistoryWriter(store, new ListLogger<HistoryWriter>());
            writer.OnReadings(Message(9, 1, Now));
            await writer.FlushAsync();
            Assert.Equal(5, store.LatestReadings(9).Count);
            Assert.Equal(99, store.Node(9)!.Battery);
        }

        [Fact]
        public async Task Malformed_records_are_refused_alone_and_logged()
        {
            using var store = new HistoryStore(_dir.Options());
            var logger = new ListLogger<HistoryWriter>();
            await using var writer = new HistoryWriter(store, logger);
            SensorReading good = Make.Reading(4, "temperature", 21, Now);
            writer.OnReadings(new[] { good, good with { Unit = null! }, good with { Quantity = "humidity" } });
            Assert.False(writer.EnqueueEvent(1, 4, Now, "offline", "{broken"));
            await writer.FlushAsync();

            Assert.Equal(2, store.CountReadings());
            Assert.Equal(2, writer.RecordsInvalid);
            Assert.Contains(logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("has no unit", StringComparison.Ordinal));
        }

        [Fact]
        public async Task Writes_blocked_by_a_lock_are_logged_with_the_reason_and_retried_until_they_succeed()
        {
            HistoryOptions options = _dir.Options();
            options.BusyTimeoutSeconds = 1;
            options.MaxRetryDelaySeconds = 1;
            using var store = new HistoryStore(options);
            var logger = new ListLogger<HistoryWriter>();
            await using var writer = new HistoryWriter(store, logger);
            await writer.FlushAsync(); // start-up retention done

            using var other = new SqliteConnection($"Data Source={options.Path};Pooling=False");
            other.Open();
            using (SqliteCommand begin = other.CreateCommand())
            {
                begin.CommandText = "BEGIN IMMEDIATE;"; // another program holds the write lock
                begin.ExecuteNonQuery();
            }

            for (int i = 0; i < 100; i++)
            {
                writer.OnReadings(Message(1, i, Now.AddMilliseconds(i)));
            }

            var wait = Stopwatch.StartNew();
            while (writer.WriteErrors < 2 && wait.Elapsed < TimeSpan.FromSeconds(20))
            {
                await Task.Delay(50);
            }

            Assert.True(writer.WriteErrors >= 2, "the locked write failed and was retried");
            Assert.Equal(0, store.CountReadings());
            using (SqliteCommand commit = other.CreateCommand())
            {
                commit.CommandText = "COMMIT;";
                commit.ExecuteNonQuery();
            }

            await writer.FlushAsync();
            Assert.Equal(500, store.CountReadings());
            Assert.Contains(logger.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("database is locked", StringComparison.Ordinal)
                && l.Message.Contains(store.Path, StringComparison.Ordinal));
            Assert.Contains(logger.Lines, l => l.Level == LogLevel.Information && l.Message.Contains("works again", StringComparison.Ordinal));
            Assert.Equal(0, writer.RecordsLost);
        }

        [Fact]
        public async Task When_writes_keep_failing_the_shutdown_deadline_gives_up_and_says_how_much_was_lost()
        {
            HistoryOptions options = _dir.Options();
            options.BusyTimeoutSeconds = 1;
            options.MaxRetryDelaySeconds = 1;
            options.ShutdownTimeoutSeconds = 2;
            using var store = new HistoryStore(options);
            var logger = new ListLogger<HistoryWriter>();
            var writer = new HistoryWriter(store, logger);
            await writer.FlushAsync();

            using var other = new SqliteConnection($"Data Source={options.Path};Pooling=False");
            other.Open();
            using SqliteCommand begin = other.CreateCommand();
            begin.CommandText = "BEGIN IMMEDIATE;";
            begin.ExecuteNonQuery();
            for (int i = 0; i < 10; i++)
            {
                writer.OnReadings(Message(1, i, Now));
            }

            await writer.DisposeAsync();

            Assert.Equal(10, writer.RecordsLost);
            Assert.Contains(logger.Lines, l => l.Level == LogLevel.Error && l.Message.Contains("10 accepted records (50 readings) were not stored", StringComparison.Ordinal));
        }

        [Fact]
        public async Task A_full_queue_refuses_new_records_at_once_instead_of_making_the_mesh_loop_wait()
        {
            HistoryOptions options = _dir.Options();
            options.BusyTimeoutSeconds = 1;
            options.MaxRetryDelaySeconds = 1;
            options.QueueCapacity = 1_000;
            options.BatchSize = 5;
            using var store = new HistoryStore(options);
            var logger = new ListLogger<HistoryWriter>();
            var writer = new HistoryWriter(store, logger);
            await writer.FlushAsync();

            using var other = new SqliteConnection($"Data Source={options.Path};Pooling=False");
            other.Open();
            using SqliteCommand sql = other.CreateCommand();
            sql.CommandText = "BEGIN IMMEDIATE;";
            sql.ExecuteNonQuery();

            var watch = Stopwatch.StartNew();
            for (int i = 0; i < 3_000; i++)
            {
                writer.OnReadings(Message(1, i, Now.AddMilliseconds(i)));
            }

            watch.Stop();
            Assert.True(watch.Elapsed < TimeSpan.FromSeconds(1), $"3000 listener calls took {watch.Elapsed}");
            Assert.InRange(writer.RecordsDropped, 1_000, 2_000);
            Assert.Contains(logger.Lines, l => l.Level == LogLevel.Warning && l.Message.Contains("queue full at History:QueueCapacity=1000", StringComparison.Ordinal));

            sql.CommandText = "COMMIT;";
            sql.ExecuteNonQuery();
            await writer.DisposeAsync();
            Assert.Equal(writer.ReadingsAccepted, store.CountReadings());
            Assert.Equal(3_000 - writer.RecordsDropped, writer.ReadingsAccepted / 5);
        }

        [Fact]
        public async Task Retention_runs_when_the_writer_starts()
        {
            using var store = new HistoryStore(_dir.Options());
            store.AppendReadings(new[] { Make.Reading(1, "temperature", 1, Now.AddDays(-31)), Make.Reading(1, "temperature", 2, Now.AddDays(-29)) });
            var logger = new ListLogger<HistoryWriter>();
            await using (var writer = new HistoryWriter(store, logger))
            {
                await writer.FlushAsync();
            }

            Assert.Equal(new[] { 2.0 }, store.QueryReadings(1, null, null, null, 10).Select(r => r.Value));
            Assert.Contains(logger.Lines, l => l.Message.Contains("deleted 1 readings", StringComparison.Ordinal));
        }

        /// <summary>A measurement, not a check of speed: 200,000 readings (40,000 messages of 5) through the writer.</summary>
        [Fact]
        public async Task Writer_throughput_is_measured_and_reported()
        {
            const int Messages = 40_000;
            var messages = new List<SensorReading[]>(Messages);
            for (int i = 0; i < Messages; i++)
            {
                messages.Add(Message((uint)(i % 100) + 1, i, Now.AddMilliseconds(i)));
            }

            using var store = new HistoryStore(_dir.Options());
            var writer = new HistoryWriter(store, new ListLogger<HistoryWriter>());
            await writer.FlushAsync();

            var watch = Stopwatch.StartNew();
            foreach (SensorReading[] m in messages)
            {
                writer.OnReadings(m);
            }

            double enqueueMs = watch.Elapsed.TotalMilliseconds;
            await writer.DisposeAsync();
            watch.Stop();

            Assert.Equal(Messages * 5, store.CountReadings());
            _output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"history writer: {Messages * 5:N0} readings in {watch.Elapsed.TotalMilliseconds:F0} ms = {Messages * 5 / watch.Elapsed.TotalSeconds:N0} readings/s " +
                $"(listener calls took {enqueueMs:F0} ms in total, {enqueueMs * 1000 / Messages:F2} µs each)"));
        }
    }
}
