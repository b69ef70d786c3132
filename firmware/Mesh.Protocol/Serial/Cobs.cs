using System;

namespace Mesh.Protocol.Serial
{
    /// <summary>
    /// Consistent Overhead Byte Stuffing (S. Cheshire, M. Baker, "Consistent Overhead Byte Stuffing",
    /// IEEE/ACM Transactions on Networking 7(2), 1999) on whole buffers, without delimiters. The output
    /// contains no 0x00. Each block is a code byte c (1..255) followed by c - 1 non-zero data bytes; a block
    /// with c &lt; 255 stands for its data followed by one 0x00, except that the frame's last zero is implied
    /// and dropped. A 255 block (254 data bytes) carries no zero. A frame that ends exactly after a 255 block
    /// gets no extra 01 block (the form of the Wikipedia examples); decoders accept both forms.
    /// <see cref="SerialFrameEncoder"/> and <see cref="SerialFrameDecoder"/> apply the same rules streaming.
    /// </summary>
    public static class Cobs
    {
        /// <summary>Largest run of data bytes one block carries.</summary>
        public const int MaxRun = 254;

        /// <summary>Upper bound (exact for zero-free input) of the stuffed size of <paramref name="length"/> bytes.</summary>
        public static int MaxEncodedLength(int length)
        {
            if (length <= 0)
            {
                return 1;
            }

            return length + 1 + (length - 1) / MaxRun;
        }

        /// <summary>Stuffs source[offset, offset + length) into output at outOffset; returns bytes written.</summary>
        public static int Encode(byte[] source, int offset, int length, byte[] output, int outOffset)
        {
            if (source == null || output == null)
            {
                throw new ArgumentNullException(source == null ? "source" : "output");
            }

            if (offset < 0 || length < 0 || offset > source.Length - length)
            {
                throw new ArgumentOutOfRangeException("length");
            }

            if (outOffset < 0 || outOffset > output.Length - MaxEncodedLength(length))
            {
                throw new ArgumentOutOfRangeException("outOffset");
            }

            int codeAt = outOffset;
            int write = outOffset + 1;
            int code = 1;
            int end = offset + length;
            for (int i = offset; i < end; i++)
            {
                byte b = source[i];
                if (b != 0)
                {
                    output[write++] = b;
                    code++;
                }

                if (b == 0 || code == 0xFF)
                {
                    output[codeAt] = (byte)code;
                    code = 1;
                    codeAt = write;
                    if (b == 0 || i + 1 < end)
                    {
                        write++;
                    }
                    else
                    {
                        // A full block ended the input: no trailing 01 block.
                        return write - outOffset;
                    }
                }
            }

            output[codeAt] = (byte)code;
            return write - outOffset;
        }

        /// <summary>
        /// Unstuffs source[offset, offset + length) (no delimiters) into output at outOffset. Returns the
        /// decoded length, or -1 if the input is not valid COBS (a 0x00 byte, or a block cut short) or would
        /// not fit in output. Never throws for bad input and never writes outside output.
        /// </summary>
        public static int Decode(byte[] source, int offset, int length, byte[] output, int outOffset)
        {
            if (source == null || output == null || offset < 0 || length < 0 || offset > source.Length - length
                || outOffset < 0 || outOffset > output.Length)
            {
                return -1;
            }

            int read = offset;
            int end = offset + length;
            int write = outOffset;
            while (read < end)
            {
                int code = source[read++];
                if (code == 0)
                {
                    return -1;
                }

                for (int k = 1; k < code; k++)
                {
                    if (read >= end || source[read] == 0 || write >= output.Length)
                    {
                        return -1;
                    }

                    output[write++] = source[read++];
                }

                if (code != 0xFF && read < end)
                {
                    if (write >= output.Length)
                    {
                        return -1;
                    }

                    output[write++] = 0;
                }
            }

            return write - outOffset;
        }
    }
}
