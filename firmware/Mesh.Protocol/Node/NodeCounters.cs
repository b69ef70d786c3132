using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>What a node has done, for metrics and tests. Plain fields: reading them costs nothing.</summary>
    public sealed class NodeCounters
    {
        public long FramesReceived;
        public long FramesAccepted;

        /// <summary>Authentic frames heard on a directed path through another node (learnt from, not handled).</summary>
        public long FramesOverheard;
        public long MessagesDelivered;
        public long FramesOriginated;
        public long RelaysScheduled;
        public long RelaysCancelled;
        public long RelaysDroppedQueueFull;
        public long FramesTransmitted;
        public long CommandRetries;
        public long CommandsAcknowledged;
        public long CommandsTimedOut;
        public long HeartbeatsSent;

        /// <summary>Frames this node would have relayed but did not: their origin had used up its fair share.</summary>
        public long ThrottledFrames;
        public readonly long[] Rejected = new long[RejectReasons.Count];

        public long RejectedTotal
        {
            get
            {
                long n = 0;
                for (int i = 0; i < Rejected.Length; i++)
                {
                    n += Rejected[i];
                }

                return n;
            }
        }

        public long RejectedFor(RejectReason reason)
        {
            return Rejected[(int)reason];
        }
    }
}
