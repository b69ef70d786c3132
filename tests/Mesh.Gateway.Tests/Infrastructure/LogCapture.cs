using System;
using System.Collections.Generic;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>Keeps every log line a test gateway writes (at the levels its configuration lets through), so tests can assert on them.</summary>
    public sealed class LogCapture : ILoggerProvider
    {
        private readonly List<string> _lines = new();

        public IReadOnlyList<string> Lines
        {
            get
            {
                lock (_lines)
                {
                    return _lines.ToArray();
                }
            }
        }

        public ILogger CreateLogger(string categoryName) => new Logger(this, categoryName);

        public void Dispose()
        {
        }

        private sealed class Logger : ILogger
        {
            private readonly LogCapture _owner;
            private readonly string _category;

            public Logger(LogCapture owner, string category)
            {
                _owner = owner;
                _category = category;
            }

            public IDisposable? BeginScope<TState>(TState state)
                where TState : notnull => null;

            public bool IsEnabled(LogLevel logLevel) => true;

            public void Log<TState>(LogLevel logLevel, EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter)
            {
                lock (_owner._lines)
                {
                    _owner._lines.Add($"{logLevel} {_category}: {formatter(state, exception)}");
                }
            }
        }
    }
}
