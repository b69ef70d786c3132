using System;
using System.Collections.Generic;
using System.IO;
using Mesh.Gateway.History;
using Mesh.Gateway.Model;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tests.History
{
    /// <summary>A unique folder under the temp directory, deleted afterwards.</summary>
    internal sealed class TempFolder : IDisposable
    {
        public TempFolder()
        {
            Path = System.IO.Path.Combine(System.IO.Path.GetTempPath(), "mesh-history-tests", Guid.NewGuid().ToString("N"));
            Directory.CreateDirectory(Path);
        }

        public string Path { get; }

        public string File(string name) => System.IO.Path.Combine(Path, name);

        public HistoryOptions Options(string name = "history.db") => new() { Path = File(name) };

        public void Dispose()
        {
            try
            {
                Directory.Delete(Path, recursive: true);
            }
            catch (IOException)
            {
                // left for the OS to clean up
            }
        }
    }

    /// <summary>Keeps every log line so tests can check what was reported.</summary>
    internal sealed class ListLogger<T> : ILogger<T>
    {
        private readonly List<(LogLevel Level, string Message)> _lines = new();

        public IReadOnlyList<(LogLevel Level, string Message)> Lines
        {
            get
            {
                lock (_lines)
                {
                    return _lines.ToArray();
                }
            }
        }

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(LogLevel logLevel) => true;

        public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
        {
            lock (_lines)
            {
                _lines.Add((logLevel, formatter(state, exception)));
            }
        }
    }

    internal static class Make
    {
        public static readonly DateTimeOffset T0 = new(2025, 6, 1, 12, 0, 0, TimeSpan.Zero);

        public static SensorReading Reading(uint node, string quantity, double value, DateTimeOffset at, uint sequence = 1, int hops = 1, int rssi = -60) =>
            new(1, node, quantity, value, Unit(quantity), at, sequence, hops, rssi);

        public static NodeHeartbeat Heartbeat(uint node, DateTimeOffset at, uint uptime, params NeighbourLink[] neighbours) =>
            new(1, node, "sensor", "flooding", uptime, neighbours, at, 2, -70);

        private static string Unit(string quantity) => quantity switch
        {
            "temperature" => "°C",
            "humidity" => "%",
            "battery" => "%",
            "battery_voltage" => "V",
            _ => "",
        };
    }
}
