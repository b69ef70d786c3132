using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using Mesh.Protocol.Desktop;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Tests.WireTests
{
    /// <summary>The header fields of one v1 frame, as the reference implementation sees them.</summary>
    public sealed record RefHeader(
        bool Encrypted,
        byte Type,
        ushort Network,
        uint Origin,
        uint Destination,
        uint Sequence,
        byte HopLimit,
        byte HopsTaken,
        uint PreviousHop,
        uint NextHop);

    /// <summary>
    /// An independent implementation of wire format v1, written from the specification only (it never
    /// calls the core): 27-byte header, payload (AES-128-CTR when flag bit 0 is set, counter block
    /// origin(4 LE) | seq(4 LE) | network(2 LE) | 6 zero bytes, inc32 big-endian on the last 4 bytes),
    /// 8-byte MIC = HMAC-SHA256(K_mac, frame-without-MIC with bytes 17..25 zeroed)[0..8).
    /// K_enc = HMAC(K, "Mesh v1 enc")[0..16), K_mac = HMAC(K, "Mesh v1 mac").
    /// Uses System.Security.Cryptography one-shot APIs directly.
    /// </summary>
    public static class MeshV1Reference
    {
        public const int HeaderLength = 27;
        public const int MicLength = 8;

        public static byte[] EncKey(byte[] secret) => HMACSHA256.HashData(secret, "Mesh v1 enc"u8.ToArray()).AsSpan(0, 16).ToArray();

        public static byte[] MacKey(byte[] secret) => HMACSHA256.HashData(secret, "Mesh v1 mac"u8.ToArray());

        public static byte[] Header(RefHeader h, int payloadLength)
        {
            byte[] b = new byte[HeaderLength];
            b[0] = (byte)((1 << 4) | (h.Encrypted ? 1 : 0));
            b[1] = h.Type;
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), h.Network);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(4), h.Origin);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(8), h.Destination);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(12), h.Sequence);
            b[16] = h.HopLimit;
            b[17] = h.HopsTaken;
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(18), h.PreviousHop);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(22), h.NextHop);
            b[26] = checked((byte)payloadLength);
            return b;
        }

        /// <summary>The CTR keystream for one (origin, sequence, network), <paramref name="length"/> bytes long.</summary>
        public static byte[] Keystream(byte[] encKey, uint origin, uint sequence, ushort network, int length)
        {
            byte[] counter = new byte[16];
            BinaryPrimitives.WriteUInt32LittleEndian(counter.AsSpan(0), origin);
            BinaryPrimitives.WriteUInt32LittleEndian(counter.AsSpan(4), sequence);
            BinaryPrimitives.WriteUInt16LittleEndian(counter.AsSpan(8), network);
            return CtrKeystream(encKey, counter, length);
        }

        /// <summary>SP 800-38A CTR keystream with the inc32 counter function, from an explicit first counter block.</summary>
        public static byte[] CtrKeystream(byte[] key, byte[] initialCounter, int length)
        {
            byte[] counter = (byte[])initialCounter.Clone();
            byte[] stream = new byte[(length + 15) / 16 * 16];
            using Aes aes = Aes.Create();
            aes.Key = key;
            for (int block = 0; block * 16 < length; block++)
            {
                aes.EncryptEcb(counter, PaddingMode.None).CopyTo(stream, block * 16);
                uint low = BinaryPrimitives.ReadUInt32BigEndian(counter.AsSpan(12));
                BinaryPrimitives.WriteUInt32BigEndian(counter.AsSpan(12), unchecked(low + 1));
            }

            return stream.AsSpan(0, length).ToArray();
        }

        public static byte[] Xor(byte[] a, byte[] b)
        {
            byte[] r = new byte[a.Length];
            for (int i = 0; i < a.Length; i++)
            {
                r[i] = (byte)(a[i] ^ b[i]);
            }

            return r;
        }

        public static byte[] Mic(byte[] secret, byte[] frameWithoutMic)
        {
            byte[] covered = (byte[])frameWithoutMic.Clone();
            Array.Clear(covered, 17, 9);
            return HMACSHA256.HashData(MacKey(secret), covered).AsSpan(0, MicLength).ToArray();
        }

        /// <summary>Builds a complete frame: header, (encrypted) payload, MIC.</summary>
        public static byte[] Seal(byte[] secret, RefHeader h, byte[] plaintext)
        {
            byte[] body = new byte[HeaderLength + plaintext.Length];
            Header(h, plaintext.Length).CopyTo(body, 0);
            byte[] payload = h.Encrypted
                ? Xor(plaintext, Keystream(EncKey(secret), h.Origin, h.Sequence, h.Network, plaintext.Length))
                : plaintext;
            payload.CopyTo(body, HeaderLength);
            byte[] frame = new byte[body.Length + MicLength];
            body.CopyTo(frame, 0);
            Mic(secret, body).CopyTo(frame, body.Length);
            return frame;
        }

        public static bool Verify(byte[] secret, byte[] frame)
        {
            if (frame.Length < HeaderLength + MicLength)
            {
                return false;
            }

            byte[] body = frame.AsSpan(0, frame.Length - MicLength).ToArray();
            byte[] expected = Mic(secret, body);
            return CryptographicOperations.FixedTimeEquals(expected, frame.AsSpan(frame.Length - MicLength));
        }

        /// <summary>The plaintext payload of a frame (decrypted when its flag says so). Does not verify.</summary>
        public static byte[] Open(byte[] secret, byte[] frame)
        {
            int length = frame[26];
            byte[] payload = frame.AsSpan(HeaderLength, length).ToArray();
            if ((frame[0] & 1) == 0)
            {
                return payload;
            }

            uint origin = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(4));
            uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(frame.AsSpan(12));
            ushort network = BinaryPrimitives.ReadUInt16LittleEndian(frame.AsSpan(2));
            return Xor(payload, Keystream(EncKey(secret), origin, sequence, network, length));
        }

        /// <summary>Rewrites the mutable hop fields (bytes 17..25) the way a relay does.</summary>
        public static byte[] Relayed(byte[] frame, byte hopsTaken, uint previousHop, uint nextHop)
        {
            byte[] copy = (byte[])frame.Clone();
            copy[17] = hopsTaken;
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(18), previousHop);
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(22), nextHop);
            return copy;
        }
    }

    /// <summary>Shared fixtures: the known-answer frame and small helpers to drive the core.</summary>
    public static class MeshFixtures
    {
        /// <summary>The network secret of the known-answer tests: bytes 00..0f.</summary>
        public static byte[] Secret => new byte[] { 0x00, 0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x08, 0x09, 0x0a, 0x0b, 0x0c, 0x0d, 0x0e, 0x0f };

        public const uint Origin = 0x0A0B0C0D;
        public const ushort Network = 0x1234;
        public const uint Sequence = 258;
        public const byte HopLimit = 8;

        /// <summary>A node id far (in Hamming distance) from <see cref="Origin"/>, so no single bit flip turns one into the other.</summary>
        public const uint ReceiverId = 0x50F0F0F2;

        /// <summary>count=2 | Temperature(1) 2150 (21.50 °C) | Humidity(2) 4025 (40.25 %), values i32 LE.</summary>
        public static byte[] ReadingsPayload => Convert.FromHexString("02016608000002b90f0000");

        public static RefHeader KnownHeader(bool encrypted) => new RefHeader(
            encrypted, (byte)MessageType.Readings, Network, Origin, NodeAddress.Gateways, Sequence, HopLimit, 0, Origin, 0);

        public static NetworkKey Key(byte[] secret, ICryptoProvider? crypto = null) => new NetworkKey(secret, crypto ?? DesktopCrypto.Instance);

        public static ReadingSet KnownReadings()
        {
            ReadingSet set = new ReadingSet();
            Assert.True(set.Add(Quantity.Temperature, 21.5));
            Assert.True(set.Add(Quantity.Humidity, 40.25));
            return set;
        }

        public static MeshNode Sender(NetworkKey key, bool encrypt, uint id = Origin, uint initialSequence = Sequence, ushort network = Network)
        {
            NodeConfig config = new NodeConfig
            {
                NodeId = id,
                NetworkId = network,
                HopLimit = HopLimit,
                EncryptPayloads = encrypt,
                InitialSequence = initialSequence,
                Role = NodeRole.Sensor,
            };
            return new MeshNode(config, key, new XorShiftRandom(id), 0);
        }

        public static MeshNode Receiver(NetworkKey key, uint id = ReceiverId, ushort network = Network, NodeRole role = NodeRole.Bridge, int duplicateCacheSize = 256, int replayTableSize = 64)
        {
            NodeConfig config = new NodeConfig
            {
                NodeId = id,
                NetworkId = network,
                Role = role,
                DuplicateCacheSize = duplicateCacheSize,
                ReplayTableSize = replayTableSize,
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

        public static byte[] CoreReadingsFrame(NetworkKey key, bool encrypt)
        {
            MeshNode sender = Sender(key, encrypt);
            Assert.Equal(SendResult.Queued, sender.SendReadings(KnownReadings(), 0));
            return TakeFrame(sender);
        }

        /// <summary>Builds a frame with the core's own codec and protector (not through a node).</summary>
        public static byte[] CoreSeal(NetworkKey key, RefHeader h, byte[] plaintext)
        {
            FrameHeader header = new FrameHeader
            {
                Flags = h.Encrypted ? FrameFlags.Encrypted : 0,
                Type = (MessageType)h.Type,
                Network = h.Network,
                Origin = h.Origin,
                Destination = h.Destination,
                Sequence = h.Sequence,
                HopLimit = h.HopLimit,
                HopsTaken = h.HopsTaken,
                PreviousHop = h.PreviousHop,
                NextHop = h.NextHop,
                PayloadLength = plaintext.Length,
            };
            byte[] frame = new byte[header.FrameLength];
            FrameCodec.WriteHeader(header, frame, 0);
            plaintext.CopyTo(frame, FrameLayout.HeaderSize);
            new FrameProtector(key).Seal(header, frame, 0);
            return frame;
        }

        public static string Hex(byte[] bytes) => Convert.ToHexStringLower(bytes);
    }
}
