namespace Mesh.Protocol.Security
{
    /// <summary>The cipher and MAC that seal a payload end to end (see <see cref="PayloadSealer"/>).</summary>
    public sealed class SealingKey
    {
        private readonly IBlockCipher _cipher;
        private readonly IMac _mac;

        internal SealingKey(IMac master, string purpose, ICryptoProvider crypto)
        {
            _cipher = crypto.CreateAes128(KeyDerivation.Derive(master, purpose + " enc", 16));
            _mac = crypto.CreateHmacSha256(KeyDerivation.Derive(master, purpose + " mac", 32));
        }

        public IBlockCipher Cipher
        {
            get { return _cipher; }
        }

        public IMac Mac
        {
            get { return _mac; }
        }

        public override string ToString()
        {
            return "SealingKey(redacted)";
        }
    }
}
