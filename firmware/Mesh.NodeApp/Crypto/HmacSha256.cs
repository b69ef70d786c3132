using Mesh.Protocol.Security;

namespace Mesh.NodeApp.Crypto
{
    /// <summary>
    /// HMAC-SHA256 (RFC 2104) with no allocation per call: the inner and outer hash states after the key
    /// blocks are computed once at construction (32 bytes each) and resumed for each message, which also saves
    /// two of the compressions a MIC would otherwise cost. What a key needs to keep is those 64 bytes; the
    /// SHA-256 work state (about 350 bytes with its message schedule) and the inner hash are scratch, which the
    /// MACs one <see cref="ManagedCrypto"/> creates share (<see cref="Sha256Work"/>): a board node holds three
    /// keyed MACs and used to carry three of them.
    /// </summary>
    public sealed class HmacSha256 : IMac
    {
        private readonly uint[] _innerKeyed = new uint[8];
        private readonly uint[] _outerKeyed = new uint[8];
        private readonly Sha256Work _scratch;

        /// <summary>A MAC with scratch of its own (usable from any thread, alone).</summary>
        public HmacSha256(byte[] key)
            : this(key, new Sha256Work())
        {
        }

        /// <summary>
        /// A MAC that computes in <paramref name="scratch"/>, which other MACs may share: then none of them may be
        /// used while another one computes (one thread, as the board's node loop).
        /// </summary>
        public HmacSha256(byte[] key, Sha256Work scratch)
        {
            if (key == null)
            {
                throw new System.ArgumentNullException("key");
            }

            if (scratch == null)
            {
                throw new System.ArgumentNullException("scratch");
            }

            _scratch = scratch;
            Sha256 work = scratch.Hash;

            byte[] block = new byte[Sha256.BlockSize];
            if (key.Length > Sha256.BlockSize)
            {
                work.Reset();
                work.Update(key, 0, key.Length);
                work.Final(block, 0);
            }
            else
            {
                System.Array.Copy(key, block, key.Length);
            }

            for (int i = 0; i < block.Length; i++)
            {
                block[i] ^= 0x36;
            }

            work.Reset();
            work.Update(block, 0, block.Length);
            work.SaveState(_innerKeyed);
            for (int i = 0; i < block.Length; i++)
            {
                block[i] ^= 0x36 ^ 0x5c;
            }

            work.Reset();
            work.Update(block, 0, block.Length);
            work.SaveState(_outerKeyed);
        }

        public void Compute(byte[] data, int offset, int count, byte[] output, int outputOffset)
        {
            Sha256 work = _scratch.Hash;
            byte[] innerHash = _scratch.InnerHash;
            work.Resume(_innerKeyed, Sha256.BlockSize);
            work.Update(data, offset, count);
            work.Final(innerHash, 0);
            work.Resume(_outerKeyed, Sha256.BlockSize);
            work.Update(innerHash, 0, innerHash.Length);
            work.Final(output, outputOffset);
        }
    }

    /// <summary>
    /// The scratch an HMAC-SHA256 computes in: a SHA-256 work state and the 32-byte inner hash. One instance can
    /// serve any number of <see cref="HmacSha256"/> keys that are used one at a time.
    /// </summary>
    public sealed class Sha256Work
    {
        public readonly Sha256 Hash = new Sha256();
        public readonly byte[] InnerHash = new byte[Sha256.HashSize];
    }
}
