using System;
using System.Security.Cryptography;
using Mesh.Protocol.Security;

namespace Mesh.Protocol.Tests.Security
{
    /// <summary>
    /// A stand-in for nanoFramework's <c>System.Security.Cryptography.Aes</c>: the same API shape
    /// (constructed with a mode, a Key property, <c>byte[] Encrypt(byte[])</c> over the whole array,
    /// returning a new array; data must be a multiple of 16 bytes), implemented with desktop AES.
    /// </summary>
    public sealed class NanoShapedAes
    {
        public NanoShapedAes(CipherMode mode)
        {
            Mode = mode;
        }

        public CipherMode Mode { get; }

        // nanoFramework keeps the caller's array (no copy); so does this double.
        public byte[]? Key { get; set; }

        public int EncryptCalls { get; private set; }

        public byte[] Encrypt(byte[] data)
        {
            if (Key == null)
            {
                throw new InvalidOperationException("Key not set");
            }

            if (Mode != CipherMode.ECB)
            {
                throw new NotSupportedException("the double implements ECB only");
            }

            if (data.Length % 16 != 0)
            {
                throw new ArgumentException("data must be a multiple of the block size");
            }

            EncryptCalls++;
            using Aes aes = Aes.Create();
            aes.Key = Key;
            return aes.EncryptEcb(data, PaddingMode.None);
        }
    }

    /// <summary>
    /// A stand-in for nanoFramework's <c>System.Security.Cryptography.HMACSHA256</c>: constructed with the
    /// key (kept by reference), <c>byte[] ComputeHash(byte[])</c> over the whole array, returning a new array.
    /// </summary>
    public sealed class NanoShapedHmacSha256
    {
        private readonly byte[] _key;

        public NanoShapedHmacSha256(byte[] key)
        {
            _key = key ?? throw new ArgumentNullException(nameof(key));
        }

        public int LastInputLength { get; private set; } = -1;

        public byte[] ComputeHash(byte[] buffer)
        {
            LastInputLength = buffer.Length;
            return HMACSHA256.HashData(_key, buffer);
        }
    }

    /// <summary>
    /// The board adapter pattern: the core's offset-based seam (<see cref="ICryptoProvider"/>) on top of
    /// whole-array-only primitives, by copying exactly the requested range into a fresh array.
    /// This is what the ESP32 firmware's provider has to do with the real nanoFramework classes.
    /// </summary>
    public sealed class NanoShapedCryptoProvider : ICryptoProvider
    {
        public int BlocksEncrypted { get; private set; }

        public int MacsComputed { get; private set; }

        public int LastMacInputLength { get; private set; } = -1;

        public IBlockCipher CreateAes128(byte[] key)
        {
            if (key.Length != 16)
            {
                throw new ArgumentException("AES-128 needs a 16-byte key", nameof(key));
            }

            NanoShapedAes aes = new NanoShapedAes(CipherMode.ECB) { Key = key };
            return new Block(this, aes);
        }

        public IMac CreateHmacSha256(byte[] key) => new Mac(this, new NanoShapedHmacSha256(key));

        private sealed class Block : IBlockCipher
        {
            private readonly NanoShapedCryptoProvider _owner;
            private readonly NanoShapedAes _aes;

            public Block(NanoShapedCryptoProvider owner, NanoShapedAes aes)
            {
                _owner = owner;
                _aes = aes;
            }

            public void EncryptBlock(byte[] input, int inputOffset, byte[] output, int outputOffset)
            {
                byte[] block = new byte[16];
                Array.Copy(input, inputOffset, block, 0, 16);
                byte[] encrypted = _aes.Encrypt(block);
                Array.Copy(encrypted, 0, output, outputOffset, 16);
                _owner.BlocksEncrypted++;
            }
        }

        private sealed class Mac : IMac
        {
            private readonly NanoShapedCryptoProvider _owner;
            private readonly NanoShapedHmacSha256 _hmac;

            public Mac(NanoShapedCryptoProvider owner, NanoShapedHmacSha256 hmac)
            {
                _owner = owner;
                _hmac = hmac;
            }

            public void Compute(byte[] data, int offset, int count, byte[] output, int outputOffset)
            {
                byte[] exact = new byte[count];
                Array.Copy(data, offset, exact, 0, count);
                byte[] hash = _hmac.ComputeHash(exact);
                Array.Copy(hash, 0, output, outputOffset, 32);
                _owner.MacsComputed++;
                _owner.LastMacInputLength = _hmac.LastInputLength;
            }
        }
    }
}
