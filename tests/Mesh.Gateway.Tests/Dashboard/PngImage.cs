using System;
using System.Buffers.Binary;
using System.IO;
using System.IO.Compression;
using System.Text;

namespace Mesh.Gateway.Tests.Dashboard
{
    /// <summary>
    /// Just enough of PNG (RFC 2083) to read Chromium's screenshots: 8-bit RGB or RGBA, not interlaced,
    /// the five scanline filters. Lets the test look at pixels rather than trust that a file was written.
    /// </summary>
    public sealed class PngImage
    {
        private readonly byte[] _pixels; // RGBA, row-major
        private static readonly byte[] Signature = { 137, 80, 78, 71, 13, 10, 26, 10 };

        private PngImage(int width, int height, byte[] pixels)
        {
            Width = width;
            Height = height;
            _pixels = pixels;
        }

        public int Width { get; }

        public int Height { get; }

        public (byte R, byte G, byte B) Pixel(int x, int y)
        {
            int i = ((y * Width) + x) * 4;
            return (_pixels[i], _pixels[i + 1], _pixels[i + 2]);
        }

        public static PngImage Decode(byte[] png)
        {
            if (png.Length < 8 || !png.AsSpan(0, 8).SequenceEqual(Signature))
            {
                throw new InvalidDataException("not a PNG file");
            }

            int width = 0, height = 0, channels = 0;
            var idat = new MemoryStream();
            int at = 8;
            while (at + 12 <= png.Length)
            {
                int length = BinaryPrimitives.ReadInt32BigEndian(png.AsSpan(at));
                string type = Encoding.ASCII.GetString(png, at + 4, 4);
                ReadOnlySpan<byte> data = png.AsSpan(at + 8, length);
                if (type == "IHDR")
                {
                    width = BinaryPrimitives.ReadInt32BigEndian(data);
                    height = BinaryPrimitives.ReadInt32BigEndian(data[4..]);
                    byte depth = data[8], colour = data[9], interlace = data[12];
                    channels = colour switch { 2 => 3, 6 => 4, _ => 0 };
                    if (depth != 8 || channels == 0 || interlace != 0)
                    {
                        throw new InvalidDataException($"unsupported PNG: depth {depth}, colour type {colour}, interlace {interlace}");
                    }
                }
                else if (type == "IDAT")
                {
                    idat.Write(data);
                }
                else if (type == "IEND")
                {
                    break;
                }

                at += 12 + length;
            }

            idat.Position = 0;
            int stride = width * channels;
            var raw = new byte[(stride + 1) * height];
            using (var z = new ZLibStream(idat, CompressionMode.Decompress))
            {
                z.ReadExactly(raw);
            }

            var pixels = new byte[width * height * 4];
            var previous = new byte[stride];
            var current = new byte[stride];
            for (int y = 0; y < height; y++)
            {
                int row = y * (stride + 1);
                byte filter = raw[row];
                for (int i = 0; i < stride; i++)
                {
                    int a = i >= channels ? current[i - channels] : 0;
                    int b = previous[i];
                    int c = i >= channels ? previous[i - channels] : 0;
                    int x = raw[row + 1 + i];
                    current[i] = (byte)(filter switch
                    {
                        0 => x,
                        1 => x + a,
                        2 => x + b,
                        3 => x + ((a + b) >> 1),
                        4 => x + Paeth(a, b, c),
                        _ => throw new InvalidDataException($"bad PNG filter {filter} in row {y}"),
                    });
                }

                for (int px = 0; px < width; px++)
                {
                    int o = ((y * width) + px) * 4;
                    pixels[o] = current[px * channels];
                    pixels[o + 1] = current[(px * channels) + 1];
                    pixels[o + 2] = current[(px * channels) + 2];
                    pixels[o + 3] = channels == 4 ? current[(px * channels) + 3] : (byte)255;
                }

                (previous, current) = (current, previous);
            }

            return new PngImage(width, height, pixels);
        }

        private static int Paeth(int a, int b, int c)
        {
            int p = a + b - c, pa = Math.Abs(p - a), pb = Math.Abs(p - b), pc = Math.Abs(p - c);
            return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
        }
    }
}
