using System;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Channel
{
    /// <summary>Unit disk decides who hears whom; RSSI still falls with distance (log-distance, no shadowing).</summary>
    public class UnitDiskRssiTests
    {
        [Fact]
        public void Unit_disk_links_carry_the_log_distance_rssi()
        {
            var sim = new Simulation(Runs.Parse("""
            {
              "topology": { "kind": "line", "nodes": 4, "spacingMeters": 10 },
              "radio": { "model": "unitDisk", "rangeMeters": 25, "txPowerDbm": 0, "referenceLossDb": 40, "pathLossExponent": 3 }
            }
            """));
            var links = sim.Links;
            for (int i = 0; i < 4; i++)
            {
                for (int l = links.RowStart[i]; l < links.RowStart[i + 1]; l++)
                {
                    double d = 10 * Math.Abs(links.Target[l] - i);
                    Assert.True(d <= 25);
                    Assert.Equal(-40 - 30 * Math.Log10(d), links.Rssi[l], 3);
                }
            }

            Assert.Equal(2 * (3 + 2), links.LinkCount); // neighbours at 10 m and 20 m, not 30 m
        }
    }
}
