using Mesh.Protocol.Security;

namespace Mesh.NodeApp.Crypto
{
    /// <summary>
    /// HMAC-SHA256 (RFC 2104) with no allocation per call: the inner and outer hash states after the key
    /// blocks are computed once at construction (32 bytes each) and resumed for each message, which also saves
    /// two of the compressions a MIC would otherwise cost.
    /// </summary>
    public sealed class HmacSha256 : IMac
    {
        private readonly uint[] _innerKeyed = new uint[8];
        private readonly uint[] _outerKeyed = new uint[8];
        private readonly Sha256 _work = new Sha256();
        private readonly byte[] _innerHash = new byte[Sha256.HashSize];

        public HmacSha256(byte[] key)
        {
            if (key == null)
            {
                throw new System.ArgumentNullException("key");
            }

            byte[] block = new byte[Sha256.BlockSize];
            if (key.Length > Sha256.BlockSize)
            {
                _work.Update(key, 0, key.Length);
                _work.Final(block, 0);
                _work.Reset();
            }
            else
            {
                System.Array.Copy(key, block, key.Length);
            }

            for (int i = 0; i < block.Length; i++)
            {
                block[i] ^= 0x36;
            }

            _work.Reset();
            _work.Update(block, 0, block.Length);
            _work.SaveState(_innerKeyed);
            for (int i = 0; i < block.Length; i++)
            {
                block[i] ^= 0x36 ^ 0x5c;
            }

            _work.Reset();
            _work.Update(block, 0, block.Length);
            _work.SaveState(_outerKeyed);
        }

        public void Compute(byte[] data, int offset, int count, byte[] output, int outputOffset)
        {
            _work.Resume(_innerKeyed, Sha256.BlockSize);
            _work.Update(data, offset, count);
            _work.Final(_innerHash, 0);
            _work.Resume(_outerKeyed, Sha256.BlockSize);
            _work.Update(_innerHash, 0, _innerHash.Length);
            _work.Final(output, outputOffset);
        }
    }
}
