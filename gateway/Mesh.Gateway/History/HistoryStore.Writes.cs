using System;
using System.Collections.Generic;
using Mesh.Gateway.Model;

namespace Mesh.Gateway.History
{
    /// <summary>
    /// Writing: batches on the serialised write connection and the one-call write methods, each its own batch.
    /// </summary>
    public sealed partial class HistoryStore
    {
        /// <summary>Starts a transaction on the write connection; nothing is stored until <see cref="HistoryBatch.Commit"/>. Other writes wait until the batch is disposed.</summary>
        public HistoryBatch BeginBatch()
        {
            ThrowIfDisposed();
            _gate.Wait();
            try
            {
                ThrowIfDisposed();
                return new HistoryBatch(this, _write.BeginTransaction(), _statements);
            }
            catch
            {
                _gate.Release();
                throw;
            }
        }

        internal void EndBatch() => _gate.Release();

        /// <summary>Stores readings in one transaction and updates their nodes' last-seen state.</summary>
        public void AppendReadings(IReadOnlyList<SensorReading> readings) => InBatch(b => b.AppendReadings(readings));

        /// <summary>Updates the node's latest state (role, policy, uptime, neighbours, last seen) and adds a "heartbeat" event.</summary>
        public void RecordHeartbeat(NodeHeartbeat heartbeat) => InBatch(b => b.RecordHeartbeat(heartbeat));

        /// <summary>Adds a node event, e.g. "online" or "offline". <paramref name="detailJson"/> must be a JSON object or null.</summary>
        public void RecordEvent(ushort network, uint node, DateTimeOffset timestamp, string kind, string? detailJson = null) =>
            InBatch(b => b.RecordEvent(network, node, timestamp, kind, detailJson));

        /// <summary>Adds a "command" event at the outcome's completion time; detail: command, id, state, status, sent_at, completed_at, round_trip_ms, error.</summary>
        public void RecordCommand(CommandOutcome outcome) => InBatch(b => b.RecordCommand(outcome));

        /// <summary>Adds a "text" event; detail: {"text": ...}.</summary>
        public void RecordText(ushort network, uint node, DateTimeOffset timestamp, string text) =>
            InBatch(b => b.RecordText(network, node, timestamp, text));

        private void InBatch(Action<HistoryBatch> write)
        {
            using HistoryBatch b = BeginBatch();
            write(b);
            b.Commit();
        }
    }
}
