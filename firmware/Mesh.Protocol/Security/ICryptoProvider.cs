namespace Mesh.Protocol.Security
{
    /// <summary>
    /// The crypto seam: the two primitives both platforms ship (nanoFramework's
    /// nanoFramework.System.Security.Cryptography: Aes in ECB mode and HMACSHA256; desktop .NET:
    /// System.Security.Cryptography). The scheme built on them lives in the portable core.
    /// </summary>
    public interface ICryptoProvider
    {
        /// <summary>An AES-128 block encryptor bound to <paramref name="key"/> (16 bytes).</summary>
        IBlockCipher CreateAes128(byte[] key);

        /// <summary>An HMAC-SHA256 bound to <paramref name="key"/>.</summary>
        IMac CreateHmacSha256(byte[] key);
    }

    public interface IBlockCipher
    {
        /// <summary>Encrypts one 16-byte block (AES-ECB, no padding).</summary>
        void EncryptBlock(byte[] input, int inputOffset, byte[] output, int outputOffset);
    }

    public interface IMac
    {
        /// <summary>Writes the full 32-byte HMAC-SHA256 of data[offset, offset+count) to output[outputOffset..].</summary>
        void Compute(byte[] data, int offset, int count, byte[] output, int outputOffset);
    }
}
