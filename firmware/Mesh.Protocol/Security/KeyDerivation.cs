namespace Mesh.Protocol.Security
{
    /// <summary>
    /// Derives purpose keys from a configured secret: HMAC-SHA256(secret, "Mesh v2 " + label). One
    /// derivation for every key in the protocol keeps the cipher, the payload MAC and the per-hop MAC
    /// independent although one secret is configured (PROTOCOL.md, "Keys").
    /// </summary>
    internal static class KeyDerivation
    {
        public static byte[] Derive(IMac master, string label, int length)
        {
            // "Mesh v2 " + label, ASCII; built by hand so the core needs no Encoding class.
            string text = "Mesh v2 " + label;
            byte[] input = new byte[text.Length];
            for (int i = 0; i < text.Length; i++)
            {
                input[i] = (byte)text[i];
            }

            byte[] full = new byte[32];
            master.Compute(input, 0, input.Length, full, 0);
            if (length == 32)
            {
                return full;
            }

            byte[] cut = new byte[length];
            System.Array.Copy(full, 0, cut, 0, length);
            return cut;
        }

        public static void CheckSecret(byte[] secret, string what)
        {
            if (secret == null || (secret.Length != KeyHex.ShortKeyBytes && secret.Length != KeyHex.LongKeyBytes))
            {
                throw new System.ArgumentException(what + " must be 16 or 32 bytes (32 or 64 hex digits)");
            }
        }
    }
}
