using System.Collections;
using Mesh.Protocol.Node;
using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Engine
{
    /// <summary>
    /// What the metrics need to know about the network at the moment a message is sent: which nodes a
    /// broadcast could reach at all, and the shortest path from a reading's origin to a gateway — the
    /// yardsticks that separate what the protocol lost from what no protocol could have delivered.
    /// </summary>
    public sealed partial class Simulation
    {
        // Hops from every node to its nearest gateway over the links of the current table with at least
        // 50 % reception (what a route would use; the CDS's graph); rebuilt when the links change
        // (mobility). Crashes and partitions are not taken into account: it is the path a reading needs
        // on the deployed topology.
        private int[]? _hopsToSink;

        /// <summary>Records a message its origin just queued, with the yardstick its class is measured against.</summary>
        /// <param name="frameTime">Readings: the network time stamped on the frame, which a store-and-forward copy carries as its measured-at.</param>
        private void NoteSent(MessageClass cls, SimNode origin, uint sequence, uint frameTime = 0)
        {
            if (!_metrics.Measures(origin.Index, _nowUs))
            {
                _metrics.Sent(cls, origin.Id, sequence, _nowUs, AliveHonestCount(), frameTime: frameTime);
                return;
            }

            if (cls == MessageClass.Reading)
            {
                _hopsToSink ??= Reachability.HopsToNearest(_links, _sinks, RelayingNodes(false), 0.5);
                _metrics.Sent(cls, origin.Id, sequence, _nowUs, AliveHonestCount(), shortestHops: _hopsToSink[origin.Index],
                    cutOff: CutOffByPartition(origin), frameTime: frameTime);
            }
            else if (cls == MessageClass.Broadcast)
            {
                var reachable = new BitArray(_nodes.Length);
                int hopLimit = origin.HopLimit >= 0 ? origin.HopLimit : _scenario.Network.HopLimit;
                // A frame leaves its origin with 0 hops taken and is relayed while hops taken < the limit,
                // so it can travel limit + 1 hops.
                Reachability.From(_links, origin.Index, hopLimit + 1, _alive, RelayingNodes(true),
                    _scenario.Faults.Partitions.Count > 0 ? (a, b) => Partitioned(_nodes[a], _nodes[b]) : null, reachable);
                int count = 0;
                for (int i = 0; i < _nodes.Length; i++)
                {
                    // Coverage is of live honest nodes, the origin aside.
                    if (reachable[i] && (i == origin.Index || !IsHonestRunning(_nodes[i])))
                    {
                        reachable[i] = false;
                    }
                    else if (reachable[i])
                    {
                        count++;
                    }
                }

                _metrics.Sent(cls, origin.Id, sequence, _nowUs, AliveHonestCount(), reachable: reachable, reachableCount: count, hopLimit: hopLimit);
            }
            else
            {
                _metrics.Sent(cls, origin.Id, sequence, _nowUs, AliveHonestCount());
            }
        }

        /// <summary>
        /// Whether a partition active now leaves <paramref name="origin"/> without any path to a gateway
        /// (every link in the table, live relays, the cut respected, no hop limit). Only while a partition
        /// is active: it is the store-and-forward yardstick, not a general reachability measure.
        /// </summary>
        private bool CutOffByPartition(SimNode origin)
        {
            if (!AnyPartitionActive())
            {
                return false;
            }

            var reachable = new BitArray(_nodes.Length);
            Reachability.From(_links, origin.Index, _nodes.Length, _alive, RelayingNodes(true), (a, b) => Partitioned(_nodes[a], _nodes[b]), reachable);
            foreach (int sink in _sinks)
            {
                if (reachable[sink])
                {
                    return false;
                }
            }

            return true;
        }

        private bool AnyPartitionActive()
        {
            foreach (var p in _scenario.Faults.Partitions)
            {
                if (IsActive(p))
                {
                    return true;
                }
            }

            return false;
        }

        /// <summary>Nodes that pass frames on: a running core in a relaying role, honest or babbling (a black hole's core is an edge).</summary>
        private bool[] RelayingNodes(bool onlyAlive)
        {
            var relays = new bool[_nodes.Length];
            for (int i = 0; i < _nodes.Length; i++)
            {
                SimNode n = _nodes[i];
                relays[i] = n.CarriesOthers && (!onlyAlive || (n.Alive && n.Core != null));
            }

            return relays;
        }
    }
}
