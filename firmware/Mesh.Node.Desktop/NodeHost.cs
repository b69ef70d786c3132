using System;
using System.Diagnostics;
using System.Threading;
using Mesh.Node.Desktop.Hardware;
using Mesh.NodeApp.Hal;
using Mesh.NodeApp.Runtime;
using Mesh.NodeApp.Sensors;
using Mesh.NodeApp.Settings;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Security;

namespace Mesh.Node.Desktop
{
    /// <summary>
    /// One mesh-node: the shared <see cref="NodeRunner"/> on a thread of its own, woken by the UDP receiver
    /// or by the time the core asked for. Several hosts can run in one process (tests), each on its own
    /// socket.
    /// </summary>
    internal sealed class NodeHost : IDisposable
    {
        private readonly UdpRadio _radio;
        private readonly NodeRunner _runner;
        private readonly AutoResetEvent _wake = new(false);
        private readonly CancellationTokenSource _stop = new();
        private readonly ProcessControl _control;
        private readonly Thread _loop;
        private readonly object _gate = new();
        private readonly Stopwatch _clock = Stopwatch.StartNew();
        private readonly long _epochMs;

        public NodeHost(NodeSettings settings, uint nodeId, UdpMeshOptions udp, ISensor[] sensors, SettingsStore store, ILog log)
        {
            if (settings.Key == null)
            {
                throw new ArgumentException("a network key is required (key = 32 or 64 hex digits, or --key)");
            }

            // A computer has a clock, which a board has not: start network time from it (never behind what
            // was stored), so the gateway finds this node's first frames fresh.
            uint wallClock = (uint)DateTimeOffset.UtcNow.ToUnixTimeSeconds();
            if (wallClock > settings.NetworkTime)
            {
                settings.NetworkTime = wallClock;
            }

            // The core's clock starts at wall-clock milliseconds so its timestamps mean something in logs.
            _epochMs = DateTimeOffset.UtcNow.ToUnixTimeMilliseconds();
            _control = new ProcessControl(_stop);
            Led = new LoggedLed(log);
            _radio = new UdpRadio(udp);
            _runner = new NodeRunner(settings, null, nodeId, DesktopCrypto.Instance, new DesktopRandom(), _radio,
                new SensorSet(sensors, log), Led, _control, store, log, NowMs);
            _radio.Start((frame, length, rssi) =>
            {
                bool accepted = _runner.OnFrameReceived(frame, 0, length, rssi);
                _wake.Set();
                return accepted;
            }, message => log.Write(LogLevel.Warning, message));
            _loop = new Thread(Run) { IsBackground = true, Name = "mesh-node " + nodeId };
            _loop.Start();
        }

        public NodeRunner Runner => _runner;

        public LoggedLed Led { get; }

        public bool RebootRequested => _control.RebootRequested;

        /// <summary>Set when the node stops by itself (a reboot command).</summary>
        public CancellationToken Stopped => _stop.Token;

        private long NowMs => _epochMs + _clock.ElapsedMilliseconds;

        /// <summary>Runs <paramref name="action"/> between steps (the runner is not thread-safe).</summary>
        public T Inspect<T>(Func<NodeRunner, T> action)
        {
            lock (_gate)
            {
                return action(_runner);
            }
        }

        private void Run()
        {
            while (!_stop.IsCancellationRequested)
            {
                long next;
                lock (_gate)
                {
                    next = _runner.Step(NowMs);
                }

                long wait = next - NowMs;
                if (wait > 0)
                {
                    _wake.WaitOne((int)Math.Min(wait, int.MaxValue));
                }
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _wake.Set();
            _loop.Join(TimeSpan.FromSeconds(5));
            _radio.Dispose();
            _wake.Dispose();
            _stop.Dispose();
        }
    }
}
