using System;
using System.Reflection;

namespace Mesh.Simulator.Metrics
{
    /// <summary>A sharded run's collectors: each shard logs the calls whose order matters and keeps its own counters; the run's collector replays the logs and sums the counters.</summary>
    public sealed partial class MetricsCollector
    {
        // Every public counter (Receptions, FrameArrivals, CollidedArrivals, …): the sums a shard keeps.
        private static readonly FieldInfo[] Counters = Array.FindAll(
            typeof(MetricsCollector).GetFields(BindingFlags.Public | BindingFlags.Instance), f => f.FieldType == typeof(long));

        /// <summary>
        /// Set in a shard of a sharded run: sends, transmissions and deliveries go to this log instead
        /// of being applied here (the run replays them, in time order across shards, into its own
        /// collector). Counters and the collision ledger are kept here as usual.
        /// </summary>
        public MetricsLog? Recorder { get; set; }

        /// <summary>Takes which origins a shard's collector counts apart (stuck sensors, babblers): every shard marks them all alike.</summary>
        public void AdoptOriginKinds(MetricsCollector shard) => Array.Copy(shard._originKind, _originKind, _originKind.Length);

        /// <summary>Adds what a shard's collector counted itself (the calls it logged were replayed here already).</summary>
        public void AbsorbCounters(MetricsCollector shard)
        {
            foreach (FieldInfo f in Counters)
            {
                f.SetValue(this, (long)f.GetValue(this)! + (long)f.GetValue(shard)!);
            }

            for (int i = 0; i < _refused.Length; i++)
            {
                _refused[i] += shard._refused[i];
            }

            CollisionLedger.Absorb(shard.CollisionLedger);
            if (shard._executed.Count > 0 || shard._commands.Count > 0)
            {
                throw new InvalidOperationException("commands are not measured in sharded runs");
            }
        }
    }
}
