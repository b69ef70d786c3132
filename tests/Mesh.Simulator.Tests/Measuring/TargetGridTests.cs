using System;
using System.IO;
using System.Linq;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Sweeps;

namespace Mesh.Simulator.Tests.Measuring
{
    /// <summary>`mesh-sim targets` (issue 13's target grid): the fields it builds, the targets it judges by, and a small grid end to end.</summary>
    [Collection(nameof(ConsoleCollection))]
    public class TargetGridTests
    {
        [Theory]
        [InlineData(100, 316.23)]
        [InlineData(1000, 1000)]
        [InlineData(3000, 1732.05)]
        public void A_cell_is_a_random_mesh_at_a_thousand_nodes_per_square_km_with_its_loss_layout_and_policy(int nodes, double side)
        {
            Scenario one = TargetGrid.ScenarioFor(new TargetCell(nodes, 0.3, TargetGrid.OneGateway, "managed"), 7, 20);
            Assert.Equal("random", one.Topology.Kind);
            Assert.Equal(nodes, one.Topology.Nodes);
            Assert.Equal(side, one.Topology.WidthMeters, 2);
            Assert.Equal(side, one.Topology.HeightMeters, 2);
            Assert.Equal(0.3, one.Radio.ExtraLossRate);
            Assert.Equal(0, one.Roles.SinkGridMeters); // one gateway: the node nearest the centre
            Assert.Equal("managed", one.Policy.Kind);
            Assert.Equal(7UL, one.Seed);
            Assert.Equal(1200, one.DurationSeconds);
            Assert.Equal(300, one.WarmupSeconds);
            Assert.Equal(60, one.Workload.ReadingIntervalSeconds);
            Assert.Equal(300, one.Workload.HeartbeatIntervalSeconds);
            Assert.True(one.Workload.BroadcastIntervalSeconds > 0);
            Assert.Null(ScenarioValidator.FirstError(one, "."));

            Scenario grid = TargetGrid.ScenarioFor(new TargetCell(nodes, 0.1, TargetGrid.GatewayGrid, "structured"), 1, 4);
            Assert.Equal(400, grid.Roles.SinkGridMeters);
            Assert.Equal(60, grid.WarmupSeconds); // a quarter of a short run
            Assert.Null(ScenarioValidator.FirstError(grid, "."));
        }

        [Fact]
        public void The_targets_are_the_issues()
        {
            Assert.Equal(0.99, TargetGrid.ReadingDeliveryTargetFor(new TargetCell(3000, 0.1, TargetGrid.OneGateway, "structured")));
            Assert.Equal(0.995, TargetGrid.ReadingDeliveryTargetFor(new TargetCell(3000, 0.1, TargetGrid.GatewayGrid, "structured")));
            Assert.Equal(0.995, TargetGrid.ReadingDeliveryTargetFor(new TargetCell(1000, 0.1, TargetGrid.OneGateway, "structured")));
            Assert.Equal(2.0, TargetGrid.BroadcastCostTargetFor(0.1), 9);
            Assert.Equal(2.6, TargetGrid.BroadcastCostTargetFor(0.3), 9);
            Assert.Equal(2.3, TargetGrid.BroadcastCostTargetFor(0.2), 9);
            Assert.Equal(2.0, TargetGrid.BroadcastCostTargetFor(0.0), 9);
            Assert.Equal(2.6, TargetGrid.BroadcastCostTargetFor(0.5), 9);
        }

