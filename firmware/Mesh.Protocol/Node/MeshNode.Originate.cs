using Mesh.Protocol.Messages;
using Mesh.Protocol.Qos;
using Mesh.Protocol.Routing;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Node
{
    /// <summary>
    /// Originating: readings and texts from the application, and the one path every frame this node originates
    /// takes (sequence, sealing, the transmit queue).
    /// </summary>
    public sealed partial class MeshNode
    {
        /// <summary>Sends sensor readings to the gateways, sealed with this node's device key.</summary>
        public SendResult SendReadings(ReadingSet readings, long nowMs)
        {
            int n = readings.Encode(_txPayload, 0, FrameLayout.MaxPayloadSize);
            if (n < 0)
            {
                return SendResult.PayloadTooLarge;
            }

            // Store and forward: a structured node without a route keeps its readings for when one returns,
            // and still floods them once (a merely broken gradient then costs nothing).
            ReadingStore store = StoreActive ? _routing.Store : null;
            if (store != null && !_routing.Gradient.HasRoute)
            {
                uint measured = _clock.Now(nowMs);
                store.Add(_txPayload, 0, n, measured, _nextSequence);
                if (!readings.HasMeasuredAt)
                {
                    // The flooded copy carries the same measured-at as the stored one will, so a gateway
                    // that gets both publishes the values once (it deduplicates on node, measured-at, items).
                    readings.SetMeasuredAt(measured);
                    int withTime = readings.Encode(_txPayload, 0, FrameLayout.MaxPayloadSize);
                    readings.ClearMeasuredAt();
                    n = withTime > 0 ? withTime : readings.Encode(_txPayload, 0, FrameLayout.MaxPayloadSize);
                }
            }

            return Originate(MessageType.Readings, NodeAddress.Gateways, NodeAddress.None, n, nowMs, 0);
        }

        /// <summary>
        /// Sends free-form bytes (UTF-8 text by convention) to a node, the gateways or everyone, sealed
        /// under the network key (every node can read it) unless EncryptPayloads is off.
        /// </summary>
        public SendResult SendText(byte[] text, int offset, int length, uint destination, long nowMs)
        {
            if (length < 0 || length > FrameLayout.MaxPayloadSize)
            {
                return SendResult.PayloadTooLarge;
            }

            if (destination == NodeAddress.None || destination == _id)
            {
                return SendResult.InvalidDestination;
            }

            System.Array.Copy(text, offset, _txPayload, 0, length);
            uint nextHop = NodeAddress.IsValidNodeId(destination) ? _routes.NextHop(destination, nowMs) : NodeAddress.None;
            return Originate(MessageType.Text, destination, nextHop, length, nowMs, 0);
        }

        /// <summary>
        /// Builds, seals and queues a frame whose payload is in <see cref="_txPayload"/>. Readings,
        /// heartbeats and acks are sealed with this node's device key; commands with the target's;
        /// text with the network key (or not at all when EncryptPayloads is off).
        /// </summary>
        private SendResult Originate(MessageType type, uint destination, uint nextHop, int payloadLength, long nowMs, int delayMs)
        {
            if (_nextSequence == uint.MaxValue)
            {
                return SendResult.SequenceExhausted;
            }

            if (_nextSequence >= _confirmedCheckpoint)
            {
                return SendResult.CheckpointPending;
            }

            FrameHeader h = _tx;
            SealingKey sealing;
            bool oneHop = MessageTypes.IsOneHop(type);
            if (oneHop)
            {
                // Beacons and hop acks: network MIC only (PROTOCOL.md, "Which sealing each message type needs").
                h.Flags = 0;
                h.DeviceKeyIndex = 0;
                sealing = null;
            }
            else if (type == MessageType.Text)
            {
                h.Flags = Switched(SwitchEncrypt) ? FrameFlags.NetworkSealed : 0;
                h.DeviceKeyIndex = 0;
                sealing = Switched(SwitchEncrypt) ? _keys.Transmit.Payload : null;
            }
            else
            {
                DeviceKey device = type == MessageType.Command ? FindDirectoryKey(destination) : _deviceKey;
                if (device == null)
                {
                    return SendResult.NoDeviceKey;
                }

                h.Flags = type == MessageType.Command ? FrameFlags.DeviceSealed | FrameFlags.Downlink : FrameFlags.DeviceSealed;
                h.DeviceKeyIndex = device.Index;
                sealing = device.Sealing;
            }

            if (payloadLength + FrameLayout.HeaderSize + FrameLayout.Trailer(h.Flags) > FrameLayout.MaxFrameSize)
            {
                return SendResult.PayloadTooLarge;
            }

            int slot = AcquireSlot(type);
            if (slot < 0)
            {
                return SendResult.TransmitQueueFull;
            }

            if (nextHop == NodeAddress.None)
            {
                nextHop = UpwardNextHop(type, destination);
            }

            NetworkKey net = _keys.Transmit;
            h.Type = type;
            h.Network = _network;
            h.NetworkKeyIndex = net.Index;
            h.Origin = _id;
            h.Destination = destination;
            h.Sequence = _nextSequence++;
            h.Time = _clock.Now(nowMs);
            bool directedUp = nextHop != NodeAddress.None && IsUpward(type, destination) && RoutingActive;
            h.HopLimit = oneHop ? 0 : ScaledHopLimit(_hopLimit, destination, nextHop, nowMs);
            if (directedUp)
            {
                h.HopLimit = UpwardHopLimit(h.HopLimit);
            }
            h.HopsTaken = 0;
            h.PreviousHop = _id;
            h.NextHop = nextHop;
            h.PayloadLength = payloadLength;

            byte[] buffer = _transmit.BufferOf(slot);
            FrameCodec.WriteHeader(h, buffer, 0);
            System.Array.Copy(_txPayload, 0, buffer, FrameLayout.HeaderSize, payloadLength);
            if (sealing != null)
            {
                _payloadSealer.Seal(sealing, h, buffer, 0);
            }

            SealForAir(net, buffer, 0, h.FrameLength);
            _transmit.Schedule(slot, h.FrameLength, nowMs + delayMs, _id, h.Sequence, 0, TrafficClass.Of((int)type));
            if (directedUp)
            {
                TrackUpward(buffer, h.FrameLength, _id, h.Sequence, nextHop, nowMs, nowMs + delayMs);
            }

            if (nextHop == NodeAddress.None && !oneHop && BackboneActive && RidesBackbone(h))
            {
                TrackOriginatedBroadcast(slot, h.FrameLength, h.Sequence, type, nowMs, nowMs + delayMs);
            }

            _counters.FramesOriginated++;
            return SendResult.Queued;
        }

        private DeviceKey FindDirectoryKey(uint node)
        {
            return _directory == null ? null : _directory.Current(node);
        }
    }
}
