using System;
using Mesh.Protocol;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Metrics;
using Mesh.Simulator.Scenarios;

namespace Mesh.Simulator.Engine
{
    /// <summary>Traffic that does not come from the nodes' own timers: broadcasts from random nodes and commands from the gateways.</summary>
    public sealed partial class Simulation
    {
        private void ScheduleWorkload(Scenario s)
        {
            if (s.Workload.BroadcastIntervalSeconds > 0)
            {
                _events.Push(NextInterval(s.Workload.BroadcastIntervalSeconds), EventKind.Broadcast, 0, 0);
            }

            if (s.Workload.CommandIntervalSeconds > 0)
            {
                _events.Push(NextInterval(s.Workload.CommandIntervalSeconds), EventKind.Command, 0, 0);
            }
        }

        private long NextInterval(double seconds)
        {
            // Uniform in [0.5, 1.5) × interval: regular on average, never in lock-step.
            return (long)(seconds * 1e6 * (0.5 + RandomDraws.Unit(_workloadRandom)));
        }

        private void SendBroadcast()
        {
            SimNode? from = RandomHonestNode(false);
            if (from?.Core != null)
            {
                byte[] text = System.Text.Encoding.UTF8.GetBytes("broadcast " + _metrics.BroadcastsSent);
                uint sequence = from.Core.NextSequence;
                if (from.Core.SendText(text, 0, text.Length, NodeAddress.Broadcast, from.Clock.LocalMs(_nowUs)) == SendResult.Queued)
                {
                    NoteSent(MessageClass.Broadcast, from, sequence);
                    Service(from);
                }
                else
                {
                    _metrics.SendRefused(MessageClass.Broadcast);
                }
            }

            _events.Push(_nowUs + NextInterval(_scenario.Workload.BroadcastIntervalSeconds), EventKind.Broadcast, 0, 0);
        }

        private void SendCommand()
        {
            SimNode? target = RandomHonestNode(true);
            SimNode? sink = target == null ? null : ClosestSink(target);
            if (sink != null && target != null)
            {
                SendResult r = sink.Core!.SendCommand(target.Id, CommandKind.Ping, Array.Empty<byte>(), 0, 0, sink.Clock.LocalMs(_nowUs), out ushort id);
                if (r == SendResult.Queued)
                {
                    _metrics.CommandSent(sink, id, _nowUs);
                    Service(sink);
                }
            }

            _events.Push(_nowUs + NextInterval(_scenario.Workload.CommandIntervalSeconds), EventKind.Command, 0, 0);
        }

        /// <summary>The live gateway with the shortest learnt route to the target (what a multi-gateway
        /// deployment would send a command through); the first live one if none has a route.</summary>
        private SimNode? ClosestSink(SimNode target)
        {
            SimNode? best = null;
            int bestDistance = int.MaxValue;
            foreach (int i in _sinks)
            {
                SimNode sink = _nodes[i];
                if (!sink.Alive || sink.Core == null)
                {
                    continue;
                }

                int d = sink.Core.Routes.Distance(target.Id, sink.Clock.LocalMs(_nowUs));
                int rank = d < 0 ? int.MaxValue - 1 : d;
                if (best == null || rank < bestDistance)
                {
                    best = sink;
                    bestDistance = rank;
                }
            }

            return best;
        }

        private SimNode? RandomHonestNode(bool excludeSinks)
        {
            for (int attempt = 0; attempt < 64; attempt++)
            {
                SimNode n = _nodes[RandomExtensions.NextBelow(_workloadRandom, _nodes.Length)];
                if (n.Alive && n.Core != null && n.Behaviour == NodeBehaviour.Honest && !(excludeSinks && n.IsSink))
                {
                    return n;
                }
            }

            return null;
        }

        private int AliveHonestCount() => _aliveHonest;
    }
}
