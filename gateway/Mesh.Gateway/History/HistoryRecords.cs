using System;
using System.Collections.Generic;
using Mesh.Gateway.Model;

namespace Mesh.Gateway.History
{
    /// <summary>
    /// The latest known state of one node, as kept in the <c>nodes</c> table. A node first heard through a
    /// reading has no role, policy, uptime or neighbours until its first heartbeat.
    /// </summary>
    /// <param name="LastSeen">Time of the newest reading or heartbeat from the node.</param>
    /// <param name="Hops">Hops taken by that newest message.</param>
    /// <param name="Rssi">Signal strength the gateway heard that newest message with.</param>
    /// <param name="LastHeartbeat">Time of the newest heartbeat, null if none has arrived.</param>
    /// <param name="Battery">Newest stored "battery" reading (percent), null if none is kept.</param>
    /// <param name="BatteryVoltage">Newest stored "battery_voltage" reading (volts), null if none is kept.</param>
    /// <param name="NeighboursKnown">How many neighbours the newest heartbeat said the node knows (block 3), null if it did not say.</param>
    public sealed record NodeState(
        ushort Network,
        uint Node,
        string? Role,
        string? Policy,
        uint? UptimeSeconds,
        DateTimeOffset LastSeen,
        int Hops,
        int Rssi,
        IReadOnlyList<NeighbourLink> Neighbours,
        DateTimeOffset? LastHeartbeat,
        double? Battery,
        double? BatteryVoltage,
        int? NeighboursKnown = null);

    /// <summary>One directed radio link as a node reported it in its newest heartbeat: <paramref name="From"/> hears <paramref name="To"/>.</summary>
    public sealed record TopologyLink(ushort Network, uint From, uint To, int Rssi, int Quality, DateTimeOffset ReportedAt);

    /// <summary>
    /// One row of <c>node_events</c>. Kinds written by the gateway: "heartbeat", "command", "text"; presence
    /// tracking may add "online" / "offline". <paramref name="Detail"/> is a JSON object or null.
    /// </summary>
    /// <param name="Network">Null for a command to a node the store has never heard from.</param>
    public sealed record NodeEvent(ushort? Network, uint Node, DateTimeOffset Timestamp, string Kind, string? Detail);

    /// <summary>Rows deleted by one <see cref="HistoryStore.ApplyRetention"/>.</summary>
    public sealed record RetentionResult(DateTimeOffset Cutoff, long Readings, long Events, long Nodes);
}
