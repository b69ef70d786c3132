using Mesh.Protocol;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// Babblers: insiders with valid keys, running the normal node code (they relay like any sensor),
    /// whose application originates readings or broadcasts far more often than its share — a multiple
    /// of the normal interval, or as fast as its transmit queue drains (line rate). What the protocol
    /// must withstand without any MIC or replay check to help it: every frame is genuine.
    /// </summary>
    public sealed partial class Simulation
    {
        /// <summary>Line rate: how often a babbler whose queue could not be refilled (crashed, restarting) tries again.</summary>
        private const long LineRateRetryUs = 100_000;

        // Its own stream, so that adding a babbler shifts no other random sequence.
        private IRandomSource _babbleRandom = null!;

        private void ScheduleBabblers(Scenario s)
        {
            _babbleRandom = new XorShiftRandom(s.Seed ^ 0xBAB8_1E5UL);
            foreach (SimNode node in _nodes)
            {
                if (node.Behaviour == NodeBehaviour.Babbler)
                {
                    _metrics.MarkBabbler(node.Index);
                    _events.Push(BabbleDelay(node), EventKind.Babble, node.Index, 0);
                }
                else if (node.ReadingIntervalSeconds > 0 && node.ReadingIntervalSeconds < s.Workload.ReadingIntervalSeconds)
                {
                    _metrics.MarkStuck(node.Index); // reports faster than everyone else: a stuck sensor
                }
            }
        }

        /// <summary>Until the next babble: the normal interval over the rate (jittered like the workload), or the line-rate retry.</summary>
        private long BabbleDelay(SimNode node)
        {
            AdversarySettings a = node.Babble!;
            if (a.LineRate)
            {
                return LineRateRetryUs / 2 + RandomExtensions.NextBelow(_babbleRandom, (int)LineRateRetryUs);
            }

            double seconds = _scenario.Workload.ReadingIntervalSeconds / a.Rate;
            return (long)(seconds * 1e6 * (0.5 + RandomDraws.Unit(_babbleRandom)));
        }

        private void Babble(SimNode node)
        {
            if (node.Alive && node.Core != null)
            {
                if (node.Babble!.LineRate)
                {
                    FillWithBabble(node);
                }
                else
                {
                    OriginateBabble(node, node.Core);
                }

                Service(node);
            }

            _events.Push(_nowUs + BabbleDelay(node), EventKind.Babble, node.Index, 0);
        }

        /// <summary>Line rate: after every transmission of its own, a babbler tops its transmit queue up again.</summary>
        private void RefillBabbler(SimNode node)
        {
            if (node.Behaviour == NodeBehaviour.Babbler && node.Babble!.LineRate && node.Core != null)
            {
                FillWithBabble(node);
            }
        }

        private void FillWithBabble(SimNode node)
        {
            // Bounded: the queue holds at most a few dozen frames, and a refusal ends the loop.
            for (int i = 0; i < 256 && OriginateBabble(node, node.Core!); i++)
            {
            }
        }

        /// <summary>One message of the babbler's traffic; false when the core refused it (queue full).</summary>
        private bool OriginateBabble(SimNode node, MeshNode core)
        {
            long nowMs = node.Clock.LocalMs(_nowUs);
            uint sequence = core.NextSequence;
            if (node.Babble!.Traffic == "broadcast")
            {
                byte[] text = System.Text.Encoding.UTF8.GetBytes("babble " + sequence);
                if (core.SendText(text, 0, text.Length, NodeAddress.Broadcast, nowMs) != SendResult.Queued)
                {
                    return false;
                }

                NoteSent(MessageClass.Broadcast, node, sequence);
                return true;
            }

            _readings.Clear();
            _readings.Add(Quantity.Temperature, 20 + RandomExtensions.NextBelow(_babbleRandom, 100) / 100.0);
            if (core.SendReadings(_readings, nowMs) != SendResult.Queued)
            {
                return false;
            }

            NoteSent(MessageClass.Reading, node, sequence);
            return true;
        }
    }
}
