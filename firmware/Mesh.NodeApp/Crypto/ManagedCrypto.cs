using Mesh.Protocol.Security;

namespace Mesh.NodeApp.Crypto
{
    /// <summary>
    /// The core's crypto seam in managed code: AES-128 and HMAC-SHA256 that allocate nothing per frame. The
    /// board uses it instead of nanoFramework.System.Security.Cryptography, whose Aes.Encrypt and
    /// HMACSHA256.ComputeHash take whole arrays and return new ones (an exact-size copy of the covered bytes,
    /// a hash and one array per AES block: about 1 KB of garbage per frame), and which ties the image to one
    /// more native checksum the firmware must declare. Checked against the desktop primitives and the
    /// FIPS 197 / RFC 4231 vectors in tests/Mesh.Node.Tests.
    /// The MACs one instance creates share one SHA-256 work state (<see cref="Sha256Work"/>, about 350 bytes
    /// that a node's three keyed MACs would otherwise hold three times): use an instance, and every key made
    /// with it, from one thread — the board's node loop, where all sealing and checking happens (the radio
    /// thread only copies frames into the inbox). A second thread needs its own instance.
    /// </summary>
    public sealed class ManagedCrypto : ICryptoProvider
    {
        private readonly Sha256Work _scratch = new Sha256Work();

        public IBlockCipher CreateAes128(byte[] key)
        {
            return new Aes128(key);
        }

        public IMac CreateHmacSha256(byte[] key)
        {
            return new HmacSha256(key, _scratch);
        }
    }
}
