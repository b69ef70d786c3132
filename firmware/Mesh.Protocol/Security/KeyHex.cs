namespace Mesh.Protocol.Security
{
    /// <summary>
    /// The one key format used everywhere (node settings, gateway configuration, registry, simulator):
    /// 16 or 32 bytes written as 32 or 64 hex digits. Weak keys (all bytes equal) are refused.
    /// </summary>
    public static class KeyHex
    {
        public const int ShortKeyBytes = 16;
        public const int LongKeyBytes = 32;

        /// <summary>Null when <paramref name="text"/> is a valid key, else what is wrong with it (never the key itself).</summary>
        public static string Check(string text)
        {
            if (text == null || text.Length == 0)
            {
                return "missing";
            }

            if (text.Length != ShortKeyBytes * 2 && text.Length != LongKeyBytes * 2)
            {
                return "must be 32 or 64 hex digits (16 or 32 bytes), got " + text.Length.ToString() + " characters";
            }

            for (int i = 0; i < text.Length; i++)
            {
                if (Digit(text[i]) < 0)
                {
                    return "character " + (i + 1).ToString() + " is not a hex digit";
                }
            }

            bool allSame = true;
            for (int i = 2; i < text.Length; i += 2)
            {
                if (Byte(text, i) != Byte(text, 0))
                {
                    allSame = false;
                    break;
                }
            }

            return allSame ? "is a weak key (every byte the same)" : null;
        }

        /// <summary>Parses a key that <see cref="Check"/> accepts; null otherwise.</summary>
        public static byte[] Parse(string text)
        {
            if (Check(text) != null)
            {
                return null;
            }

            byte[] key = new byte[text.Length / 2];
            for (int i = 0; i < key.Length; i++)
            {
                key[i] = (byte)Byte(text, i * 2);
            }

            return key;
        }

        /// <summary>Lower-case hex of <paramref name="key"/>, for writing settings and registry files only.</summary>
        public static string Format(byte[] key)
        {
            const string digits = "0123456789abcdef";
            char[] chars = new char[key.Length * 2];
            for (int i = 0; i < key.Length; i++)
            {
                chars[i * 2] = digits[key[i] >> 4];
                chars[i * 2 + 1] = digits[key[i] & 0x0F];
            }

            return new string(chars);
        }

        private static int Byte(string text, int at)
        {
            return (Digit(text[at]) << 4) | Digit(text[at + 1]);
        }

        private static int Digit(char c)
        {
            if (c >= '0' && c <= '9')
            {
                return c - '0';
            }

            if (c >= 'a' && c <= 'f')
            {
                return c - 'a' + 10;
            }

            if (c >= 'A' && c <= 'F')
            {
                return c - 'A' + 10;
            }

            return -1;
        }
    }
}
