using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Security
{
    /// <summary>
    /// End-to-end payload sealing, SIV style (RFC 5297's shape, built from HMAC-SHA256 and AES-128):
    /// <code>
    /// tag = HMAC(K_mac, header with hop fields zeroed | plaintext)[0..8)
    /// ciphertext = AES-128-CTR(K_enc, counter block = tag | sequence(4, LE) | 00 00 00 00)
    /// </code>
    /// The tag is written after the payload. Because the keystream depends on the plaintext through the
    /// tag, a sequence number used twice (a lost checkpoint) leaks at most that two payloads are equal —
    /// never the XOR of two different plaintexts, as plain CTR would. Hop fields are left out of the tag
    /// so relays never need this key; the per-hop network MIC covers them.
    /// Works in place on caller buffers with its own fixed scratch; no allocation per frame.
    /// </summary>
    public sealed class PayloadSealer
    {
        private readonly byte[] _scratch = new byte[FrameLayout.MaxFrameSize];
        private readonly byte[] _mac = new byte[32];
        private readonly byte[] _counter = new byte[16];
        private readonly byte[] _keystream = new byte[16];

        /// <summary>Seals the plaintext payload already in place after the header: writes the tag, encrypts.</summary>
        public void Seal(SealingKey key, FrameHeader header, byte[] frame, int offset)
        {
            int payload = offset + FrameLayout.HeaderSize;
            ComputeTag(key, frame, offset, frame, payload, header.PayloadLength);
            System.Array.Copy(_mac, 0, frame, payload + header.PayloadLength, FrameLayout.PayloadMicSize);
            Transform(key, header, _mac, 0, frame, payload, header.PayloadLength);
        }

        /// <summary>
        /// Decrypts the payload of a sealed frame into <paramref name="into"/> and checks its tag. False
        /// (and <paramref name="into"/> unspecified) when the tag does not verify.
        /// </summary>
        public bool Open(SealingKey key, FrameHeader header, byte[] frame, int offset, byte[] into, int intoOffset)
        {
            int payload = offset + FrameLayout.HeaderSize;
            int tagOffset = payload + header.PayloadLength;
            System.Array.Copy(frame, payload, into, intoOffset, header.PayloadLength);
            Transform(key, header, frame, tagOffset, into, intoOffset, header.PayloadLength);
            ComputeTag(key, frame, offset, into, intoOffset, header.PayloadLength);
            return ConstantTime.Equal(_mac, 0, frame, tagOffset, FrameLayout.PayloadMicSize);
        }

        private void ComputeTag(SealingKey key, byte[] frame, int offset, byte[] plain, int plainOffset, int length)
        {
            System.Array.Copy(frame, offset, _scratch, 0, FrameLayout.HeaderSize);
            for (int i = 0; i < FrameLayout.HopFieldsLength; i++)
            {
                _scratch[FrameLayout.HopFieldsStart + i] = 0;
            }

            System.Array.Copy(plain, plainOffset, _scratch, FrameLayout.HeaderSize, length);
            key.Mac.Compute(_scratch, 0, FrameLayout.HeaderSize + length, _mac, 0);
        }

        private void Transform(SealingKey key, FrameHeader header, byte[] tag, int tagOffset, byte[] data, int offset, int count)
        {
            System.Array.Copy(tag, tagOffset, _counter, 0, FrameLayout.PayloadMicSize);
            LittleEndian.WriteUInt32(_counter, 8, header.Sequence);
            for (int i = 12; i < 16; i++)
            {
                _counter[i] = 0;
            }

            AesCtr.Apply(key.Cipher, _counter, _keystream, data, offset, count);
        }
    }
}
