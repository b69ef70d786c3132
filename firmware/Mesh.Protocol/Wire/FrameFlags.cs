namespace Mesh.Protocol.Wire
{
    /// <summary>Low nibble of byte 0. Bits not defined here must be zero in v1.</summary>
    public static class FrameFlags
    {
        /// <summary>The payload is AES-128-CTR ciphertext.</summary>
        public const int Encrypted = 0x1;

        public const int DefinedMask = Encrypted;
    }
}
