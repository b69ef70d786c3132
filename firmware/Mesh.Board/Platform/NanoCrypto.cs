using System;
using System.Security.Cryptography;
using Mesh.Protocol.Security;

namespace Mesh.Board.Platform
{
    /// <summary>
    /// The core's crypto seam on nanoFramework.System.Security.Cryptography: Aes in ECB mode and HMACSHA256
    /// (whole arrays in, new arrays out — the library's shape). The 16-byte input block is reused; the
    /// arrays the native library returns are the one allocation per block and per MIC that this API
    /// forces (tests/Mesh.Protocol.Tests/Security/BoardAdapterPatternTests pins the same pattern).
    /// </summary>
    internal sealed class NanoCrypto : ICryptoProvider
    {
        public IBlockCipher CreateAes128(byte[] key)
        {
            return new Block(key);
        }

        public IMac CreateHmacSha256(byte[] key)
        {
            return new Mac(key);
        }

        private sealed class Block : IBlockCipher
        {
            private readonly Aes _aes;
            private readonly byte[] _block = new byte[16];

            public Block(byte[] key)
            {
                _aes = new Aes(CipherMode.ECB);
                _aes.Key = key;
            }

            public void EncryptBlock(byte[] input, int inputOffset, byte[] output, int outputOffset)
            {
                Array.Copy(input, inputOffset, _block, 0, 16);
                byte[] encrypted = _aes.Encrypt(_block);
                Array.Copy(encrypted, 0, output, outputOffset, 16);
            }
        }

        private sealed class Mac : IMac
        {
            private readonly HMACSHA256 _hmac;

            public Mac(byte[] key)
            {
                _hmac = new HMACSHA256(key);
            }

            public void Compute(byte[] data, int offset, int count, byte[] output, int outputOffset)
            {
                // ComputeHash takes the whole array: hand it exactly the covered bytes.
                byte[] exact = new byte[count];
                Array.Copy(data, offset, exact, 0, count);
                byte[] hash = _hmac.ComputeHash(exact);
                Array.Copy(hash, 0, output, outputOffset, 32);
            }
        }
    }
}
