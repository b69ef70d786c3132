using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Security
{
    /// <summary>
    /// Encrypt-then-MAC for one frame. Encryption: AES-128-CTR over the payload with the initial counter
    /// block origin(4,LE) | sequence(4,LE) | network(2,LE) | 0,0 | 0,0,0,0 — unique per (origin,
    /// sequence) under one key, which is why sequences never repeat (see PROTOCOL.md). MIC: the first 8
    /// bytes of HMAC-SHA256(K_mac, header-with-mutable-fields-zeroed | payload).
    /// Works in place on caller buffers with its own fixed scratch; no allocation per frame.
    /// </summary>
    public sealed class FrameProtector
    {
        private readonly NetworkKey _key;
        private readonly AesCtr _ctr;
        private readonly byte[] _scratch = new byte[FrameLayout.MaxFrameSize];
        private readonly byte[] _mac = new byte[32];
        private readonly byte[] _counter = new byte[16];

        public FrameProtector(NetworkKey key)
        {
            _key = key;
            _ctr = new AesCtr(key.Cipher);
        }

        /// <summary>
        /// Finishes a frame whose header and plaintext payload are already in place: encrypts the payload
        /// when the header says so, then writes the MIC.
        /// </summary>
        public void Seal(FrameHeader header, byte[] frame, int offset)
        {
            if (header.IsEncrypted)
            {
                ApplyKeystream(header, frame, offset + FrameLayout.HeaderSize, header.PayloadLength);
            }

            ComputeMic(frame, offset, header.FrameLength);
            System.Array.Copy(_mac, 0, frame, offset + FrameLayout.HeaderSize + header.PayloadLength, FrameLayout.MicSize);
        }

        /// <summary>Checks the MIC of a decoded frame in constant time with respect to where bytes differ.</summary>
        public bool Verify(FrameHeader header, byte[] frame, int offset)
        {
            ComputeMic(frame, offset, header.FrameLength);
            int micOffset = offset + FrameLayout.HeaderSize + header.PayloadLength;
            int diff = 0;
            for (int i = 0; i < FrameLayout.MicSize; i++)
            {
                diff |= _mac[i] ^ frame[micOffset + i];
            }

            return diff == 0;
        }

        /// <summary>Decrypts (or, symmetrically, encrypts) payload bytes copied to <paramref name="payload"/>.</summary>
        public void ApplyKeystream(FrameHeader header, byte[] payload, int payloadOffset, int count)
        {
            LittleEndian.WriteUInt32(_counter, 0, header.Origin);
            LittleEndian.WriteUInt32(_counter, 4, header.Sequence);
            LittleEndian.WriteUInt16(_counter, 8, header.Network);
            for (int i = 10; i < 16; i++)
            {
                _counter[i] = 0;
            }

            _ctr.Transform(_counter, 0, payload, payloadOffset, count);
        }

        private void ComputeMic(byte[] frame, int offset, int frameLength)
        {
            int covered = frameLength - FrameLayout.MicSize;
            System.Array.Copy(frame, offset, _scratch, 0, covered);
            for (int i = 0; i < FrameLayout.MutableLength; i++)
            {
                _scratch[FrameLayout.MutableStart + i] = 0;
            }

            _key.Mac.Compute(_scratch, 0, covered, _mac, 0);
        }
    }
}
