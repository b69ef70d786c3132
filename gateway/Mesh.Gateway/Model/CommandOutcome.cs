using System;

namespace Mesh.Gateway.Model
{
    public enum CommandState
    {
        Acknowledged,
        TimedOut,
        Rejected,
    }

    /// <summary>How a command sent to a node ended: acknowledged (with the node's status), timed out, or refused locally.</summary>
    public sealed record CommandOutcome(
        uint Node,
        string Command,
        ushort CommandId,
        CommandState State,
        string Status,
        DateTimeOffset SentAt,
        DateTimeOffset CompletedAt,
        string? Error = null);
}
