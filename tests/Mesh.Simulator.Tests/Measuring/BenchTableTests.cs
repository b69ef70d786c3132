using System.Globalization;
using System.Linq;
using Mesh.Simulator.Bench;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Tests.Measuring
{
    /// <summary>
    /// `mesh-sim bench` reports what each policy costs the channel, not only how fast it is simulated: issue 13
    /// asks by how much the 10,000-node hour's transmissions fall under structured routing.
    /// </summary>
    public class BenchTableTests
    {
        [Fact]
        public void The_bench_table_reports_each_cases_transmissions_and_their_cost_per_delivered_reading()
        {
            // The bench's own scenario (1,000 nodes per km², a gateway every 400 m), small and short.
            var cases = new[] { new BenchCase(100, "structured", 0.02), new BenchCase(100, "managed", 0.02) };
            BenchmarkSuite.Run(cases, parallelism: 2);

            string[] rows = BenchmarkSuite.Table(cases).Split('\n').Where(l => l.StartsWith("| 100 |")).ToArray();
            Assert.Equal(2, rows.Length);
            for (int i = 0; i < cases.Length; i++)
            {
                RunResult r = cases[i].Result!;
                Assert.True(r.Transmissions > 0 && r.Readings.Delivered > 0, $"{cases[i].Policy}: nothing sent or delivered");
                string[] cells = rows[i].Split('|').Select(c => c.Trim()).ToArray();
                Assert.Equal(cases[i].Policy, cells[2]);
                Assert.Equal(r.Transmissions.ToString("N0", CultureInfo.InvariantCulture), cells[9]);
                double perReading = double.Parse(cells[10], CultureInfo.InvariantCulture);
                Assert.Equal((double)r.Transmissions / r.Readings.Delivered, perReading, 0.05);
            }

            // Flooding every reading to 100 nodes costs more than climbing a gradient, heartbeats and beacons included.
            double structured = BenchmarkSuite.TransmissionsPerDeliveredReading(cases[0].Result!);
            double managed = BenchmarkSuite.TransmissionsPerDeliveredReading(cases[1].Result!);
            Assert.True(structured < managed, $"structured {structured:F1} against managed {managed:F1} tx per delivered reading");
        }
    }
}
