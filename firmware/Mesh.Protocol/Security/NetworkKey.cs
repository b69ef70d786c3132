namespace Mesh.Protocol.Security
{
    /// <summary>
    /// The mesh's shared secret and the two keys derived from it:
    /// K_enc = HMAC-SHA256(K, "Mesh v1 enc")[0..16) for AES-128-CTR, and
    /// K_mac = HMAC-SHA256(K, "Mesh v1 mac") for the MIC. Separate keys keep the cipher and the MAC
    /// independent even though one secret is configured. The key bytes are never exposed by ToString.
    /// </summary>
    public sealed class NetworkKey
    {
        public const int MinLength = 16;
        public const int MaxLength = 64;

        private readonly IBlockCipher _cipher;
        private readonly IMac _mac;

        public NetworkKey(byte[] secret, ICryptoProvider crypto)
        {
            if (secret == null || secret.Length < MinLength || secret.Length > MaxLength)
            {
                throw new System.ArgumentException("network key must be 16 to 64 bytes");
            }

            IMac master = crypto.CreateHmacSha256(secret);
            byte[] derived = new byte[32];
            byte[] label = Label("enc");
            master.Compute(label, 0, label.Length, derived, 0);
            byte[] encKey = new byte[16];
            System.Array.Copy(derived, 0, encKey, 0, 16);

            label = Label("mac");
            byte[] macKey = new byte[32];
            master.Compute(label, 0, label.Length, macKey, 0);

            _cipher = crypto.CreateAes128(encKey);
            _mac = crypto.CreateHmacSha256(macKey);
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
            return "NetworkKey(redacted)";
        }

        private static byte[] Label(string purpose)
        {
            // "Mesh v1 " + purpose, ASCII; built by hand so the core needs no Encoding class.
            string text = "Mesh v1 " + purpose;
            byte[] bytes = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                bytes[i] = (byte)text[i];
            }

            return bytes;
        }
    }
}
