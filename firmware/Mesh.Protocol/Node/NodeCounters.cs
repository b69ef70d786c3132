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
        /// <summary>Radio frames sent (a bundle counts once: FrameCodec.IsBundle tells one from its bytes).</summary>
        public long FramesTransmitted;
        public long CommandRetries;
        public long CommandsAcknowledged;
        public long CommandsTimedOut;
        public long HeartbeatsSent;

        /// <summary>Frames this node would have relayed but did not: their origin had used up its fair share.</summary>
        public long ThrottledFrames;

        /// <summary>Broadcasts not relayed because their hops taken reached the congestion-scaled hop limit.</summary>
        public long RelaysHopScaled;

        /// <summary>Waiting frames pushed out of a full transmit queue by a frame of a lower class, per class of the evicted frame.</summary>
        public readonly long[] EvictedByClass = new long[Qos.TrafficClass.Count];

        /// <summary>New frames (originated or relayed) that found the queue full with nothing to evict, per class.</summary>
        public readonly long[] DroppedByClass = new long[Qos.TrafficClass.Count];

        /// <summary>Times a due frame was held back because sending it would exceed the duty-cycle budget (once per wait).</summary>
        public long DutyCycleDeferrals;

        /// <summary>Flooded relays not scheduled because they would eat into the duty-cycle budget kept for own frames.</summary>
        public long RelaysDutyReserved;

        /// <summary>Frames of this node's that neighbours reported throttling (beacons naming this node).</summary>
        public long ThrottledByNeighbours;

        /// <summary>Throttle notices sent (nodes that do not route structured; PROTOCOL.md, "Per-origin fair share").</summary>
        public long ThrottleNoticesSent;

        /// <summary>Channel utilisation when a frame was last heard or sent (or the beacon or heartbeat last asked), 255 = 100 %.</summary>
        public int Utilisation;

        /// <summary>Spacing factor, permille, last applied to this node's own reports and heartbeats (1000 = none).</summary>
        public int ReportSpacingPermille = 1000;
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
