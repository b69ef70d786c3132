using Mesh.Protocol.Security;

namespace Mesh.NodeApp.Crypto
{
    /// <summary>
    /// AES-128 block encryption (FIPS 197), the only direction AES-CTR needs, with no allocation per block.
    /// One 1 KB lookup table (SubBytes and MixColumns together, the other three columns by rotation) and the
    /// state in four locals: on nanoFramework's interpreter every array access and call costs far more than
    /// arithmetic, and a 4 KB set of tables would cost the ESP32-C3 (about 54 KB of managed heap) too much.
    /// </summary>
    public sealed class Aes128 : IBlockCipher
    {
        private const int Rounds = 10;

        private static readonly byte[] SBox =
        {
            0x63, 0x7c, 0x77, 0x7b, 0xf2, 0x6b, 0x6f, 0xc5, 0x30, 0x01, 0x67, 0x2b, 0xfe, 0xd7, 0xab, 0x76,
            0xca, 0x82, 0xc9, 0x7d, 0xfa, 0x59, 0x47, 0xf0, 0xad, 0xd4, 0xa2, 0xaf, 0x9c, 0xa4, 0x72, 0xc0,
            0xb7, 0xfd, 0x93, 0x26, 0x36, 0x3f, 0xf7, 0xcc, 0x34, 0xa5, 0xe5, 0xf1, 0x71, 0xd8, 0x31, 0x15,
            0x04, 0xc7, 0x23, 0xc3, 0x18, 0x96, 0x05, 0x9a, 0x07, 0x12, 0x80, 0xe2, 0xeb, 0x27, 0xb2, 0x75,
            0x09, 0x83, 0x2c, 0x1a, 0x1b, 0x6e, 0x5a, 0xa0, 0x52, 0x3b, 0xd6, 0xb3, 0x29, 0xe3, 0x2f, 0x84,
            0x53, 0xd1, 0x00, 0xed, 0x20, 0xfc, 0xb1, 0x5b, 0x6a, 0xcb, 0xbe, 0x39, 0x4a, 0x4c, 0x58, 0xcf,
            0xd0, 0xef, 0xaa, 0xfb, 0x43, 0x4d, 0x33, 0x85, 0x45, 0xf9, 0x02, 0x7f, 0x50, 0x3c, 0x9f, 0xa8,
            0x51, 0xa3, 0x40, 0x8f, 0x92, 0x9d, 0x38, 0xf5, 0xbc, 0xb6, 0xda, 0x21, 0x10, 0xff, 0xf3, 0xd2,
            0xcd, 0x0c, 0x13, 0xec, 0x5f, 0x97, 0x44, 0x17, 0xc4, 0xa7, 0x7e, 0x3d, 0x64, 0x5d, 0x19, 0x73,
            0x60, 0x81, 0x4f, 0xdc, 0x22, 0x2a, 0x90, 0x88, 0x46, 0xee, 0xb8, 0x14, 0xde, 0x5e, 0x0b, 0xdb,
            0xe0, 0x32, 0x3a, 0x0a, 0x49, 0x06, 0x24, 0x5c, 0xc2, 0xd3, 0xac, 0x62, 0x91, 0x95, 0xe4, 0x79,
            0xe7, 0xc8, 0x37, 0x6d, 0x8d, 0xd5, 0x4e, 0xa9, 0x6c, 0x56, 0xf4, 0xea, 0x65, 0x7a, 0xae, 0x08,
            0xba, 0x78, 0x25, 0x2e, 0x1c, 0xa6, 0xb4, 0xc6, 0xe8, 0xdd, 0x74, 0x1f, 0x4b, 0xbd, 0x8b, 0x8a,
            0x70, 0x3e, 0xb5, 0x66, 0x48, 0x03, 0xf6, 0x0e, 0x61, 0x35, 0x57, 0xb9, 0x86, 0xc1, 0x1d, 0x9e,
            0xe1, 0xf8, 0x98, 0x11, 0x69, 0xd9, 0x8e, 0x94, 0x9b, 0x1e, 0x87, 0xe9, 0xce, 0x55, 0x28, 0xdf,
            0x8c, 0xa1, 0x89, 0x0d, 0xbf, 0xe6, 0x42, 0x68, 0x41, 0x99, 0x2d, 0x0f, 0xb0, 0x54, 0xbb, 0x16,
        };

        /// <summary>Te0[x] = (2·S[x], S[x], S[x], 3·S[x]) as a big-endian word.</summary>
        private static readonly uint[] Te0 = BuildTe0();

        private readonly uint[] _roundKeys = new uint[4 * (Rounds + 1)];

        public Aes128(byte[] key)
        {
            if (key == null || key.Length != 16)
            {
                throw new System.ArgumentException("AES-128 needs a 16-byte key");
            }

            uint[] w = _roundKeys;
            for (int i = 0; i < 4; i++)
            {
                w[i] = ((uint)key[4 * i] << 24) | ((uint)key[(4 * i) + 1] << 16) | ((uint)key[(4 * i) + 2] << 8) | key[(4 * i) + 3];
            }

            uint rcon = 0x01000000;
            for (int i = 4; i < w.Length; i++)
            {
                uint t = w[i - 1];
                if ((i & 3) == 0)
                {
                    // RotWord, SubWord, Rcon
                    t = ((uint)SBox[(t >> 16) & 0xFF] << 24) | ((uint)SBox[(t >> 8) & 0xFF] << 16) | ((uint)SBox[t & 0xFF] << 8) | SBox[t >> 24];
                    t ^= rcon;
                    rcon = (rcon & 0x80000000) != 0 ? ((rcon << 1) ^ 0x1B000000) : (rcon << 1);
                }

                w[i] = w[i - 4] ^ t;
            }
        }

