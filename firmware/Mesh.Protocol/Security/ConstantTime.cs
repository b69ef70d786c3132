namespace Mesh.Protocol.Security
{
    internal static class ConstantTime
    {
        /// <summary>Compares without an early exit, so timing does not tell where a forged MIC differs.</summary>
        public static bool Equal(byte[] a, int aOffset, byte[] b, int bOffset, int count)
        {
            int diff = 0;
            for (int i = 0; i < count; i++)
            {
                diff |= a[aOffset + i] ^ b[bOffset + i];
            }

            return diff == 0;
        }
    }
}
