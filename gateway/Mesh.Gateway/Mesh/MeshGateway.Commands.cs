using System;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Model;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// Commands to nodes: queued through the inbox, sent by the core with a per-node bound, and completed
    /// by their acknowledgement or timeout (or refused locally).
    /// </summary>
    public sealed partial class MeshGateway
    {
        /// <summary>Sends a command to a node; completes with its acknowledgement, its timeout, or a local refusal.</summary>
        public Task<CommandOutcome> SendCommandAsync(uint node, CommandKind kind, byte[] args, CancellationToken cancellationToken)
        {
            var request = new CommandRequest(node, kind, args, new TaskCompletionSource<CommandOutcome>(TaskCreationOptions.RunContinuationsAsynchronously));
            if (!_inbox.Writer.TryWrite(request))
            {
                return Task.FromResult(Refused(request, "gateway inbox is full or stopped"));
            }

            _wake.Set();

            return request.Completion.Task.WaitAsync(cancellationToken);
        }

        /// <summary>Stores what commands to this gateway change in its core (null: nothing stored, as in the demo).</summary>
        public ICommandedSettings? CommandedSettings { get; init; }

        /// <summary>Commands waiting for one node's acknowledgement at most; more are refused at once (Mesh:MaxPendingCommandsPerNode).</summary>
        public int MaxPendingPerNode { get; init; } = 4;

        private void SendCommand(CommandRequest c, long now)
        {
            // A dead node holds each of its commands for the whole retry schedule: without a per-node bound
            // a burst of commands to it takes every slot and starves the live nodes.
            int waiting = 0;
            foreach (PendingCommand p in _pending.Values)
            {
                waiting += p.Request.Node == c.Node ? 1 : 0;
            }

            if (waiting >= MaxPendingPerNode)
            {
                DateTimeOffset at = _time.GetUtcNow();
                c.Completion.TrySetResult(new CommandOutcome(c.Node, MeshEventDecoder.CommandName(c.Kind), 0, CommandState.Rejected, "node_busy", at, at,
                    $"node {c.Node} already has {waiting} commands waiting for an acknowledgement (Mesh:MaxPendingCommandsPerNode); try again when they complete"));
                return;
            }

            SendResult result = _node.SendCommand(c.Node, c.Kind, c.Args, 0, c.Args.Length, now, out ushort id);
            if (result != SendResult.Queued)
            {
                c.Completion.TrySetResult(Refused(c, "not sent: " + result));
                return;
            }

            _pending[id] = new PendingCommand(c, id, _time.GetUtcNow(), c.Completion);
        }

        private CommandOutcome Refused(CommandRequest c, string why)
        {
            DateTimeOffset at = _time.GetUtcNow();
            return new CommandOutcome(c.Node, MeshEventDecoder.CommandName(c.Kind), 0, CommandState.Rejected, "not_sent", at, at, why);
        }

        private void Complete(DateTimeOffset at)
        {
            if (!_pending.Remove(_event.CommandId, out PendingCommand? p))
            {
                return;
            }

            bool acked = _event.Kind == MeshEventKind.CommandAcknowledged;
            var outcome = new CommandOutcome(p.Request.Node, MeshEventDecoder.CommandName(p.Request.Kind), p.Id,
                acked ? CommandState.Acknowledged : CommandState.TimedOut,
                acked ? MeshEventDecoder.StatusName(_event.CommandStatus) : "timeout",
                p.SentAt, at);
            p.Completion.TrySetResult(outcome);
            foreach (IMeshListener l in _listeners)
            {
                Safe(() => l.OnCommandOutcome(outcome));
            }
        }
    }
}
