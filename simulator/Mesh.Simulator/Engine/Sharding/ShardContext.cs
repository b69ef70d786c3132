using Mesh.Simulator.Metrics;

namespace Mesh.Simulator.Engine
{
    /// <summary>What one shard of a sharded run knows of the others: who owns each node, where to post frames, where to record metrics.</summary>
    internal sealed class ShardContext
    {
        public ShardContext(int index, int count, int[] owner, long lookaheadUs, ShardMailbox mailbox, MetricsLog log)
        {
            Index = index;
            Count = count;
            Owner = owner;
            LookaheadUs = lookaheadUs;
            Mailbox = mailbox;
            Log = log;
        }

        public int Index { get; }

        public int Count { get; }

        /// <summary>The shard that runs each node.</summary>
        public int[] Owner { get; }

        /// <summary>The window: the shortest time a frame is on the air.</summary>
        public long LookaheadUs { get; }

        public ShardMailbox Mailbox { get; }

        /// <summary>The window this shard is in (set by the run before it steps the shard through it).</summary>
        public long Window { get; set; }

        /// <summary>Where this shard's metrics calls go until the run gives it each window's log.</summary>
        public MetricsLog Log { get; }
    }
}
