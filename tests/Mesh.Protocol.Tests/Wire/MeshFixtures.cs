using System;
using System.Buffers.Binary;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Desktop.Keys;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Tests.Harness;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.WireTests
{
    /// <summary>
    /// A gateway's device key directory for the fixtures: node <see cref="MeshFixtures.Origin"/> has the
    /// fixed known-answer device key (index <see cref="MeshFixtures.DeviceKeyIndex"/>); every other node a
    /// key derived from the network secret (index 0), as mesh-sim provisions them.
    /// </summary>
    public sealed class FixtureDeviceKeys : IDeviceKeyDirectory
    {
        private readonly DeviceKey _origin;
        private readonly DerivedDeviceKeys _derived;

        public FixtureDeviceKeys(ICryptoProvider crypto)
        {
            _origin = new DeviceKey(MeshFixtures.Origin, MeshFixtures.DeviceSecret, MeshFixtures.DeviceKeyIndex, crypto);
            _derived = new DerivedDeviceKeys(MeshFixtures.Secret, crypto);
        }

        public DeviceKey KeyOf(uint node) => node == MeshFixtures.Origin ? _origin : _derived.KeyOf(node);

        public DeviceKey? Find(uint node, int index)
        {
            if (node == MeshFixtures.Origin)
            {
                return index == MeshFixtures.DeviceKeyIndex ? _origin : null;
            }

            return _derived.Find(node, index);
        }

        public DeviceKey? Current(uint node) => node == MeshFixtures.Origin ? _origin : _derived.Current(node);
    }

    /// <summary>Shared fixtures: the known-answer keys and header values, and small helpers to drive the core.</summary>
    public static class MeshFixtures
    {
        /// <summary>The network secret of the known-answer tests: bytes 00..0f.</summary>
        public static byte[] Secret => new byte[] { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };

        /// <summary>The device key of <see cref="Origin"/>: bytes 40..4f.</summary>
        public static byte[] DeviceSecret => new byte[] { 0x40, 0x41, 0x42, 0x43, 0x44, 0x45, 0x46, 0x47, 0x48, 0x49, 0x4a, 0x4b, 0x4c, 0x4d, 0x4e, 0x4f };

        public const int NetworkKeyIndex = 3;
        public const int DeviceKeyIndex = 5;

        public const uint Origin = 0x0A0B0C0D;
        public const ushort Network = 0x1234;
        public const uint Sequence = 258;
        public const byte HopLimit = 8;

        /// <summary>Network time of every known-answer frame (and of the fixture nodes at time zero).</summary>
        public const uint Time = TestKeys.Epoch;

        /// <summary>A node id far (in Hamming distance) from <see cref="Origin"/>, so no single bit flip turns one into the other.</summary>
        public const uint ReceiverId = 0x50F0F0F2;

        /// <summary>The gateway that commands <see cref="Origin"/> in the known answers.</summary>
        public const uint GatewayId = 0x00C0FFEE;

        /// <summary>count=2 | Temperature(1) 2150 (21.50 °C) | Humidity(2) 4025 (40.25 %), values i32 LE.</summary>
        public static byte[] ReadingsPayload => Convert.FromHexString("02016608000002b90f0000");

        /// <summary>The device secret the reference needs for a frame sealed with <paramref name="node"/>'s device key.</summary>
        public static byte[] DeviceSecretOf(uint node) => node == Origin ? DeviceSecret : MeshV2Reference.DerivedDeviceSecret(Secret, node);

        public static int DeviceKeyIndexOf(uint node) => node == Origin ? DeviceKeyIndex : 0;

        /// <summary>The readings header of the known answers: device-sealed, Origin to every gateway.</summary>
        public static RefHeader KnownHeader() => new RefHeader(
            FrameFlags.DeviceSealed, (byte)MessageType.Readings, Network, NetworkKeyIndex, DeviceKeyIndex,
            Origin, NodeAddress.Gateways, Sequence, Time, HopLimit, 0, Origin, 0);

        public static NetworkKey Key(byte[] secret, ICryptoProvider? crypto = null, int index = NetworkKeyIndex) =>
            new NetworkKey(secret, index, crypto ?? DesktopCrypto.Instance);

        public static DeviceKey DeviceKeyOf(uint node, ICryptoProvider? crypto = null) =>
            new FixtureDeviceKeys(crypto ?? DesktopCrypto.Instance).KeyOf(node);

        public static ReadingSet KnownReadings()
        {
            ReadingSet set = new ReadingSet();
            Assert.True(set.Add(Quantity.Temperature, 21.5));
            Assert.True(set.Add(Quantity.Humidity, 40.25));
            return set;
        }

        /// <summary>A sensor with its own device key; <paramref name="encrypt"/> is whether its text is network-sealed.</summary>
        public static MeshNode Sender(NetworkKey key, bool encrypt = true, uint id = Origin, uint initialSequence = Sequence, ushort network = Network, ICryptoProvider? crypto = null)
        {
            NodeConfig config = new NodeConfig
            {
                NodeId = id,
                NetworkId = network,
                HopLimit = HopLimit,
                EncryptPayloads = encrypt,
                InitialSequence = initialSequence,
                Role = NodeRole.Sensor,
                DeviceKey = DeviceKeyOf(id, crypto),
                RequireCheckpointConfirmation = false,
                InitialNetworkTime = Time,
            };
            return new MeshNode(config, key, new XorShiftRandom(id), 0);
        }

        /// <summary>A receiver; as a bridge or edge (a gateway) it holds every fixture device key.</summary>
        public static MeshNode Receiver(NetworkKey key, uint id = ReceiverId, ushort network = Network, NodeRole role = NodeRole.Bridge, int duplicateCacheSize = 256, int replayTableSize = 64, ICryptoProvider? crypto = null, bool requireEncryption = true, uint initialSequence = 1)
        {
            FixtureDeviceKeys devices = new FixtureDeviceKeys(crypto ?? DesktopCrypto.Instance);
            NodeConfig config = new NodeConfig
            {
                NodeId = id,
                NetworkId = network,
                Role = role,
                DuplicateCacheSize = duplicateCacheSize,
                ReplayTableSize = replayTableSize,
                PendingCommandSlots = 4, // a gateway's: the fuzz seeds hold three commands in flight
                DeviceKey = devices.KeyOf(id),
                DeviceKeys = role == NodeRole.Bridge || role == NodeRole.Edge ? devices : null,
                RequireEncryption = requireEncryption,
                RequireCheckpointConfirmation = false,
                InitialNetworkTime = Time,
                InitialSequence = initialSequence,
            };
            return new MeshNode(config, key, new XorShiftRandom(id), 0);
        }

        /// <summary>Takes the one frame a node just queued, as an exact-length array.</summary>
        public static byte[] TakeFrame(MeshNode node, long nowMs = 0)
        {
            byte[] buffer = new byte[FrameLayout.MaxFrameSize];
            Assert.True(node.TryTakeTransmit(nowMs, buffer, 0, out int length), "the node had no frame to transmit");
            return buffer.AsSpan(0, length).ToArray();
        }

        /// <summary>Hands a frame to a node and then empties its event and transmit queues, as a driver would.</summary>
        public static RejectReason Deliver(MeshNode node, byte[] frame, long nowMs = 0)
        {
            RejectReason r = node.Receive(frame, 0, frame.Length, -50, nowMs);
            MeshEvent e = new MeshEvent();
            while (node.TryTakeEvent(e))
            {
            }

            byte[] scratch = new byte[FrameLayout.MaxFrameSize];
            while (node.TryTakeTransmit(long.MaxValue / 2, scratch, 0, out _))
            {
            }

            return r;
        }

        /// <summary>The known readings, sent by a fresh core sensor (Origin, sequence 258, time Epoch).</summary>
        public static byte[] CoreReadingsFrame(NetworkKey key, ICryptoProvider? crypto = null)
        {
            MeshNode sender = Sender(key, crypto: crypto);
            Assert.Equal(SendResult.Queued, sender.SendReadings(KnownReadings(), 0));
            return TakeFrame(sender);
        }

        /// <summary>
        /// Builds a frame with the core's own codec, PayloadSealer and NetworkSealer (not through a node).
        /// Device-sealed frames use <paramref name="device"/> (the origin's key, or the destination's for Downlink).
        /// </summary>
        public static byte[] CoreSeal(NetworkKey key, DeviceKey? device, RefHeader h, byte[] plaintext)
        {
            FrameHeader header = new FrameHeader
            {
                Flags = h.Flags,
                Type = (MessageType)h.Type,
                Network = h.Network,
                NetworkKeyIndex = h.NetworkKeyIndex,
                DeviceKeyIndex = h.DeviceKeyIndex,
                Origin = h.Origin,
                Destination = h.Destination,
                Sequence = h.Sequence,
                Time = h.Time,
                HopLimit = h.HopLimit,
                HopsTaken = h.HopsTaken,
                PreviousHop = h.PreviousHop,
                NextHop = h.NextHop,
                SenderCost = h.SenderCost,
                PayloadLength = plaintext.Length,
            };
            byte[] frame = new byte[header.FrameLength];
            FrameCodec.WriteHeader(header, frame, 0);
            plaintext.CopyTo(frame, FrameLayout.HeaderSize);
            if (h.DeviceSealed)
            {
                new PayloadSealer().Seal(device!.Sealing, header, frame, 0);
            }
            else if (h.NetworkSealed)
            {
                new PayloadSealer().Seal(key.Payload, header, frame, 0);
            }

            new NetworkSealer().Seal(key, frame, 0, frame.Length);
            return frame;
        }

        /// <summary>
        /// Opens a sealed payload with the core's PayloadSealer (in an exact-size work buffer, so an
        /// over-read or over-write throws): the plaintext, or null when the payload MIC does not verify.
        /// </summary>
        public static byte[]? CoreOpen(SealingKey key, FrameHeader header, byte[] frame, int offset)
        {
            byte[] work = new byte[PayloadSealer.WorkSize];
            if (!new PayloadSealer().Open(key, header, frame, offset, work))
            {
                return null;
            }

            return work.AsSpan(FrameLayout.HeaderSize, header.PayloadLength).ToArray();
        }

        /// <summary>CoreSeal with the fixture device key of the node whose key the header names.</summary>
        public static byte[] CoreSeal(NetworkKey key, RefHeader h, byte[] plaintext, ICryptoProvider? crypto = null) =>
            CoreSeal(key, h.DeviceSealed ? DeviceKeyOf(h.Downlink ? h.Destination : h.Origin, crypto) : null, h, plaintext);

        /// <summary>The reference's seal with the fixture secrets.</summary>
        public static byte[] RefSeal(RefHeader h, byte[] plaintext) =>
            MeshV2Reference.Seal(Secret, h.DeviceSealed ? DeviceSecretOf(h.Downlink ? h.Destination : h.Origin) : null, h, plaintext);

        /// <summary>The reference's open with the fixture secrets (null: payload MIC fails).</summary>
        public static byte[]? RefOpen(byte[] frame)
        {
            uint origin = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(5));
            uint destination = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(9));
            bool downlink = (frame[0] & 2) != 0;
            return MeshV2Reference.Open(Secret, DeviceSecretOf(downlink ? destination : origin), frame);
        }

        public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
    }
}