        public void EncryptBlock(byte[] input, int inputOffset, byte[] output, int outputOffset)
        {
            uint[] rk = _roundKeys;
            uint[] te = Te0;
            int o = inputOffset;
            uint s0 = (((uint)input[o] << 24) | ((uint)input[o + 1] << 16) | ((uint)input[o + 2] << 8) | input[o + 3]) ^ rk[0];
            uint s1 = (((uint)input[o + 4] << 24) | ((uint)input[o + 5] << 16) | ((uint)input[o + 6] << 8) | input[o + 7]) ^ rk[1];
            uint s2 = (((uint)input[o + 8] << 24) | ((uint)input[o + 9] << 16) | ((uint)input[o + 10] << 8) | input[o + 11]) ^ rk[2];
            uint s3 = (((uint)input[o + 12] << 24) | ((uint)input[o + 13] << 16) | ((uint)input[o + 14] << 8) | input[o + 15]) ^ rk[3];
            uint a, b, c, d, x;
            for (int r = 4; r < 4 * Rounds; r += 4)
            {
                // Column j takes row 0 of column j, row 1 of j+1, row 2 of j+2, row 3 of j+3 (ShiftRows);
                // Te1..Te3 are Te0 rotated right by 8, 16 and 24 bits.
                a = te[s0 >> 24];
                x = te[(s1 >> 16) & 0xFF];
                a ^= (x >> 8) | (x << 24);
                x = te[(s2 >> 8) & 0xFF];
                a ^= (x >> 16) | (x << 16);
                x = te[s3 & 0xFF];
                a ^= ((x >> 24) | (x << 8)) ^ rk[r];

                b = te[s1 >> 24];
                x = te[(s2 >> 16) & 0xFF];
                b ^= (x >> 8) | (x << 24);
                x = te[(s3 >> 8) & 0xFF];
                b ^= (x >> 16) | (x << 16);
                x = te[s0 & 0xFF];
                b ^= ((x >> 24) | (x << 8)) ^ rk[r + 1];

                c = te[s2 >> 24];
                x = te[(s3 >> 16) & 0xFF];
                c ^= (x >> 8) | (x << 24);
                x = te[(s0 >> 8) & 0xFF];
                c ^= (x >> 16) | (x << 16);
                x = te[s1 & 0xFF];
                c ^= ((x >> 24) | (x << 8)) ^ rk[r + 2];

                d = te[s3 >> 24];
                x = te[(s0 >> 16) & 0xFF];
                d ^= (x >> 8) | (x << 24);
                x = te[(s1 >> 8) & 0xFF];
                d ^= (x >> 16) | (x << 16);
                x = te[s2 & 0xFF];
                d ^= ((x >> 24) | (x << 8)) ^ rk[r + 3];

                s0 = a;
                s1 = b;
                s2 = c;
                s3 = d;
            }

            // Last round: SubBytes and ShiftRows, no MixColumns.
            byte[] sb = SBox;
            a = (((uint)sb[s0 >> 24] << 24) | ((uint)sb[(s1 >> 16) & 0xFF] << 16) | ((uint)sb[(s2 >> 8) & 0xFF] << 8) | sb[s3 & 0xFF]) ^ rk[40];
            b = (((uint)sb[s1 >> 24] << 24) | ((uint)sb[(s2 >> 16) & 0xFF] << 16) | ((uint)sb[(s3 >> 8) & 0xFF] << 8) | sb[s0 & 0xFF]) ^ rk[41];
            c = (((uint)sb[s2 >> 24] << 24) | ((uint)sb[(s3 >> 16) & 0xFF] << 16) | ((uint)sb[(s0 >> 8) & 0xFF] << 8) | sb[s1 & 0xFF]) ^ rk[42];
            d = (((uint)sb[s3 >> 24] << 24) | ((uint)sb[(s0 >> 16) & 0xFF] << 16) | ((uint)sb[(s1 >> 8) & 0xFF] << 8) | sb[s2 & 0xFF]) ^ rk[43];
            Put(a, output, outputOffset);
            Put(b, output, outputOffset + 4);
            Put(c, output, outputOffset + 8);
            Put(d, output, outputOffset + 12);
        }

        private static void Put(uint v, byte[] output, int offset)
        {
            output[offset] = (byte)(v >> 24);
            output[offset + 1] = (byte)(v >> 16);
            output[offset + 2] = (byte)(v >> 8);
            output[offset + 3] = (byte)v;
        }

        private static uint[] BuildTe0()
        {
            var te = new uint[256];
            for (int i = 0; i < 256; i++)
            {
                uint sv = SBox[i];
                uint two = (sv << 1) ^ ((sv & 0x80) != 0 ? 0x11Bu : 0u);
                te[i] = (two << 24) | (sv << 16) | (sv << 8) | (two ^ sv);
            }

            return te;
        }
    }
}