        [Fact]
        public void A_small_grid_runs_every_cell_and_reports_each_policy_side_by_side()
        {
            var cells = TargetGrid.Cells(new[] { 40, 80 }, new[] { 0.1 }, TargetGrid.Layouts, new[] { "structured", "managed" });
            Assert.Equal(8, cells.Count);
            TargetGrid.Run(cells, 1, 4, managedMaxNodes: 40, parallelism: 2);

            foreach (TargetCell c in cells)
            {
                if (c.Policy == "managed" && c.Nodes > 40)
                {
                    Assert.Empty(c.Runs);
                    Assert.Contains("not run", c.NotRun);
                    Assert.Null(TargetGridReport.Row(c));
                    continue;
                }

                TargetRow r = TargetGridReport.Row(c)!;
                Assert.True(r.ReadingsSent > 0, $"{c}: no readings");
                Assert.InRange(r.ReadingDelivery, 0.5, 1);
                Assert.True(r.ReadingStretchWithControl > 0);
                Assert.True(r.Transmissions > r.ReadingsDelivered);
            }

            // Structured routing costs a reading less than managed flooding on the same field and seed.
            foreach (string layout in TargetGrid.Layouts)
            {
                TargetRow s = TargetGridReport.Row(cells.Single(c => c.Nodes == 40 && c.Layout == layout && c.Policy == "structured"))!;
                TargetRow m = TargetGridReport.Row(cells.Single(c => c.Nodes == 40 && c.Layout == layout && c.Policy == "managed"))!;
                Assert.True(s.ReadingStretchWithControl < m.ReadingStretchWithControl, $"{layout}: structured {s.ReadingStretchWithControl} against managed {m.ReadingStretchWithControl}");
            }

            string md = TargetGridReport.Markdown(cells, 1, 4);
            Assert.Equal(8, md.Split('\n').Count(l => l.StartsWith("| 40 |") || l.StartsWith("| 80 |")));
            Assert.Contains("not run: managed above 40 nodes", md);
            string csv = TargetGridReport.Csv(cells);
            string[] lines = csv.TrimEnd('\n').Split('\n');
            Assert.Equal(9, lines.Length);
            Assert.All(lines.Skip(1), l => Assert.Equal(lines[0].Count(ch => ch == ','), l.Count(ch => ch == ',')));
        }

        [Fact]
        public void The_command_writes_its_tables_and_charts()
        {
            string dir = Path.Combine(Path.GetTempPath(), "mesh-targets-" + Guid.NewGuid().ToString("N"));
            try
            {
                var (exit, output, error) = CliValidateTests.MeshSim("targets", "--sizes", "30", "--losses", "0.3", "--layouts", "one", "--minutes", "3", "--out", dir);
                Assert.True(exit == 0, error);
                Assert.Contains("| 30 | 30 % | one gateway | structured |", output);
                Assert.Contains("| 30 | 30 % | one gateway | managed |", output);
                Assert.Contains("targets: 2/2", error); // progress, one line per finished run
                foreach (string f in new[] { "targets.md", "targets.csv", "targets-reading-cost.svg", "targets-broadcast-cost.svg" })
                {
                    Assert.True(File.Exists(Path.Combine(dir, f)), f);
                }

                Assert.StartsWith("<svg", File.ReadAllText(Path.Combine(dir, "targets-reading-cost.svg")).TrimStart());
            }
            finally
            {
                if (Directory.Exists(dir))
                {
                    Directory.Delete(dir, true);
                }
            }
        }

        [Theory]
        [InlineData("--sizes", "ten", "--sizes: expected comma-separated numbers")]
        [InlineData("--sizes", "100.5", "--sizes: node counts are whole numbers")]
        [InlineData("--sizes", "1", "--sizes: 1 nodes; a mesh needs at least 2")]
        [InlineData("--losses", "1.2", "--losses: 1.2; a loss rate is at least 0 and below 1")]
        [InlineData("--layouts", "ring", "--layouts: 'ring'; expected one or grid400")]
        [InlineData("--policies", "telepathy", "telepathy")]
        [InlineData("--sizes", "100,100", "--sizes: 100 is given twice")]
        [InlineData("--losses", "0.1,0.3,0.1", "--losses: 0.1 is given twice")]
        [InlineData("--layouts", "one,one", "--layouts: one is given twice")]
        public void Bad_grid_values_are_refused_before_anything_runs(string option, string value, string message)
        {
            var (exit, _, error) = CliValidateTests.MeshSim("targets", option, value, "--minutes", "1");
            Assert.Equal(1, exit);
            Assert.Contains(message, error);
            Assert.DoesNotContain("targets: 1/", error);
        }
    }
}
