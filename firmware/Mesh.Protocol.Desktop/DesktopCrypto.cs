using System;
using System.Security.Cryptography;
using Mesh.Protocol.Security;

namespace Mesh.Protocol.Desktop
{
    /// <summary>
    /// The core's crypto seam on .NET: AES through a reusable ECB encryptor, HMAC-SHA256 through a
    /// reusable <see cref="IncrementalHash"/>. Both keep their native context between calls, so per-frame
    /// use allocates nothing (the allocation test pins this).
    /// </summary>
    public sealed class DesktopCrypto : ICryptoProvider
    {
        public static readonly DesktopCrypto Instance = new();

        public IBlockCipher CreateAes128(byte[] key) => new AesBlock(key);

        public IMac CreateHmacSha256(byte[] key) => new HmacSha256(key);

        private sealed class AesBlock : IBlockCipher, IDisposable
        {
            private readonly Aes _aes;
            private readonly ICryptoTransform _encryptor;

            public AesBlock(byte[] key)
            {
                if (key.Length != 16)
                {
                    throw new ArgumentException("AES-128 needs a 16-byte key", nameof(key));
                }

                _aes = Aes.Create();
                _aes.Mode = CipherMode.ECB;
                _aes.Padding = PaddingMode.None;
                _aes.Key = key;
                _encryptor = _aes.CreateEncryptor();
            }

            public void EncryptBlock(byte[] input, int inputOffset, byte[] output, int outputOffset)
            {
                _encryptor.TransformBlock(input, inputOffset, 16, output, outputOffset);
            }

            public void Dispose()
            {
                _encryptor.Dispose();
                _aes.Dispose();
            }
        }

        private sealed class HmacSha256 : IMac, IDisposable
        {
            private readonly IncrementalHash _hmac;

            public HmacSha256(byte[] key)
            {
                _hmac = IncrementalHash.CreateHMAC(HashAlgorithmName.SHA256, key);
            }

            public void Compute(byte[] data, int offset, int count, byte[] output, int outputOffset)
            {
                _hmac.AppendData(data, offset, count);
                _hmac.GetHashAndReset(output.AsSpan(outputOffset, 32));
            }

            public void Dispose() => _hmac.Dispose();
        }
    }
}
