namespace Mesh.NodeApp.Settings
{
    /// <summary>
    /// UTF-8 both ways. nanoFramework's mscorlib has no System.Text.Encoding (it lives in a separate
    /// package), and settings and text messages are all this application decodes, so it is written out
    /// here rather than taking a dependency. Invalid sequences decode as U+FFFD.
    /// </summary>
    public static class Utf8
    {
        public static byte[] GetBytes(string s)
        {
            int n = 0;
            for (int i = 0; i < s.Length; i++)
            {
                int c = s[i];
                if (c < 0x80)
                {
                    n += 1;
                }
                else if (c < 0x800)
                {
                    n += 2;
                }
                else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.Length && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF)
                {
                    n += 4;
                    i++;
                }
                else
                {
                    n += 3;
                }
            }

            var b = new byte[n];
            int o = 0;
            for (int i = 0; i < s.Length; i++)
            {
                int c = s[i];
                if (c < 0x80)
                {
                    b[o++] = (byte)c;
                }
                else if (c < 0x800)
                {
                    b[o++] = (byte)(0xC0 | (c >> 6));
                    b[o++] = (byte)(0x80 | (c & 0x3F));
                }
                else if (c >= 0xD800 && c <= 0xDBFF && i + 1 < s.Length && s[i + 1] >= 0xDC00 && s[i + 1] <= 0xDFFF)
                {
                    int cp = 0x10000 + ((c - 0xD800) << 10) + (s[i + 1] - 0xDC00);
                    i++;
                    b[o++] = (byte)(0xF0 | (cp >> 18));
                    b[o++] = (byte)(0x80 | ((cp >> 12) & 0x3F));
                    b[o++] = (byte)(0x80 | ((cp >> 6) & 0x3F));
                    b[o++] = (byte)(0x80 | (cp & 0x3F));
                }
                else
                {
                    b[o++] = (byte)(0xE0 | (c >> 12));
                    b[o++] = (byte)(0x80 | ((c >> 6) & 0x3F));
                    b[o++] = (byte)(0x80 | (c & 0x3F));
                }
            }

            return b;
        }

        public static string GetString(byte[] b, int offset, int length)
        {
            var chars = new char[length * 2];
            int n = 0;
            int i = offset;
            int end = offset + length;
            while (i < end)
            {
                int c = b[i];
                int cp;
                int extra;
                if (c < 0x80)
                {
                    cp = c;
                    extra = 0;
                }
                else if ((c & 0xE0) == 0xC0)
                {
                    cp = c & 0x1F;
                    extra = 1;
                }
                else if ((c & 0xF0) == 0xE0)
                {
                    cp = c & 0x0F;
                    extra = 2;
                }
                else if ((c & 0xF8) == 0xF0)
                {
                    cp = c & 0x07;
                    extra = 3;
                }
                else
                {
                    chars[n++] = '\uFFFD';
                    i++;
                    continue;
                }

                bool ok = true;
                for (int k = 1; k <= extra; k++)
                {
                    if (i + k >= end || (b[i + k] & 0xC0) != 0x80)
                    {
                        ok = false;
                        break;
                    }

                    cp = (cp << 6) | (b[i + k] & 0x3F);
                }

                if (!ok)
                {
                    chars[n++] = '\uFFFD';
                    i++;
                    continue;
                }

                i += extra + 1;
                if (cp >= 0x10000)
                {
                    cp -= 0x10000;
                    chars[n++] = (char)(0xD800 + (cp >> 10));
                    chars[n++] = (char)(0xDC00 + (cp & 0x3FF));
                }
                else
                {
                    chars[n++] = (char)cp;
                }
            }

            return new string(chars, 0, n);
        }
    }
}
