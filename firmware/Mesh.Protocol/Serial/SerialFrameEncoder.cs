using System;

namespace Mesh.Protocol.Serial
{
    /// <summary>
    /// Writes one mesh frame as it travels on the serial link: <c>00 | COBS(rssi | frame | crc16-LE) | 00</c>
    /// (PROTOCOL.md, "Serial link framing"). Stateless and allocation-free: the content is stuffed straight
    /// from the caller's frame, without an intermediate copy.
    /// </summary>
    public static class SerialFrameEncoder
    {
        /// <summary>
        /// Bytes <see cref="Encode(byte[], int, int, int, byte[], int)"/> writes at most for a frame of
        /// frameLength bytes, both delimiters included (256 for a 250-byte frame).
        /// </summary>
        public static int MaxEncodedLength(int frameLength)
        {
            if (frameLength < 0)
            {
                frameLength = 0;
            }

            return Cobs.MaxEncodedLength(frameLength + SerialLayout.Overhead) + 2;
        }

        /// <summary>Encodes a frame with the RSSI byte set to "not measured" (what the gateway sends).</summary>
        public static int Encode(byte[] frame, int offset, int length, byte[] output, int outOffset)
        {
            return Encode(frame, offset, length, SerialLayout.RssiUnknown, output, outOffset);
        }

        /// <summary>
        /// Encodes frame[offset, offset + length) with the given RSSI (dBm; clamped to -127..127, or
        /// <see cref="SerialLayout.RssiUnknown"/>) into output at outOffset. Returns the bytes written,
        /// the leading and the trailing 0x00 included. Throws for a frame outside 1..250 bytes or an output
        /// shorter than <see cref="MaxEncodedLength"/>.
        /// </summary>
        public static int Encode(byte[] frame, int offset, int length, int rssi, byte[] output, int outOffset)
        {
            if (frame == null || output == null)
            {
                throw new ArgumentNullException(frame == null ? "frame" : "output");
            }

            if (length < SerialLayout.MinFrameSize || length > SerialLayout.MaxFrameSize
                || offset < 0 || offset > frame.Length - length)
            {
                throw new ArgumentOutOfRangeException("length");
            }

            if (outOffset < 0 || outOffset > output.Length - MaxEncodedLength(length))
            {
                throw new ArgumentOutOfRangeException("outOffset");
            }

            byte rssiByte = (byte)(rssi == SerialLayout.RssiUnknown ? SerialLayout.RssiUnknown : SerialLayout.ClampRssi(rssi));
            ushort crc = Crc16CcittFalse.Update(Crc16CcittFalse.Initial, rssiByte);
            crc = Crc16CcittFalse.Update(crc, frame, offset, length);

            int contentLength = length + SerialLayout.Overhead;
            int write = outOffset;
            output[write++] = SerialLayout.Delimiter;

            // COBS, as in Cobs.Encode, over the virtual content rssi | frame | crc.
            int codeAt = write++;
            int code = 1;
            for (int i = 0; i < contentLength; i++)
            {
                byte b;
                if (i == 0)
                {
                    b = rssiByte;
                }
                else if (i <= length)
                {
                    b = frame[offset + i - 1];
                }
                else if (i == length + 1)
                {
                    b = (byte)crc;
                }
                else
                {
                    b = (byte)(crc >> 8);
                }

                if (b != 0)
                {
                    output[write++] = b;
                    code++;
                }

                if (b == 0 || code == 0xFF)
                {
                    output[codeAt] = (byte)code;
                    code = 1;
                    if (b == 0 || i + 1 < contentLength)
                    {
                        codeAt = write++;
                    }
                    else
                    {
                        codeAt = -1; // a full block ended the content: no trailing 01 block
                    }
                }
            }

            if (codeAt >= 0)
            {
                output[codeAt] = (byte)code;
            }

            output[write++] = SerialLayout.Delimiter;
            return write - outOffset;
        }
    }
}
