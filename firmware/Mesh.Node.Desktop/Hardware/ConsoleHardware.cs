using System;
using System.Threading;
using Mesh.NodeApp.Hal;

namespace Mesh.Node.Desktop.Hardware
{
    /// <summary>Log lines on stderr, prefixed with the node id, so several mesh-nodes in one terminal stay readable.</summary>
    internal sealed class ConsoleLog : ILog
    {
        private readonly string _prefix;
        private readonly bool _quiet;

        public ConsoleLog(string prefix, bool quiet)
        {
            _prefix = prefix;
            _quiet = quiet;
        }

        public void Write(LogLevel level, string message)
        {
            if (_quiet && level == LogLevel.Info)
            {
                return;
            }

            Console.Error.WriteLine(DateTime.Now.ToString("HH:mm:ss") + " " + _prefix + " " + (level == LogLevel.Info ? "" : level.ToString().ToLowerInvariant() + ": ") + message);
        }
    }

    /// <summary>The status LED as log lines (a desktop has no LED to blink).</summary>
    internal sealed class LoggedLed : IStatusLed
    {
        private readonly ILog _log;

        public LoggedLed(ILog log)
        {
            _log = log;
        }

        public LedPattern Current { get; private set; }

        public void Show(LedPattern pattern)
        {
            // Relaying flickers on and off with traffic; as a log line it is just "joined".
            LedPattern shown = pattern == LedPattern.Relaying ? LedPattern.Joined : pattern;
            LedPattern before = Current == LedPattern.Relaying ? LedPattern.Joined : Current;
            Current = pattern;
            if (shown != before)
            {
                _log.Write(LogLevel.Info, "led: " + shown.ToString().ToLowerInvariant());
            }
        }
    }

    /// <summary>"Reboot" on a desktop: stop the loop so the process exits (a supervisor such as systemd restarts it).</summary>
    internal sealed class ProcessControl : IDeviceControl
    {
        private readonly CancellationTokenSource _stop;

        public ProcessControl(CancellationTokenSource stop)
        {
            _stop = stop;
        }

        public bool RebootRequested { get; private set; }

        public void Reboot()
        {
            RebootRequested = true;
            _stop.Cancel();
        }

        public void FeedWatchdog()
        {
        }
    }
}
