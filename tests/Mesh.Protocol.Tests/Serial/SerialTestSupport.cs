using System;
using System.Collections.Generic;
using Mesh.Protocol.Serial;

namespace Mesh.Protocol.Tests.SerialTests
{
    /// <summary>Helpers shared by the serial-link tests, written from PROTOCOL.md rather than from the core.</summary>
    internal static class SerialTestSupport
    {
        public static byte[] FromHex(string hex) => Convert.FromHexString(hex.Replace(" ", "", StringComparison.Ordinal));

        public static string Hex(byte[] bytes) => Convert.ToHexString(bytes);

        public static string Hex(byte[] bytes, int offset, int length) => Convert.ToHexString(bytes, offset, length);

        /// <summary>CRC-16/CCITT-FALSE the slow, obvious way: MSB first, one bit at a time.</summary>
        public static ushort BitwiseCrc(byte[] data, int offset, int length)
        {
            int crc = 0xFFFF;
            for (int i = offset; i < offset + length; i++)
            {
                crc ^= data[i] << 8;
                for (int bit = 0; bit < 8; bit++)
                {
                    crc = (crc & 0x8000) != 0 ? (crc << 1) ^ 0x1021 : crc << 1;
                    crc &= 0xFFFF;
                }
            }

            return (ushort)crc;
        }

        /// <summary>The content of a serial frame per the spec: rssi | frame | CRC-16 (LE) over both.</summary>
        public static byte[] Content(byte[] frame, int rssi)
        {
            var content = new byte[frame.Length + 3];
            content[0] = (byte)(sbyte)rssi;
            Buffer.BlockCopy(frame, 0, content, 1, frame.Length);
            ushort crc = BitwiseCrc(content, 0, frame.Length + 1);
            content[^2] = (byte)crc;
            content[^1] = (byte)(crc >> 8);
            return content;
        }

        /// <summary>00 | COBS(content) | 00, with the core's raw Cobs (tested separately against the literature).</summary>
        public static byte[] WireOf(byte[] content)
        {
            var stuffed = new byte[Cobs.MaxEncodedLength(content.Length)];
            int n = Cobs.Encode(content, 0, content.Length, stuffed, 0);
            var wire = new byte[n + 2];
            Buffer.BlockCopy(stuffed, 0, wire, 1, n);
            return wire;
        }

        public static byte[] Encode(byte[] frame, int rssi = SerialLayout.RssiUnknown)
        {
            var buffer = new byte[SerialFrameEncoder.MaxEncodedLength(frame.Length)];
            int n = SerialFrameEncoder.Encode(frame, 0, frame.Length, rssi, buffer, 0);
            return buffer.AsSpan(0, n).ToArray();
        }

        public static byte[] RandomFrame(Random rng, int minLength = 1, int maxLength = SerialLayout.MaxFrameSize)
        {
            var frame = new byte[rng.Next(minLength, maxLength + 1)];
            rng.NextBytes(frame);

            // Make zeros common, and sometimes absent, so every COBS block shape shows up.
            int mode = rng.Next(3);
            for (int i = 0; i < frame.Length; i++)
            {
                if (mode == 0 && rng.Next(4) == 0)
                {
                    frame[i] = 0;
                }
                else if (mode == 1 && frame[i] == 0)
                {
                    frame[i] = 0x5A;
                }
            }

            return frame;
        }

        public sealed record Decoded(byte[] Frame, int Rssi);

        /// <summary>Pushes everything, in chunks of random size, collecting every accepted frame.</summary>
        public static List<Decoded> DecodeAll(SerialFrameDecoder decoder, byte[] stream, Random? chunker = null)
        {
            var frames = new List<Decoded>();
            int at = 0;
            while (at < stream.Length)
            {
                int chunk = chunker == null ? stream.Length - at : Math.Min(stream.Length - at, 1 + chunker.Next(64));
                int end = at + chunk;
                while (at < end)
                {
                    int used = decoder.Push(stream, at, end - at);
                    Assert.InRange(used, 1, end - at);
                    at += used;
                    if (decoder.FrameAvailable)
                    {
                        frames.Add(new Decoded(decoder.Frame.AsSpan(0, decoder.FrameLength).ToArray(), decoder.Rssi));
                    }
                }
            }

            return frames;
        }
    }
}
