using System;
using System.IO;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Mesh.Gateway.Tests.Infrastructure;
using Mesh.Protocol.Messages;

namespace Mesh.Gateway.Tests.Hosting
{
    /// <summary>One private state folder; a missing sequence checkpoint beside an earlier run's state stops the start.</summary>
    public class StateFolderTests
    {
        [Fact]
        public void Relative_state_files_live_in_the_state_folder_not_the_working_directory()
        {
            var o = new GatewayOptions();
            o.State.Directory = "/var/lib/mesh-test";
            StateFolder.Resolve(o);
            Assert.Equal("/var/lib/mesh-test/mesh-gateway.seq", o.Mesh.SequenceFile);
            Assert.Equal("/var/lib/mesh-test/mesh-outbox.db", o.Mqtt.Outbox.Path);
            Assert.Equal("/var/lib/mesh-test/mesh-history.db", o.History.Path);

            var d = new GatewayOptions();
            StateFolder.Resolve(d);
            Assert.Equal(Path.Combine(StateFolder.DefaultPath(), "mesh-history.db"), d.History.Path);
            Assert.DoesNotContain(Directory.GetCurrentDirectory(), d.History.Path, StringComparison.Ordinal);
        }

        [Fact]
        public async Task Every_state_file_is_readable_by_this_user_only()
        {
            if (OperatingSystem.IsWindows())
            {
                return; // Unix file modes
            }

            await using var gateway = await TestGateway.StartAsync();
            await using var sensor = new MeshSensor(51, gateway.UdpPort);
            sensor.Report((Quantity.Temperature, 5.1));
            DateTime deadline = DateTime.UtcNow.AddSeconds(20);
            while (!(await gateway.Http.GetStringAsync("/api/readings?node=51")).Contains("5.1", StringComparison.Ordinal) && DateTime.UtcNow < deadline)
            {
                await Task.Delay(50);
            }

            Assert.Equal(UnixFileMode.UserRead | UnixFileMode.UserWrite | UnixFileMode.UserExecute, File.GetUnixFileMode(gateway.Directory));
            foreach (string file in Directory.GetFiles(gateway.Directory))
            {
                UnixFileMode mode = File.GetUnixFileMode(file);
                Assert.True((mode & (UnixFileMode.GroupRead | UnixFileMode.GroupWrite | UnixFileMode.OtherRead | UnixFileMode.OtherWrite)) == 0,
                    $"{Path.GetFileName(file)} is {mode}");
            }
        }

        [Fact]
        public async Task A_missing_sequence_file_beside_an_earlier_runs_state_stops_the_start_and_says_what_to_do()
        {
            string directory = TempDirectory.Create("fresh-seq");
            int udp = Ports.UniqueUdp();
            await using (await TestGateway.StartAsync(directory: directory, udpPort: udp))
            {
            }

            File.Delete(Path.Combine(directory, "gateway.seq"));
            StartupException e = await Assert.ThrowsAsync<StartupException>(() => TestGateway.StartAsync(directory: directory, udpPort: udp));
            Assert.Contains("Mesh:SequenceFile", e.Message);
            Assert.Contains("--state-dir", e.Message);
            Assert.Contains("Mesh:AllowFreshSequence", e.Message);

            await using var acknowledged = await TestGateway.StartAsync(s => s["Mesh:AllowFreshSequence"] = "true", directory, udp);
        }
    }
}
