using Mesh.Protocol.Messages;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Store and forward (PROTOCOL.md *Store and forward*): forwarding stored readings when a route is back,
    /// the fallback echo that carries a relay's flood back to the origin, and the loop-return rule.
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>
        /// Store and forward: with a route, the oldest stored reading goes up as a new frame (new sequence,
        /// current time) beginning with its measured-at item, one per StoreForwardSpacingMs, and only while an
        /// upward slot is free (so it takes no other frame's retransmission state). It leaves the store once queued.
        /// </summary>
        private void ForwardStored(long nowMs)
        {
            StructuredRouting r = _routing;
            ReadingStore store = r.Store;
            if (store == null || store.Count == 0 || !r.Gradient.HasRoute || r.Gradient.Parent == NodeAddress.None || nowMs < store.NextForwardMs)
            {
                return;
            }

            // The previous forward did not come back within a spacing: the route held, the backoff ends.
            if (store.ForwardOutstanding)
            {
                store.Backoff = 0;
            }

            store.NextForwardMs = nowMs + (Congestion.Scale(r.StoreForwardSpacingMs, SpacingFactor(nowMs)) << store.Backoff);
            if (r.Upward.Count >= r.Upward.Capacity)
            {
                return;
            }

            int n = store.CopyOldest(_txPayload, 0);
            if (Originate(MessageType.Readings, NodeAddress.Gateways, NodeAddress.None, n, nowMs, 0) == SendResult.Queued)
            {
                store.RemoveOldest();
                store.Forwarded++;
                store.ForwardOutstanding = true;
            }
        }

        /// <summary>
        /// Store and forward's end-to-end signal (PROTOCOL.md, "Store and forward"): a relay that gives up on
        /// every parent floods the frame, and the flood reaches its origin, which hears its own reading come
        /// back with next hop 0 and hops taken > 0. Custody passed at the first hop, so this is the origin's
        /// only news that the reading did not climb; it stores the reading again (with the time it was
        /// measured) unless it already holds it. Costs no frame: the flood was going to happen anyway. A stored
        /// reading that comes back doubles the forwarding spacing, so a cut-off region whose stale gradient
        /// still looks like a route does not spend the channel retrying.
        /// <para>
        /// The same when a relay hands the origin its own reading as next hop (hops taken > 0): the path went
        /// round a loop through the origin (a stale gradient in a partition: a relay up the path chose the
        /// origin as its parent). Without this the relay retried to an origin that refuses its own frames,
        /// then to other parents round the same loop, until the hop limit (farm-200-partition lost its
        /// readings that way). The origin takes custody back: it hop-acks the sender (which stops retrying),
        /// drops its parent's route, which led back to it, and stores the reading.
        /// </para>
        /// </summary>
        private void NoteFallbackEcho(FrameHeader h, byte[] frame, int offset, int length, long nowMs)
        {
            ReadingStore store = _routing.Store;
            bool handedBack = h.NextHop == _id;
            if (!_routing.FallbackEcho || h.Type != MessageType.Readings || h.Destination != NodeAddress.Gateways
                || (h.NextHop != NodeAddress.None && !handedBack) || h.HopsTaken == 0 || _deviceKey == null
                || (store.Holds(h.Sequence) && !handedBack) || _clock.IsStale(h.Time, nowMs))
            {
                return;
            }

            NetworkKey net = _keys.Find(h.NetworkKeyIndex);
            if (net == null || !_netSealer.Verify(net, frame, offset, length))
            {
                return;
            }

            if (handedBack)
            {
                TakeCustodyBack(h, nowMs);
                if (store.Holds(h.Sequence))
                {
                    return;
                }
            }

            if (!_payloadSealer.Open(_deviceKey.Sealing, h, frame, offset, _rxPayload))
            {
                return;
            }

            bool wasStored = h.PayloadLength > 1 && _rxPayload[RxAt] > 0 && _rxPayload[RxAt + 1] == ReadingSet.MeasuredAtCode;
            if (!store.Add(_rxPayload, RxAt, h.PayloadLength, h.Time, h.Sequence))
            {
                return;
            }

            store.Recovered++;
            if (wasStored)
            {
                store.ForwardOutstanding = false;
                if (store.Backoff < ReadingStore.MaxBackoffDoublings)
                {
                    store.Backoff++;
                }
            }

            long next = nowMs + (Congestion.Scale(_routing.StoreForwardSpacingMs, SpacingFactor(nowMs)) << store.Backoff);
            if (next > store.NextForwardMs)
            {
                store.NextForwardMs = next;
            }
        }

        /// <summary>
        /// Our own reading handed back to us (see <see cref="NoteFallbackEcho"/>): a hop ack to the sender,
        /// and the parent's route dropped, as a relay does on a loop return (<see cref="FloodLoopReturn"/>).
        /// </summary>
        private void TakeCustodyBack(FrameHeader h, long nowMs)
        {
            if (NodeAddress.IsValidNodeId(h.PreviousHop))
            {
                SendHopAck(h.PreviousHop, h.Origin, h.Sequence, nowMs);
            }

            DropLoopingParent(nowMs);
        }

        /// <summary>A frame came back round a loop: the parent's route leads back here, so it is dropped until its next beacon, and the gradient is told (Trickle).</summary>
        private void DropLoopingParent(long nowMs)
        {
            StructuredRouting r = _routing;
            r.LoopsDetected++;
            r.LoopReturns++;
            if (r.Gradient.Parent != NodeAddress.None)
            {
                r.Gradient.DropRouteOf(r.Gradient.Parent, nowMs);
                RecomputeRoute(nowMs);
            }

            r.Trickle.Reset(nowMs, _random);
        }

        /// <summary>
        /// A flooded copy of an upward frame this node relayed: a relay further up gave up on it (out of
        /// parents, or a loop) and fell back to flooding. Flooded once more from here (managed flooding's
        /// cancellation applies), so the flood runs back down the path to the origin, which keeps the reading
        /// (store and forward) — the nodes of the path have all handled the frame and would otherwise stay
        /// quiet. Authenticated first. (Uncancelled echoes were measured: more collisions, no better delivery.)
        /// </summary>
        private void EchoFallback(FrameHeader h, NetworkKey net, byte[] frame, int offset, long nowMs)
        {
            RelayedUpward relayed = _routing.Relayed;
            int i = relayed.IndexOf(h.Origin, h.Sequence);
            if (!_routing.FallbackEcho || i < 0 || relayed.EchoedAt(i) || h.HopsTaken <= relayed.HopsAt(i) || !RoutingActive
                || !_netSealer.Verify(net, frame, offset, h.FrameLength))
            {
                return;
            }

            relayed.MarkEchoed(h.Origin, h.Sequence);
            _routing.FallbackEchoes++;
            FloodFrom(h, net, frame, offset, nowMs, _policy.CancelThreshold);
        }

        /// <summary>
        /// An upward frame this node relayed came back to it round a loop (more hops taken than when it
        /// first got here): the parent's route leads back here, so it is dropped until its next beacon, and
        /// the frame — which every node of the loop has passed on — is flooded from here, as a frame out of
        /// parents is (its origin hears the flood and keeps the reading: store and forward).
        /// </summary>
        private void FloodLoopReturn(FrameHeader h, NetworkKey net, byte[] frame, int offset, long nowMs)
        {
            StructuredRouting r = _routing;
            DropLoopingParent(nowMs);
            r.Relayed.MarkEchoed(h.Origin, h.Sequence); // its own flood needs no echo
            if (FloodFrom(h, net, frame, offset, nowMs, _policy.CancelThreshold))
            {
                r.FloodFallbacks++;
            }
        }
    }
}
