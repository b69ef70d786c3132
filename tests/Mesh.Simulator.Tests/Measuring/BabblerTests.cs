using System.Linq;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests.Measuring
{
    /// <summary>
    /// Issue 15: babblers (insiders originating far more than their share) and stuck sensors are
    /// modelled, and measured apart from everyone else; with QoS, their neighbours' fair share and their
    /// own duty-cycle budget bound what they get through.
    /// </summary>
    public class BabblerTests
    {
        // A line of 8 nodes 10 m apart, gateway at node 0, babbler at the far end (node 7).
        private static string Line(string babbler, string roles = "", double seconds = 120) => $$"""
        {
          "name": "babble-line",
          "seed": 12,
          "durationSeconds": {{seconds}},
          "drainSeconds": 0,
          "network": { "hopLimit": 32 },
          "topology": { "kind": "line", "nodes": 8, "spacingMeters": 10 },
          "radio": { "model": "unitDisk", "rangeMeters": 10.5, "collisions": false },
          "policy": { "kind": "flooding" },
          "roles": { "sinks": [0] {{roles}} },
          "workload": { "readingIntervalSeconds": 10, "broadcastIntervalSeconds": 0, "commandIntervalSeconds": 0, "heartbeatIntervalSeconds": 0 },
          "adversaries": [ {{babbler}} ]
        }
        """;

        [Fact]
        public void A_babbler_originates_at_its_configured_rate_and_is_counted_apart()
        {
            // Rate 10 over a 10 s interval: one reading a second on average, 120 over the run.
            var sim = new Simulation(Runs.Parse(Line("""{ "kind": "babbler", "nodes": [7], "traffic": "readings", "rate": 10 }""")));
            long originated = 0;
            sim.FrameTransmitted = (node, bytes, length, _) =>
            {
                FrameHeader h = Frames.Header(bytes, length);
                if (node.Index == 7 && h.Origin == node.Id && h.HopsTaken == 0 && h.Type == MessageType.Readings)
                {
                    originated++;
                }
            };
            RunResult r = sim.Run();

            Assert.Equal(NodeBehaviour.Babbler, sim.Nodes[7].Behaviour);
            Assert.InRange(originated, 90, 150);
            Assert.Equal(originated, r.Qos.BabblerFramesOriginated);
            Assert.Equal(new[] { 7 }, r.Qos.Babblers);
            Assert.InRange(r.Qos.ExcludedMessagesSent, 90, 150);
            // Its neighbour relays no more than its fair share (PROTOCOL.md): a burst of 8, then the share the
            // simulator sizes from the workload (twice 6 readings a minute) for two minutes — on an ideal channel.
            Assert.InRange(r.Qos.ExcludedMessagesDelivered, 8, 8 + 12 * 2 + 2);

            // The six honest sensors (1..6) report every 10 s: about 72 readings, none of them the babbler's.
            Assert.InRange(r.Readings.Sent, 55, 90);
            Assert.Equal(r.Readings.Sent, r.Qos.HonestReadingsSent);

            // Flooded down the line, a babbled frame that passes the first relay's fair share is relayed 3..7
            // hops out with hops taken 3..7 (> 2): five transmissions per frame that got through, none for the rest.
            double passed = (double)r.Qos.ExcludedMessagesDelivered / originated;
            Assert.InRange(r.Qos.BabblerBeyond2HopsPerOriginated, 5 * passed - 0.5, 5 * passed + 0.5);
            Assert.True(r.Qos.BabblerBeyond2HopsPerOriginated < 2, "without the fair share: 5 per frame");
            // Counted as frames: those that got past the first relay are exactly the ones carried beyond 2 hops.
            Assert.InRange(r.Qos.BabblerFramesBeyond2Hops, r.Qos.ExcludedMessagesDelivered - 1, r.Qos.ExcludedMessagesDelivered + 1);
            Assert.Equal(System.Math.Round((double)r.Qos.BabblerFramesBeyond2Hops / originated, 4), r.Qos.BabblerShareBeyond2Hops);
        }

        [Fact]
        public void A_line_rate_babbler_sends_as_fast_as_its_radio_allows()
        {
            RunResult slow = Runs.Run(Line("""{ "kind": "babbler", "nodes": [7], "rate": 100 }""", seconds: 20));
            RunResult fast = Runs.Run(Line("""{ "kind": "babbler", "nodes": [7], "lineRate": true, "traffic": "broadcast" }""", seconds: 20));

            Assert.InRange(slow.Qos.BabblerFramesOriginated, 150, 260); // 10 a second
            Assert.True(fast.Qos.BabblerFramesOriginated > 5 * slow.Qos.BabblerFramesOriginated,
                $"line rate {fast.Qos.BabblerFramesOriginated}, rate 100 {slow.Qos.BabblerFramesOriginated}");
            // It uses its whole duty-cycle budget (10 % of any 10 s, PROTOCOL.md) and no more, and it is the busiest node.
            Assert.InRange(fast.Qos.DutyCycle10s.MaxPercent, 9.0, 10.01);
            Assert.Contains(fast.Qos.DutyCycle10s.Node, new[] { 6, 7 });
            Assert.True(fast.Qos.DutyCycle10s.MaxPercent >= fast.Qos.DutyCycle1h.MaxPercent);
        }

        [Fact]
        public void A_stuck_sensor_reports_a_hundred_times_faster_and_is_counted_apart()
        {
            var sim = new Simulation(Runs.Parse(Line("", roles: """, "perNode": [ { "nodes": [3], "readingIntervalSeconds": 0.1 } ]""", seconds: 60)));
            long stuck = 0;
            sim.FrameTransmitted = (node, bytes, length, _) =>
            {
                FrameHeader h = Frames.Header(bytes, length);
                if (node.Index == 3 && h.Origin == node.Id && h.HopsTaken == 0 && h.Type == MessageType.Readings)
                {
                    stuck++;
                }
            };
            RunResult r = sim.Run();

            Assert.Equal(new[] { 3 }, r.Qos.StuckSensors);
            // 600 at its interval for 60 s; its neighbours throttle it and their throttle notices (one-hop
            // beacons, PROTOCOL.md "Per-origin fair share") space its reports × 2 from the first seconds on.
            Assert.InRange(stuck, 250, 400);
            Assert.Equal(stuck, r.Qos.ExcludedMessagesSent);
            Assert.InRange(r.Readings.Sent, 25, 45); // the other six sensors, every 10 s for 60 s
            Assert.Equal(0, r.Qos.BabblerFramesOriginated);
        }
    }
}
