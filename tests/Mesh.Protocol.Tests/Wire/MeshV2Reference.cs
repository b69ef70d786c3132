using System;
using System.Buffers.Binary;
using System.Security.Cryptography;
using System.Text;

namespace Mesh.Protocol.Tests.WireTests
{
    /// <summary>The 34 header bytes of one v2 frame, as the reference implementation sees them.</summary>
    public sealed record RefHeader(
        int Flags,
        byte Type,
        ushort Network,
        byte NetworkKeyIndex,
        byte DeviceKeyIndex,
        uint Origin,
        uint Destination,
        uint Sequence,
        uint Time,
        byte HopLimit,
        byte HopsTaken,
        uint PreviousHop,
        uint NextHop,
        ushort SenderCost = 0xFFFF)
    {
        public bool DeviceSealed => (Flags & 1) != 0;

        public bool Downlink => (Flags & 2) != 0;

        public bool NetworkSealed => (Flags & 4) != 0;

        public bool Sealed => DeviceSealed || NetworkSealed;
    }

    /// <summary>
    /// An independent implementation of wire format v2, written from PROTOCOL.md only (it never calls the
    /// core: this file imports no Mesh.Protocol namespace): System.Security.Cryptography one-shot HMAC-SHA256 and AES-ECB (CTR
    /// built by hand), BinaryPrimitives for the little-endian fields.
    /// <code>
    /// D(K, label) = HMAC-SHA256(K, "Mesh v2 " + label)
    /// K_hop = D(NK, "net hop"); K_net_enc = D(NK, "net enc")[0..16); K_net_mac = D(NK, "net mac")
    /// K_dev_enc = D(DK, "dev enc")[0..16); K_dev_mac = D(DK, "dev mac")
    /// header: 34 bytes; payload; payload MIC (8, sealed frames only); network MIC (8)
    /// payload MIC (SIV tag) = HMAC(K_mac, header with bytes 22..32 zeroed | plaintext)[0..8)
    /// ciphertext = AES-128-CTR(K_enc, tag | sequence LE | 00 00 00 00), inc32 big-endian on bytes 12..15
    /// network MIC = HMAC(K_hop, frame[0 .. end-8))[0..8)
    /// </code>
    /// </summary>
    public static class MeshV2Reference
    {
        public const int HeaderLength = 34;
        public const int MicLength = 8;

        // Hops taken (22), previous hop (23..26), next hop (27..30), sender cost (31..32): under the network MIC,
        // zeroed for the payload MIC.
        public const int HopStart = 22;
        public const int HopLength = 11;

        public static byte[] Derive(byte[] key, string label) => HMACSHA256.HashData(key, Encoding.ASCII.GetBytes("Mesh v2 " + label));

        public static byte[] HopKey(byte[] networkSecret) => Derive(networkSecret, "net hop");

        public static byte[] NetEncKey(byte[] networkSecret) => Derive(networkSecret, "net enc").AsSpan(0, 16).ToArray();

        public static byte[] NetMacKey(byte[] networkSecret) => Derive(networkSecret, "net mac");

        public static byte[] DevEncKey(byte[] deviceSecret) => Derive(deviceSecret, "dev enc").AsSpan(0, 16).ToArray();

        public static byte[] DevMacKey(byte[] deviceSecret) => Derive(deviceSecret, "dev mac");

        /// <summary>Simulator / demo device keys: HMAC-SHA256(NK, "Mesh v2 device" | n (u32 LE))[0..16).</summary>
        public static byte[] DerivedDeviceSecret(byte[] networkSecret, uint node)
        {
            byte[] input = new byte[18];
            Encoding.ASCII.GetBytes("Mesh v2 device").CopyTo(input, 0);
            BinaryPrimitives.WriteUInt32LittleEndian(input.AsSpan(14), node);
            return HMACSHA256.HashData(networkSecret, input).AsSpan(0, 16).ToArray();
        }

