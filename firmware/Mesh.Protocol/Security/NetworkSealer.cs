using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Security
{
    /// <summary>
    /// The per-hop network MIC: the first 8 bytes of HMAC-SHA256(K_hop, every byte of the frame before
    /// the MIC) — hop fields included. The origin seals its frame and every relay re-seals the copy it
    /// sends after rewriting the hop fields, so a radio without the network key can alter nothing, not
    /// even hops taken, previous hop or next hop. The bytes are contiguous, so nothing is copied.
    /// </summary>
    public sealed class NetworkSealer
    {
        private readonly byte[] _mac = new byte[32];

        /// <summary>Writes the network MIC of the frame [offset, offset + frameLength).</summary>
        public void Seal(NetworkKey key, byte[] frame, int offset, int frameLength)
        {
            int covered = frameLength - FrameLayout.NetMicSize;
            key.Hop.Compute(frame, offset, covered, _mac, 0);
            System.Array.Copy(_mac, 0, frame, offset + covered, FrameLayout.NetMicSize);
        }

        /// <summary>Checks the network MIC in constant time with respect to where bytes differ.</summary>
        public bool Verify(NetworkKey key, byte[] frame, int offset, int frameLength)
        {
            int covered = frameLength - FrameLayout.NetMicSize;
            key.Hop.Compute(frame, offset, covered, _mac, 0);
            return ConstantTime.Equal(_mac, 0, frame, offset + covered, FrameLayout.NetMicSize);
        }
    }
}
