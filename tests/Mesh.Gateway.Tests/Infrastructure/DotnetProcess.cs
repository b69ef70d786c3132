using System;
using System.Collections.Generic;
using System.Diagnostics;
using System.IO;
using System.Text;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>
    /// One of the project's programs (a .dll built beside the tests) run as a real process with `dotnet`, its standard
    /// output and error kept for assertions; killed with its process tree on dispose.
    /// </summary>
    public sealed class DotnetProcess : IDisposable
    {
        private readonly Process _process;
        private readonly StringBuilder _output = new();

        public DotnetProcess(string dll, IEnumerable<string> arguments)
        {
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, dll));
            foreach (string a in arguments)
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
