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
    /// No scratch of its own beyond 48 bytes: sealing works in the sender's frame buffer, opening in a
    /// work buffer the caller owns (<see cref="WorkSize"/> bytes: the header, then the plaintext).
    /// </summary>
    public sealed class PayloadSealer
    {
        /// <summary>Size of the work buffer <see cref="Open"/> needs: a header and the largest payload.</summary>
        public const int WorkSize = FrameLayout.HeaderSize + FrameLayout.MaxPayloadSize;

        private readonly byte[] _mac = new byte[32];
        private readonly byte[] _counter = new byte[16];
        private readonly byte[] _keystream = new byte[16];
        private readonly byte[] _hopFields = new byte[FrameLayout.HopFieldsLength];

        /// <summary>
        /// Seals the plaintext payload already in place after the header: writes the tag, encrypts. The hop
        /// fields are zeroed while the tag is computed and restored afterwards.
        /// </summary>
        public void Seal(SealingKey key, FrameHeader header, byte[] frame, int offset)
        {
            int hop = offset + FrameLayout.HopFieldsStart;
            System.Array.Copy(frame, hop, _hopFields, 0, FrameLayout.HopFieldsLength);
            System.Array.Clear(frame, hop, FrameLayout.HopFieldsLength);
            key.Mac.Compute(frame, offset, FrameLayout.HeaderSize + header.PayloadLength, _mac, 0);
            System.Array.Copy(_hopFields, 0, frame, hop, FrameLayout.HopFieldsLength);

            int payload = offset + FrameLayout.HeaderSize;
            System.Array.Copy(_mac, 0, frame, payload + header.PayloadLength, FrameLayout.PayloadMicSize);
            Transform(key, header, _mac, 0, frame, payload, header.PayloadLength);
        }

        /// <summary>
        /// Decrypts the payload of a sealed frame into <paramref name="work"/> at
        /// <see cref="FrameLayout.HeaderSize"/> and checks its tag. False (and the work buffer
        /// unspecified) when the tag does not verify.
        /// </summary>
        public bool Open(SealingKey key, FrameHeader header, byte[] frame, int offset, byte[] work)
        {
            int n = header.PayloadLength;
            int tagOffset = offset + FrameLayout.HeaderSize + n;
            System.Array.Copy(frame, offset, work, 0, FrameLayout.HeaderSize + n);
            System.Array.Clear(work, FrameLayout.HopFieldsStart, FrameLayout.HopFieldsLength);
            Transform(key, header, frame, tagOffset, work, FrameLayout.HeaderSize, n);
            key.Mac.Compute(work, 0, FrameLayout.HeaderSize + n, _mac, 0);
            return ConstantTime.Equal(_mac, 0, frame, tagOffset, FrameLayout.PayloadMicSize);
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
