using System;
using System.Diagnostics;
using System.IO;
using System.Text;
using System.Threading;

namespace Mesh.Gateway.Tests.SerialTests
{
    /// <summary>
    /// Two pseudo-terminals joined back to back by socat (`socat -d -d pty,raw,echo=0,link=DIR/a
    /// pty,raw,echo=0,link=DIR/b`): a null-modem cable in software. Bytes written to one end come out of the
    /// other through the kernel's tty layer, as they would from a USB-serial adapter. socat is a test
    /// prerequisite (CI installs it); without it the test fails, it does not skip.
    /// </summary>
    internal sealed class SocatPtyPair : IDisposable
    {
        private readonly Process _socat;
        private readonly StringBuilder _log = new();

        private SocatPtyPair(string directory, Process socat)
        {
            Directory = directory;
            _socat = socat;
        }

        public string Directory { get; }

        public string A => Path.Combine(Directory, "a");

        public string B => Path.Combine(Directory, "b");

        public string Log
        {
            get
            {
                lock (_log)
                {
                    return _log.ToString();
                }
            }
        }

        public static SocatPtyPair Start()
        {
            string? socat = FindOnPath("socat");
            if (socat is null)
            {
                Assert.Fail("socat is not installed (not found on PATH=" + Environment.GetEnvironmentVariable("PATH")
                    + "). The serial pseudo-terminal test needs it: apt-get install socat (CI installs it).");
            }

            string dir = Path.Combine(Path.GetTempPath(), "mesh-serial-" + Environment.ProcessId + "-" + Guid.NewGuid().ToString("N")[..8]);
            System.IO.Directory.CreateDirectory(dir);
            var psi = new ProcessStartInfo(socat)
            {
                UseShellExecute = false,
                RedirectStandardError = true,
                RedirectStandardOutput = true,
            };
            psi.ArgumentList.Add("-d");
            psi.ArgumentList.Add("-d");
            psi.ArgumentList.Add("pty,raw,echo=0,link=" + Path.Combine(dir, "a"));
            psi.ArgumentList.Add("pty,raw,echo=0,link=" + Path.Combine(dir, "b"));

            var process = new Process { StartInfo = psi };
            var pair = new SocatPtyPair(dir, process);
            process.ErrorDataReceived += (_, e) => pair.Append(e.Data);
            process.OutputDataReceived += (_, e) => pair.Append(e.Data);
            if (!process.Start())
            {
                pair.Dispose();
                Assert.Fail("could not start " + socat);
            }

            process.BeginErrorReadLine();
            process.BeginOutputReadLine();

            var deadline = DateTime.UtcNow + TimeSpan.FromSeconds(15);
            while (!(File.Exists(pair.A) && File.Exists(pair.B)))
            {
                if (process.HasExited || DateTime.UtcNow > deadline)
                {
                    string why = process.HasExited ? "exited with code " + process.ExitCode : "did not create its links within 15 s";
                    string log = pair.Log;
                    pair.Dispose();
                    Assert.Fail("socat " + why + ". Its log:" + Environment.NewLine + log);
                }

                Thread.Sleep(20);
            }

            return pair;
        }

        private void Append(string? line)
        {
            if (line is null)
            {
                return;
            }

            lock (_log)
            {
                _log.AppendLine(line);
            }
        }

        private static string? FindOnPath(string program)
        {
            string path = Environment.GetEnvironmentVariable("PATH") ?? "";
            foreach (string dir in path.Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries))
            {
                string candidate = Path.Combine(dir, program);
                if (File.Exists(candidate))
                {
                    return candidate;
                }
            }

            return null;
        }

        public void Dispose()
        {
            try
            {
                if (!_socat.HasExited)
                {
                    _socat.Kill(entireProcessTree: true);
                    _socat.WaitForExit(5000);
                }
            }
            catch (InvalidOperationException)
            {
                // never started
            }

            _socat.Dispose();
            try
            {
                System.IO.Directory.Delete(Directory, recursive: true);
            }
            catch (IOException)
            {
            }
        }
    }
}
