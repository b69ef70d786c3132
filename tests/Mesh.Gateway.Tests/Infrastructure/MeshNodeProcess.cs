using System;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>
    /// A real `mesh-node` process on the loopback mesh (TTL 0, 127.0.0.1), reporting every second, its
    /// output kept for assertions; killed with its process tree on dispose.
    /// </summary>
    public sealed class MeshNodeProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        /// <param name="arguments">What else the node is started with (a settings file, an id and keys).</param>
        public MeshNodeProcess(int udpPort, params string[] arguments)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "mesh-node.dll"));
            foreach (string a in arguments)
            {
                start.ArgumentList.Add(a);
            }

            foreach (string a in new[] { "--port", udpPort.ToString(), "--ttl", "0", "--interface", "127.0.0.1", "--report-interval", "1" })
            {
                start.ArgumentList.Add(a);
            }

            _process = Process.Start(start)!;
            _process.ErrorDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
            _process.OutputDataReceived += (_, e) => { lock (_output) { _output.AppendLine(e.Data); } };
            _process.BeginErrorReadLine();
            _process.BeginOutputReadLine();
        }

        public string Output
        {
            get { lock (_output) { return _output.ToString(); } }
        }

        public void Dispose()
        {
            if (!_process.HasExited)
            {
                _process.Kill(entireProcessTree: true);
                _process.WaitForExit(5000);
            }

            _process.Dispose();
        }
    }
}
