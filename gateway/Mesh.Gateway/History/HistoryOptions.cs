using System;
using System.Collections.Generic;

namespace Mesh.Gateway.History
{
    /// <summary>
    /// Settings of the history database (configuration section "History"). <see cref="Validate"/> names
    /// each bad setting so start-up can stop with a message a person can act on.
    /// </summary>
    public sealed class HistoryOptions
    {
        /// <summary>The SQLite file; relative paths are resolved against the current directory. Its folder is created if missing.</summary>
        public string Path { get; set; } = "mesh-history.db";

        /// <summary>Readings, node events and nodes not heard from for longer than this are deleted.</summary>
        public int RetentionDays { get; set; } = 30;

        /// <summary>How often the writer applies retention (it also does so once when it starts).</summary>
        public int RetentionIntervalMinutes { get; set; } = 60;

        /// <summary>The most rows the writer puts in one transaction; more waiting rows go in the next one.</summary>
        public int BatchSize { get; set; } = 10_000;

        /// <summary>
        /// How many records (a reading list, a heartbeat, a command outcome, ...) may wait for the writer.
        /// When full, new records are refused, counted and logged: the mesh loop is never made to wait.
        /// </summary>
        public int QueueCapacity { get; set; } = 1_000_000;

        /// <summary>How long one write waits for a lock held by another connection before the attempt fails and is retried.</summary>
        public int BusyTimeoutSeconds { get; set; } = 5;

        /// <summary>Longest pause between retries of a failing write (they start at 0.5 s and double).</summary>
        public int MaxRetryDelaySeconds { get; set; } = 30;

        /// <summary>How long disposing the writer keeps trying to store what is still queued before giving up (and logging what it lost).</summary>
        public int ShutdownTimeoutSeconds { get; set; } = 30;

        /// <summary>
        /// Page cache of the write connection. Each node and quantity appends to its own part of the
        /// (node, quantity, ts) index, so a cache too small for those pages makes every batch reread them.
        /// </summary>
        public int WriteCacheMegabytes { get; set; } = 32;

        /// <summary>Upper bound of a query's row limit; larger limits are capped to it.</summary>
        public int MaxQueryRows { get; set; } = 10_000;

        /// <summary>Every problem, each naming its setting, joined by "; "; null when the options are usable.</summary>
        public string? Validate()
        {
            var errors = new List<string>();
            if (string.IsNullOrWhiteSpace(Path))
            {
                errors.Add("History:Path is required (a SQLite file, e.g. mesh-history.db)");
            }
            else if (Path.Trim() == ":memory:" || Path.StartsWith("file:", StringComparison.OrdinalIgnoreCase))
            {
                errors.Add($"History:Path must be a file path, not an SQLite URI or :memory: (was '{Path}')");
            }

            Range(errors, "History:RetentionDays", RetentionDays, 1, 3650);
            Range(errors, "History:RetentionIntervalMinutes", RetentionIntervalMinutes, 1, 24 * 60);
            Range(errors, "History:BatchSize", BatchSize, 1, 1_000_000);
            Range(errors, "History:QueueCapacity", QueueCapacity, 1_000, 100_000_000);
            Range(errors, "History:BusyTimeoutSeconds", BusyTimeoutSeconds, 1, 600);
            Range(errors, "History:MaxRetryDelaySeconds", MaxRetryDelaySeconds, 1, 3600);
            Range(errors, "History:ShutdownTimeoutSeconds", ShutdownTimeoutSeconds, 1, 3600);
            Range(errors, "History:WriteCacheMegabytes", WriteCacheMegabytes, 1, 4096);
            Range(errors, "History:MaxQueryRows", MaxQueryRows, 1, 1_000_000);
            return errors.Count == 0 ? null : string.Join("; ", errors);
        }

        internal HistoryOptions Copy() => (HistoryOptions)MemberwiseClone();

        private static void Range(List<string> errors, string name, int value, int min, int max)
        {
            if (value < min || value > max)
            {
                errors.Add($"{name} must be between {min} and {max} (was {value})");
            }
        }
    }
}
