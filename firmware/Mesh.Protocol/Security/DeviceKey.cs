namespace Mesh.Protocol.Security
{
    /// <summary>
    /// A device key: shared only by one node and the gateway(s) that provisioned it. It seals that node's
    /// readings, heartbeats and acks (so relays cannot read them) and the commands sent to it (so no other
    /// key holder can command it). Derived keys: K_enc = HMAC(K, "Mesh v2 dev enc")[0..16),
    /// K_mac = HMAC(K, "Mesh v2 dev mac"). The index (0..15) travels in the frame for key rotation.
    /// </summary>
    public sealed class DeviceKey
    {
        private readonly uint _owner;
        private readonly int _index;
        private readonly SealingKey _sealing;

        public DeviceKey(uint owner, byte[] secret, int index, ICryptoProvider crypto)
        {
            KeyDerivation.CheckSecret(secret, "device key");
            if (index < 0 || index > 15)
            {
                throw new System.ArgumentException("device key index must be 0..15");
            }

            _owner = owner;
            _index = index;
            _sealing = new SealingKey(crypto.CreateHmacSha256(secret), "dev", crypto);
        }

        /// <summary>The node this key belongs to.</summary>
        public uint Owner
        {
            get { return _owner; }
        }

        public int Index
        {
            get { return _index; }
        }

        public SealingKey Sealing
        {
            get { return _sealing; }
        }

        public override string ToString()
        {
            return "DeviceKey(node " + _owner.ToString() + ", index " + _index.ToString() + ", redacted)";
        }
    }
}