        public static byte[] Header(RefHeader h, int payloadLength)
        {
            byte[] b = new byte[HeaderLength];
            b[0] = (byte)((2 << 4) | (h.Flags & 0x0F));
            b[1] = h.Type;
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(2), h.Network);
            b[4] = (byte)((h.NetworkKeyIndex & 0x0F) | ((h.DeviceKeyIndex & 0x0F) << 4));
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(5), h.Origin);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(9), h.Destination);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(13), h.Sequence);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(17), h.Time);
            b[21] = h.HopLimit;
            b[22] = h.HopsTaken;
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(23), h.PreviousHop);
            BinaryPrimitives.WriteUInt32LittleEndian(b.AsSpan(27), h.NextHop);
            BinaryPrimitives.WriteUInt16LittleEndian(b.AsSpan(31), h.SenderCost);
            b[33] = checked((byte)payloadLength);
            return b;
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

        /// <summary>A: the header with the hop fields (bytes 22..32) set to zero.</summary>
        public static byte[] AssociatedHeader(byte[] header)
        {
            byte[] a = header.AsSpan(0, HeaderLength).ToArray();
            Array.Clear(a, HopStart, HopLength);
            return a;
        }

        /// <summary>The SIV tag: HMAC-SHA256(K_mac, A | plaintext)[0..8).</summary>
        public static byte[] PayloadMic(byte[] macKey, byte[] header, byte[] plaintext)
        {
            byte[] input = new byte[HeaderLength + plaintext.Length];
            AssociatedHeader(header).CopyTo(input, 0);
            plaintext.CopyTo(input, HeaderLength);
            return HMACSHA256.HashData(macKey, input).AsSpan(0, MicLength).ToArray();
        }

        /// <summary>The initial counter block: tag (8) | sequence (4, LE) | 00 00 00 00.</summary>
        public static byte[] CounterBlock(byte[] tag, uint sequence)
        {
            byte[] cb = new byte[16];
            tag.AsSpan(0, 8).CopyTo(cb);
            BinaryPrimitives.WriteUInt32LittleEndian(cb.AsSpan(8), sequence);
            return cb;
        }

        public static (byte[] Ciphertext, byte[] Tag) SivSeal(byte[] encKey, byte[] macKey, byte[] header, byte[] plaintext)
        {
            byte[] tag = PayloadMic(macKey, header, plaintext);
            uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(13));
            byte[] ciphertext = Xor(plaintext, CtrKeystream(encKey, CounterBlock(tag, sequence), plaintext.Length));
            return (ciphertext, tag);
        }

        /// <summary>The plaintext, or null when the tag does not verify.</summary>
        public static byte[]? SivOpen(byte[] encKey, byte[] macKey, byte[] header, byte[] ciphertext, byte[] tag)
        {
            uint sequence = BinaryPrimitives.ReadUInt32LittleEndian(header.AsSpan(13));
            byte[] plaintext = Xor(ciphertext, CtrKeystream(encKey, CounterBlock(tag, sequence), ciphertext.Length));
            byte[] expected = PayloadMic(macKey, header, plaintext);
            return CryptographicOperations.FixedTimeEquals(expected, tag) ? plaintext : null;
        }

        /// <summary>HMAC-SHA256(K_hop, frame[0 .. end-8))[0..8).</summary>
        public static byte[] NetworkMic(byte[] networkSecret, ReadOnlySpan<byte> covered) =>
            HMACSHA256.HashData(HopKey(networkSecret), covered).AsSpan(0, MicLength).ToArray();

        /// <summary>
        /// Builds a complete frame: header, payload (sealed under the device secret or the network secret
        /// as the flags say), payload MIC, network MIC. <paramref name="deviceSecret"/> is needed only for
        /// DeviceSealed frames (it is the origin's, or the destination's for Downlink).
        /// </summary>
        public static byte[] Seal(byte[] networkSecret, byte[]? deviceSecret, RefHeader h, byte[] plaintext)
        {
            byte[] header = Header(h, plaintext.Length);
            int trailer = (h.Sealed ? MicLength : 0) + MicLength;
            byte[] frame = new byte[HeaderLength + plaintext.Length + trailer];
            header.CopyTo(frame, 0);
            if (h.Sealed)
            {
                byte[] enc = h.DeviceSealed ? DevEncKey(deviceSecret!) : NetEncKey(networkSecret);
                byte[] mac = h.DeviceSealed ? DevMacKey(deviceSecret!) : NetMacKey(networkSecret);
                var (ciphertext, tag) = SivSeal(enc, mac, header, plaintext);
                ciphertext.CopyTo(frame, HeaderLength);
                tag.CopyTo(frame, HeaderLength + plaintext.Length);
            }
            else
            {
                plaintext.CopyTo(frame, HeaderLength);
            }

            NetworkMic(networkSecret, frame.AsSpan(0, frame.Length - MicLength)).CopyTo(frame, frame.Length - MicLength);
            return frame;
        }

        public static bool VerifyNetwork(byte[] networkSecret, byte[] frame)
        {
            if (frame.Length < HeaderLength + MicLength)
            {
                return false;
            }

            byte[] expected = NetworkMic(networkSecret, frame.AsSpan(0, frame.Length - MicLength));
            return CryptographicOperations.FixedTimeEquals(expected, frame.AsSpan(frame.Length - MicLength));
        }

        /// <summary>
        /// The plaintext payload of a frame (opened and its payload MIC checked when sealed), or null when
        /// the payload MIC does not verify. Does not check the network MIC.
        /// </summary>
        public static byte[]? Open(byte[] networkSecret, byte[]? deviceSecret, byte[] frame)
        {
            int flags = frame[0] & 0x0F;
            int length = frame[33];
            byte[] payload = frame.AsSpan(HeaderLength, length).ToArray();
            if ((flags & 5) == 0)
            {
                return payload;
            }

            byte[] tag = frame.AsSpan(HeaderLength + length, MicLength).ToArray();
            bool device = (flags & 1) != 0;
            byte[] enc = device ? DevEncKey(deviceSecret!) : NetEncKey(networkSecret);
            byte[] mac = device ? DevMacKey(deviceSecret!) : NetMacKey(networkSecret);
            return SivOpen(enc, mac, frame.AsSpan(0, HeaderLength).ToArray(), payload, tag);
        }

        /// <summary>What a relay does: rewrites hops taken, previous hop, next hop and sender cost, and re-seals the network MIC.</summary>
        public static byte[] Relayed(byte[] networkSecret, byte[] frame, byte hopsTaken, uint previousHop, uint nextHop, ushort senderCost = 0xFFFF)
        {
            byte[] copy = (byte[])frame.Clone();
            copy[22] = hopsTaken;
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(23), previousHop);
            BinaryPrimitives.WriteUInt32LittleEndian(copy.AsSpan(27), nextHop);
            BinaryPrimitives.WriteUInt16LittleEndian(copy.AsSpan(31), senderCost);
            NetworkMic(networkSecret, copy.AsSpan(0, copy.Length - MicLength)).CopyTo(copy, copy.Length - MicLength);
            return copy;
        }

        /// <summary>Re-computes only the network MIC of <paramref name="frame"/> (what an insider can do).</summary>
        public static byte[] Resealed(byte[] networkSecret, byte[] frame)
        {
            byte[] copy = (byte[])frame.Clone();
            NetworkMic(networkSecret, copy.AsSpan(0, copy.Length - MicLength)).CopyTo(copy, copy.Length - MicLength);
            return copy;
        }
    }
}
