namespace Mesh.Protocol.Security
{
    /// <summary>
    /// One network key: held by every node, it authenticates each hop (the network MIC) and seals
    /// payloads meant for every node (broadcast text). It does not open device-sealed payloads: readings,
    /// heartbeats, commands and acks are sealed with device keys. Derived keys:
    /// K_hop = HMAC(K, "Mesh v2 net hop"), and for network-sealed payloads
    /// K_enc = HMAC(K, "Mesh v2 net enc")[0..16), K_mac = HMAC(K, "Mesh v2 net mac").
    /// The index (0..15) travels in every frame so keys can be refreshed. Key bytes are never exposed.
    /// </summary>
    public sealed class NetworkKey
    {
        private readonly int _index;
        private readonly IMac _hop;
        private readonly SealingKey _payload;

        public NetworkKey(byte[] secret, ICryptoProvider crypto)
            : this(secret, 0, crypto)
        {
        }

        public NetworkKey(byte[] secret, int index, ICryptoProvider crypto)
        {
            KeyDerivation.CheckSecret(secret, "network key");
            if (index < 0 || index > 15)
            {
                throw new System.ArgumentException("network key index must be 0..15");
            }

            _index = index;
            IMac master = crypto.CreateHmacSha256(secret);
            _hop = crypto.CreateHmacSha256(KeyDerivation.Derive(master, "net hop", 32));
            _payload = new SealingKey(master, "net", crypto);
        }

        public int Index
        {
            get { return _index; }
        }

        /// <summary>HMAC-SHA256 keyed with K_hop: the per-hop network MIC.</summary>
        public IMac Hop
        {
            get { return _hop; }
        }

        /// <summary>Keys for network-sealed payloads.</summary>
        public SealingKey Payload
        {
            get { return _payload; }
        }

        public override string ToString()
        {
            return "NetworkKey(index " + _index.ToString() + ", redacted)";
        }
    }
}
