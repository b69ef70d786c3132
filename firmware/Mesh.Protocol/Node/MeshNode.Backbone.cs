using Mesh.Protocol.Messages;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// The broadcast backbone (PROTOCOL.md "Structured routing", backbone): a structured node relays
    /// flooded frames that are not upward (broadcasts, commands without a route) by the backbone rules —
    /// a relay (Wu–Li Rule k on its neighbours' beaconed neighbour lists) after the managed-flooding
    /// contention delay, a non-relay only as a late fallback; either cancels once the copies it heard
    /// cover all its strong neighbours; a relay whose copy no neighbour forwards sends it once more.
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>The backbone's contention window is this many times managed flooding's (more time to hear others and cancel).</summary>
        private const int BackboneDelaySpread = 3;

        private bool BackboneActive
        {
            get { return RoutingActive && _routing.Backbone != null; }
        }

        /// <summary>Whether this node is currently a backbone relay (false when the backbone is not active).</summary>
        public bool IsBackboneRelay
        {
            get { return BackboneActive && _routing.Backbone.IsRelay; }
        }

        /// <summary>
        /// Flooded frames the backbone handles: everything flooded except upward readings, whose flood is the
        /// fallback of a node without a route and stays managed flooding (PROTOCOL.md *Structured routing*,
        /// upward data). Heartbeats ride the backbone even when upward:
        /// the flooded ones are mostly gateways' own (a gateway has no parent; its heartbeat is the mesh's time
        /// beacon and how the other gateways see it), periodic status that the next one supersedes; managed
        /// flooding made them 15 % of city-1000's transmissions (simulator/README, stop 31).
        /// </summary>
        private static bool RidesBackbone(FrameHeader h)
        {
            if (MessageTypes.IsOneHop(h.Type))
            {
                return false;
            }

            return h.Destination != NodeAddress.Gateways || h.Type == MessageType.Heartbeat;
        }

        /// <summary>A beacon heard: its neighbour list into the two-hop view, and the relay decision again.</summary>
        private void BackboneOnBeacon(uint from, Beacon b, long nowMs)
        {
            Backbone bb = _routing.Backbone;
            bb.Update(from, b, _id);
            // A step down is announced by the next beacon (Backbone.NeedsBeacon): neighbours that count on
            // this node as a relay must hear it. A step up is not forced: they keep relaying meanwhile.
            bb.Decide(_id, nowMs);
        }

        /// <summary>Every authenticated frame: its transmitter into the backbone's table of strongest neighbours.</summary>
        private void BackboneHeard(FrameHeader h, int rssi, long nowMs)
        {
            if (_routing == null || _routing.Backbone == null)
            {
                return;
            }

            bool originated = h.HopsTaken == 0 && h.PreviousHop == h.Origin;
            _routing.Backbone.Heard(h.PreviousHop, rssi, originated ? h.Sequence : 0, nowMs);
        }

        /// <summary>Beacons of a backbone node list its strongest neighbours (the backbone table), not the least-recently-used table.</summary>
        private bool FillBackboneNeighbours(Beacon b)
        {
            if (!BackboneActive)
            {
                return false;
            }

            _routing.Backbone.FillBeacon(b);
            return true;
        }

        /// <summary>A node whose well-heard neighbours changed since its last beacon does not suppress the next one.</summary>
        private void BackboneBeforeTrickle()
        {
            if (BackboneActive && _routing.Backbone.NeedsBeacon)
            {
                _routing.Trickle.Unsuppress();
            }
        }

        /// <summary>Beacon flag bit 1 and the strong degree the beacon advertises.</summary>
        private int BackboneBeaconFlags(long nowMs)
        {
            if (!BackboneActive)
            {
                return 0;
            }

            Backbone bb = _routing.Backbone;
            bb.Decide(_id, nowMs);
            return bb.IsRelay ? Beacon.FlagBackbone : 0;
        }

        /// <summary>
        /// A copy of a broadcast this node is waiting on (to send, or to hear forwarded): before its own copy
        /// leaves it counts for coverage (all strong neighbours covered: cancelled); after, it is the forward
        /// that makes the retransmission unnecessary. Only copies whose network MIC verifies count.
        /// </summary>
        private void NoteBackboneCopy(FrameHeader h, byte[] frame, int offset, int length)
        {
            if (!BackboneActive || h.HopLimit == 0 || h.NextHop != NodeAddress.None || !NodeAddress.IsValidNodeId(h.PreviousHop) || h.PreviousHop == _id)
            {
                return;
            }

            Backbone bb = _routing.Backbone;
            int p = bb.Find(h.Origin, h.Sequence);
            if (p < 0)
            {
                return;
            }

            int first = bb.FirstSlotOf(p);
            int second = bb.SecondSlotOf(p);
            bool firstWaiting = _transmit.Holds(first, h.Origin, h.Sequence);
            bool secondWaiting = _transmit.Holds(second, h.Origin, h.Sequence);
            if (!firstWaiting && !secondWaiting)
            {
                bb.Release(p);
                return;
            }

            NetworkKey net = _keys.Find(h.NetworkKeyIndex);
            if (net == null || !_netSealer.Verify(net, frame, offset, length))
            {
                return;
            }

            if (firstWaiting && secondWaiting && h.PreviousHop != bb.FirstHeardFrom(p))
            {
                // The broadcast already moves on past us: our copy goes as planned, no retransmission.
                CancelSecondCopy(bb, second);
                secondWaiting = false;
            }

            if (firstWaiting)
            {
                if (bb.NoteCopy(p, h.PreviousHop))
                {
                    _transmit.Cancel(first);
                    if (secondWaiting)
                    {
                        CancelSecondCopy(bb, second);
                    }

                    bb.CountCancelled(p, true);
                    _counters.RelaysCancelled++;
                    bb.Release(p);
                }

                return;
            }

            // Our copy left and a neighbour forwarded the broadcast: no retransmission.
            CancelSecondCopy(bb, second);
            bb.Release(p);
        }

        /// <summary>Drops a broadcast's waiting second copy (its retransmission) and counts it.</summary>
        private void CancelSecondCopy(Backbone bb, int second)
        {
            _transmit.Cancel(second);
            bb.RetransmissionsCancelled++;
        }

        /// <summary>Our copy was cancelled by managed flooding's count (C relayers heard): its retransmission goes too.</summary>
        private void BackboneCancelled(uint origin, uint sequence)
        {
            if (!BackboneActive)
            {
                return;
            }

            Backbone bb = _routing.Backbone;
            int p = bb.Find(origin, sequence);
            if (p < 0)
            {
                return;
            }

            int second = bb.SecondSlotOf(p);
            if (_transmit.Holds(second, origin, sequence))
            {
                CancelSecondCopy(bb, second);
            }

            bb.CountCancelled(p, false);
            bb.Release(p);
        }

        /// <summary>
        /// A new flooded frame for the backbone (ScheduleRelay's flooded branch, after the hop limit).
        /// Nothing is sent when the copy heard already covers every strong neighbour.
        /// </summary>
        private void RelayBackbone(FrameHeader h, NetworkKey net, byte[] frame, int offset, int rssi, long nowMs)
        {
            StructuredRouting r = _routing;
            Backbone bb = r.Backbone;
            bb.Decide(_id, nowMs);
            int p = bb.Claim(h.Origin, h.Sequence, -1, -1);
            bb.SetFirstHeardFrom(p, h.PreviousHop);
            if (bb.NoteCopy(p, h.PreviousHop))
            {
                bb.Covered++;
                bb.Release(p);
                return;
            }

            // The more of its strong neighbours the copy heard left uncovered, the sooner a node speaks
            // (dynamic self-pruning: those that add little wait, hear the others and cancel).
            bool relay = bb.IsRelay;
            int strong;
            int uncovered = bb.Uncovered(p, out strong);
            Forwarding.PolicySettings ps = _policy.Settings;
            int span = BackboneDelaySpread * (ps.MaxDelayMs - ps.MinDelayMs);
            int delay = ps.MinDelayMs + (strong == 0 ? span : span * (strong - uncovered) / strong)
                + RandomExtensions.NextBelow(_random, ps.JitterMs + 1);

            if (!relay)
            {
                delay += (int)r.BackboneAckMs; // a fallback: only if the relays around left someone uncovered
            }

            if (!TakeFairShare(h.Origin, h.Type, h.FrameLength, nowMs))
            {
                bb.Release(p);
                return;
            }

            delay = Congestion.Scale(delay, CongestionFactor(nowMs));
            int slot = AcquireSlot(h.Type);
            if (slot < 0)
            {
                _counters.RelaysDroppedQueueFull++;
                bb.Release(p);
                return;
            }

            ScheduleRelayCopy(slot, h, net, frame, offset, NodeAddress.None, nowMs + delay, ps.CancelThreshold);
            bb.SetFirst(p, slot);
            if (relay)
            {
                bb.Scheduled++;
                ScheduleBackboneRetransmission(p, slot, h.FrameLength, h.Origin, h.Sequence, (int)h.Type, nowMs + delay);
            }
            else
            {
                bb.FallbacksScheduled++;
                bb.SetFallback(p);
            }
        }

        /// <summary>A broadcast this node originates (Originate, flooded, not upward): tracked for its one retransmission.</summary>
        private void TrackOriginatedBroadcast(int slot, int length, uint sequence, MessageType type, long nowMs, long dueMs)
        {
            Backbone bb = _routing.Backbone;
            bb.Decide(_id, nowMs);
            int p = bb.Claim(_id, sequence, slot, -1);
            ScheduleBackboneRetransmission(p, slot, length, _id, sequence, (int)type, dueMs);
        }

        /// <summary>
        /// The one retransmission: a second copy of the frame in <paramref name="slot"/>, due BackboneAckMs
        /// after the first, when a strong neighbour not yet covered is a backbone relay (it should forward
        /// the frame, and we will hear it if it does). Cancelled by the first forward heard after our copy.
        /// </summary>
        private void ScheduleBackboneRetransmission(int p, int slot, int length, uint origin, uint sequence, int type, long firstDueMs)
        {
            StructuredRouting r = _routing;
            Backbone bb = r.Backbone;
            if (!bb.UncoveredRelayNeighbour(p))
            {
                return;
            }

            // A free slot only: the retransmission never evicts another frame.
            int second = _transmit.FindFree();
            if (second < 0 || !_transmit.Holds(slot, origin, sequence))
            {
                return;
            }

            System.Array.Copy(_transmit.BufferOf(slot), 0, _transmit.BufferOf(second), 0, length);
            _transmit.Schedule(second, length, firstDueMs + r.BackboneAckMs, origin, sequence, 0, TrafficClass.Of(type));
            bb.SetSecond(p, second);
            bb.RetransmissionsScheduled++;
        }
    }
}
