using System.Net.NetworkInformation;

namespace Mesh.Board.Platform
{
    /// <summary>A node id for a board that has none configured: the low three bytes of its WiFi MAC (unique per chip).</summary>
    internal static class BoardIdentity
    {
        public static uint FromMac()
        {
            NetworkInterface[] interfaces = NetworkInterface.GetAllNetworkInterfaces();
            for (int i = 0; i < interfaces.Length; i++)
            {
                byte[] mac = interfaces[i].PhysicalAddress;
                if (mac != null && mac.Length == 6)
                {
                    uint id = ((uint)mac[3] << 16) | ((uint)mac[4] << 8) | mac[5];
                    return id == 0 ? 1 : id;
                }
            }

            return 1;
        }
    }
}
