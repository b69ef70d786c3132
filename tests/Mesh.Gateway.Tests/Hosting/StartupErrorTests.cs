using System;
using System.Diagnostics;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Hosting
{
    /// <summary>Start-up problems a person can fix end in one line and exit code 2; a damaged history does not stop the gateway.</summary>
    public class StartupErrorTests
    {
        /// <summary>Runs a copy of the real mesh-gateway (its own folder, so its appsettings.json can be broken) and returns exit code and stderr.</summary>
        private static async Task<(int Code, string Error)> RunCopyAsync(string appsettings, params string[] args)
        {
            string folder = TempDirectory.Create("gw-copy");
            foreach (string file in Directory.GetFiles(AppContext.BaseDirectory).Where(f => f.EndsWith(".dll", StringComparison.Ordinal) || Path.GetFileName(f).StartsWith("mesh-gateway.", StringComparison.Ordinal)))
            {
                File.Copy(file, Path.Combine(folder, Path.GetFileName(file)));
            }

            await File.WriteAllTextAsync(Path.Combine(folder, "appsettings.json"), appsettings);
            var start = new ProcessStartInfo("dotnet") { RedirectStandardError = true, RedirectStandardOutput = true, UseShellExecute = false };
            start.ArgumentList.Add(Path.Combine(folder, "mesh-gateway.dll"));
            foreach (string a in args)
            {
                start.ArgumentList.Add(a);
            }

            using Process p = Process.Start(start)!;
            Task<string> error = p.StandardError.ReadToEndAsync();
            Task<string> output = p.StandardOutput.ReadToEndAsync();
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
            try
            {
                await p.WaitForExitAsync(timeout.Token);
            }
            catch (OperationCanceledException)
            {
                p.Kill(entireProcessTree: true);
                throw new TimeoutException("mesh-gateway did not exit: " + await output);
            }

            return (p.ExitCode, await error);
        }

        [Fact]
        public async Task A_malformed_appsettings_json_is_one_line_naming_the_file_and_exit_code_2()
        {
            string state = TempDirectory.Create("state");
            (int code, string error) = await RunCopyAsync("{ \"Mesh\": { \"NetworkId\": 1, } oops", "run", "--Mesh:Key=" + TestGateway.KeyHex, "--state-dir", state);
            Assert.Equal(2, code);
            string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("appsettings.json", line);
        }

        [Fact]
        public async Task An_interface_that_is_not_this_machines_is_one_line_naming_the_setting_and_exit_code_2()
        {
            string state = TempDirectory.Create("state");
            (int code, string error) = await RunCopyAsync("{}", "run", "--Mesh:Key=" + TestGateway.KeyHex, "--state-dir", state, "--Udp:Interface=192.0.2.77");
            Assert.Equal(2, code);
            string line = Assert.Single(error.Split('\n', StringSplitOptions.RemoveEmptyEntries));
            Assert.Contains("Udp:Interface 192.0.2.77 is not an IPv4 address of this machine", line);
        }

        [Fact]
        public async Task A_damaged_outbox_is_moved_aside_with_a_warning_and_the_gateway_bridges_on()
        {
            string directory = TempDirectory.Create("damaged-outbox");
            await File.WriteAllTextAsync(Path.Combine(directory, "gateway.seq"), "1000");
            await File.WriteAllTextAsync(Path.Combine(directory, "outbox.db"), string.Concat(Enumerable.Repeat("this is not a SQLite database. ", 400)));
            await using var gateway = await TestGateway.StartAsync(directory: directory);
            Assert.Contains(gateway.Logs.Lines, l => l.Contains("MQTT outbox", StringComparison.Ordinal) && l.Contains("moved it to", StringComparison.Ordinal));
            Assert.Single(Directory.GetFiles(directory, "outbox.db.damaged-*"));

            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/72/#");
            await using var sensor = new MeshSensor(72, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 7.2));
            await probe.WaitForAsync(x => x.Any(m => m.Topic == "mesh/1/72/temperature"), what: "the reading bridged to MQTT through a fresh outbox");
        }

        [Fact]
        public async Task A_damaged_history_is_moved_aside_with_a_warning_and_the_gateway_bridges_on()
        {
            string directory = TempDirectory.Create("damaged");
            await File.WriteAllTextAsync(Path.Combine(directory, "gateway.seq"), "1000"); // an earlier run's state, history damaged since
            await File.WriteAllTextAsync(Path.Combine(directory, "history.db"), string.Concat(Enumerable.Repeat("this is not a SQLite database. ", 400)));
            await using var gateway = await TestGateway.StartAsync(directory: directory);
            Assert.Contains(gateway.Logs.Lines, l => l.Contains("moved it to", StringComparison.Ordinal));
            Assert.Single(Directory.GetFiles(directory, "history.db.damaged-*"));

            await using var probe = await MqttProbe.ConnectAsync(gateway.BrokerPort, "mesh/1/71/#");
            await using var sensor = new MeshSensor(71, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 7.1));
            await probe.WaitForAsync(x => x.Any(m => m.Topic == "mesh/1/71/temperature"), what: "the reading bridged to MQTT");
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            string rows = "";
            while (!rows.Contains("7.1", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                rows = await gateway.Http.GetStringAsync("/api/readings?node=71");
                await Task.Delay(50);
            }

            Assert.Contains("7.1", rows); // and the fresh history records again
        }
    }
}
