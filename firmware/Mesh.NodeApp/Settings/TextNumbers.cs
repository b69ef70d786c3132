namespace Mesh.NodeApp.Settings
{
    /// <summary>
    /// Strict number parsing for settings, written out so that it behaves the same on the board and the
    /// desktop (no culture, no exponent, no surprises): decimal integers with an optional sign, 0x hex,
    /// and fractions like 0.65.
    /// </summary>
    public static class TextNumbers
    {
        public static bool TryParseInt(string s, out int value)
        {
            value = 0;
            if (s == null || s.Length == 0)
            {
                return false;
            }

            bool negative = s[0] == '-';
            int i = negative || s[0] == '+' ? 1 : 0;
            if (i == s.Length)
            {
                return false;
            }

            long v = 0;
            for (; i < s.Length; i++)
            {
                char c = s[i];
                if (c < '0' || c > '9')
                {
                    return false;
                }

                v = (v * 10) + (c - '0');
                if (v > 2147483648L)
                {
                    return false;
                }
            }

            if (negative)
            {
                v = -v;
            }

            if (v > int.MaxValue || v < int.MinValue)
            {
                return false;
            }

            value = (int)v;
            return true;
        }

        /// <summary>Decimal or 0x-prefixed hex, 0..4294967295.</summary>
        public static bool TryParseUInt(string s, out uint value)
        {
            value = 0;
            if (s == null || s.Length == 0)
            {
                return false;
            }

            ulong v = 0;
            if (s.Length > 2 && s[0] == '0' && (s[1] == 'x' || s[1] == 'X'))
            {
                for (int i = 2; i < s.Length; i++)
                {
                    int d = HexDigit(s[i]);
                    if (d < 0)
                    {
                        return false;
                    }

                    v = (v << 4) | (uint)d;
                    if (v > 0xFFFFFFFFUL)
                    {
                        return false;
                    }
                }
            }
            else
            {
                for (int i = 0; i < s.Length; i++)
                {
                    char c = s[i];
                    if (c < '0' || c > '9')
                    {
                        return false;
                    }

                    v = (v * 10) + (uint)(c - '0');
                    if (v > 0xFFFFFFFFUL)
                    {
                        return false;
                    }
                }
            }

            value = (uint)v;
            return true;
        }

        /// <summary>A non-negative decimal like 0.65, 1 or .5 (at most 6 decimals).</summary>
        public static bool TryParseFraction(string s, out double value)
        {
            value = 0;
            if (s == null || s.Length == 0)
            {
                return false;
            }

            long whole = 0;
            long fraction = 0;
            long scale = 1;
            bool seenDot = false;
            bool seenDigit = false;
            for (int i = 0; i < s.Length; i++)
            {
                char c = s[i];
                if (c == '.' && !seenDot)
                {
                    seenDot = true;
                    continue;
                }

                if (c < '0' || c > '9')
                {
                    return false;
                }

                seenDigit = true;
                if (seenDot)
                {
                    if (scale >= 1000000)
                    {
                        return false;
                    }

                    fraction = (fraction * 10) + (c - '0');
                    scale *= 10;
                }
                else
                {
                    whole = (whole * 10) + (c - '0');
                    if (whole > 1000000)
                    {
                        return false;
                    }
                }
            }

            if (!seenDigit)
            {
                return false;
            }

            value = whole + ((double)fraction / scale);
            return true;
        }

        /// <summary>Hex string (even length, no prefix) to bytes; null when it is not hex.</summary>
        public static byte[] ParseHex(string s)
        {
            if (s == null || s.Length == 0 || (s.Length % 2) != 0)
            {
                return null;
            }

            var bytes = new byte[s.Length / 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                int hi = HexDigit(s[2 * i]);
                int lo = HexDigit(s[(2 * i) + 1]);
                if (hi < 0 || lo < 0)
                {
                    return null;
                }

                bytes[i] = (byte)((hi << 4) | lo);
            }

            return bytes;
        }

        public static string ToHex(byte[] bytes)
        {
            const string digits = "0123456789abcdef";
            var chars = new char[bytes.Length * 2];
            for (int i = 0; i < bytes.Length; i++)
            {
                chars[2 * i] = digits[bytes[i] >> 4];
                chars[(2 * i) + 1] = digits[bytes[i] & 0xF];
            }

            return new string(chars);
        }

        /// <summary>p in thousandths, written without floating-point formatting (which differs between platforms).</summary>
        public static string FormatFraction(double p)
        {
            int permille = (int)((p * 1000.0) + 0.5);
            int whole = permille / 1000;
            int rest = permille % 1000;
            string r = rest.ToString();
            while (r.Length < 3)
            {
                r = "0" + r;
            }

            return whole.ToString() + "." + r;
        }

        private static int HexDigit(char c)
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
