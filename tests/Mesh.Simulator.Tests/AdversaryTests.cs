using System.Collections.Generic;
using System.Linq;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;
using Mesh.Simulator.Tests.Support;

namespace Mesh.Simulator.Tests
{
    /// <summary>Forgers (no key) and replayers are heard by honest nodes but never reach an application.</summary>
    public class AdversaryTests
    {
        [Fact]
        public void Forged_and_replayed_frames_are_never_delivered_to_an_application()
        {
            // The shipped adversarial scenario, cut to 15 simulated minutes (still covering the jammer's start).
            Scenario scenario = ScenarioLoader.Load(Paths.Scenario("adversarial-100.json"));
            scenario.DurationSeconds = 900;
            var sim = new Simulation(scenario, Paths.ScenarioDirectory);

            // Every message a keyed node originated, as seen on the air (origin transmitting hop 0). Black
            // holes hold the key: their own heartbeats are genuine (and, being edge-role inside, they
            // consume gateway traffic themselves).
            var genuine = new HashSet<(uint, uint)>();
            var framesBy = new Dictionary<NodeBehaviour, long>();
            sim.FrameTransmitted = (node, bytes, length, _) =>
            {
                FrameHeader h = Frames.Header(bytes, length);
                framesBy[node.Behaviour] = framesBy.GetValueOrDefault(node.Behaviour) + 1;
                if (node.Core != null && h.Origin == node.Id && h.HopsTaken == 0)
                {
                    genuine.Add((h.Origin, h.Sequence));
                }
            };
            var deliveries = new HashSet<(int, uint, uint)>();
            var notGenuine = new List<string>();
            var twice = new List<string>();
            long delivered = 0;
            sim.MessageDelivered = (node, e, _) =>
            {
                delivered++;
                if (!genuine.Contains((e.Origin, e.Sequence)))
                {
                    notGenuine.Add($"{e.Type} {e.Origin}/{e.Sequence} at node {node.Index}");
                }

                if (!deliveries.Add((node.Index, e.Origin, e.Sequence)))
                {
                    twice.Add($"{e.Type} {e.Origin}/{e.Sequence} at node {node.Index}");
                }
            };

            RunResult r = sim.Run();

            Assert.Equal(2, sim.Nodes.Count(n => n.Behaviour == NodeBehaviour.Forger));
            Assert.Equal(2, sim.Nodes.Count(n => n.Behaviour == NodeBehaviour.Replayer));
            Assert.True(r.Security.AdversarialFramesSent > 0);
            Assert.True(framesBy.GetValueOrDefault(NodeBehaviour.Forger) > 0, "the forgers transmitted");
            Assert.True(framesBy.GetValueOrDefault(NodeBehaviour.Replayer) > 0, "the replayers transmitted");
            Assert.Equal(r.Security.AdversarialFramesSent, framesBy[NodeBehaviour.Forger] + framesBy[NodeBehaviour.Replayer]);

            // Honest nodes heard them and threw them out.
            Assert.True(r.Security.RejectedBadMic > 0, "forged frames fail the MIC");
            Assert.True(r.Rejected.GetValueOrDefault("duplicate") > 0);

            Assert.Equal(0, r.Security.ForgedDelivered);
            Assert.Equal(0, r.Security.ReplayedDelivered);
            Assert.True(delivered > 1000, $"{delivered} deliveries");
            Assert.Empty(notGenuine);
            Assert.Empty(twice);

            // And the honest traffic kept flowing.
            Assert.True(r.Readings.DeliveryRatio > 0.9, $"reading delivery {r.Readings.DeliveryRatio}");
        }

        [Fact]
        public void Under_structured_routing_no_node_takes_a_beacon_or_hop_ack_played_back_twenty_seconds_late()
        {
            // The replayers re-send what they heard 20 s later, where they stand: without the one-hop leash the
            // nodes there took tens of thousands of beacons and hop acks of nodes they cannot hear (PROTOCOL.md, "Freshness").
            Scenario scenario = ScenarioLoader.Load(Paths.Scenario("adversarial-100.json"));
            scenario.DurationSeconds = 600;
            scenario.Policy.Kind = "structured";
            var sim = new Simulation(scenario, Paths.ScenarioDirectory);
            long replayedOneHop = 0;
            sim.FrameTransmitted = (node, bytes, length, _) =>
            {
                if (node.Behaviour == NodeBehaviour.Replayer && MessageTypes.IsOneHop((MessageType)bytes[FrameLayout.OffsetType]))
                {
                    replayedOneHop++;
                }
            };

            RunResult r = sim.Run();

            Assert.True(replayedOneHop > 1000, $"{replayedOneHop} beacons and hop acks played back");
            Assert.Equal(0, r.Security.AdversarialOneHopAccepted);
            Assert.True(r.Rejected.GetValueOrDefault("late_one_hop") >= replayedOneHop, "every node that heard one refused it");
            Assert.Equal(0, r.Security.ReplayedDelivered);
            Assert.True(r.Readings.DeliveryRatio > 0.99, $"reading delivery {r.Readings.DeliveryRatio}");
        }
    }
}
