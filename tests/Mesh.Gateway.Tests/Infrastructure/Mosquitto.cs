using System;
using System.Diagnostics;
using System.Globalization;
using System.IO;
using System.Net.Sockets;
using System.Threading;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>
    /// A real mosquitto broker (Debian's package; .ci/run installs it) on a free loopback port, with
    /// persistence in a temporary directory so a restart keeps sessions and queued messages.
    /// </summary>
    public sealed class Mosquitto : IDisposable
    {
        private readonly string _directory;
        private readonly string _config;
        private Process? _process;

        public Mosquitto()
        {
            Port = Ports.FreeTcp();
            _directory = TempDirectory.Create("mosquitto");
            _config = Path.Combine(_directory, "mosquitto.conf");
            File.WriteAllText(_config, string.Join('\n',
                "listener " + Port.ToString(CultureInfo.InvariantCulture) + " 127.0.0.1",
                "allow_anonymous true",
                "persistence true",
                "persistence_location " + _directory + "/",
                "autosave_interval 1",
                "max_queued_messages 100000",
                "log_dest stderr",
                "") + "\n");
            Start();
        }

        public int Port { get; }

        public static string Executable
        {
            get
            {
                foreach (string candidate in new[] { "/usr/sbin/mosquitto", "/usr/bin/mosquitto", "/usr/local/sbin/mosquitto" })
                {
                    if (File.Exists(candidate))
                    {
                        return candidate;
                    }
                }

                throw new InvalidOperationException("mosquitto is not installed (Debian package 'mosquitto'; .ci/run installs it)");
            }
        }

        public void Start()
        {
            _process = Process.Start(new ProcessStartInfo(Executable, "-c " + _config)
            {
                RedirectStandardError = true,
                RedirectStandardOutput = true,
                UseShellExecute = false,
            })!;
            _process.ErrorDataReceived += (_, _) => { };
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
            DateTime deadline = DateTime.UtcNow.AddSeconds(15);
            while (DateTime.UtcNow < deadline)
            {
                try
                {
                    using var c = new TcpClient("127.0.0.1", Port);
                    return;
                }
                catch (SocketException)
                {
                    if (_process.HasExited)
                    {
                        throw new InvalidOperationException("mosquitto exited at start with code " + _process.ExitCode);
                    }

                    Thread.Sleep(50);
                }
            }

            throw new TimeoutException("mosquitto did not listen on port " + Port);
        }

        /// <summary>Stops the broker as an operator or a crash-restart supervisor would (SIGTERM: it saves its state).</summary>
        public void Stop()
        {
            if (_process == null || _process.HasExited)
            {
                return;
            }

            Process.Start("kill", "-TERM " + _process.Id.ToString(CultureInfo.InvariantCulture))!.WaitForExit();
            if (!_process.WaitForExit(10_000))
            {
                _process.Kill();
            }

            _process.WaitForExit();
        }

        public void Dispose()
        {
            try
            {
                Stop();
            }
            catch (Exception)
            {
                _process?.Kill();
            }

            _process?.Dispose();
        }
    }
}
