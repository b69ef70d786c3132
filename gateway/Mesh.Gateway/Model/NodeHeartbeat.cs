using System;
using System.Collections.Generic;

namespace Mesh.Gateway.Model
{
    public sealed record NeighbourLink(uint Node, int Rssi, int Quality);

    /// <summary>
    /// A node's periodic status: what the dashboard's node list and topology graph are drawn from. <see cref="Neighbours"/>
    /// are the node's best few (a board lists 8, PROTOCOL.md *Heartbeat*); <see cref="NeighboursKnown"/> how many its
    /// table holds (null from a sender without block 3).
    /// </summary>
    public sealed record NodeHeartbeat(
        ushort Network,
        uint Node,
        string Role,
        string Policy,
        uint UptimeSeconds,
        IReadOnlyList<NeighbourLink> Neighbours,
        DateTimeOffset Timestamp,
        int Hops,
        int Rssi,
        NodeQos? Qos = null,
        NodeRoute? Route = null,
        int? NeighboursKnown = null);
}
