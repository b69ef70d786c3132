using System.Collections.Generic;
using System.Linq;
using System.Net;
using System.Net.NetworkInformation;
using System.Net.Sockets;

namespace Mesh.Gateway.Hosting
{
    /// <summary>This machine's own IPv4 addresses, to tell a mistyped interface address from a real one before any socket is opened.</summary>
    public static class LocalAddresses
    {
        public static IEnumerable<IPAddress> IPv4()
        {
            try
            {
                return NetworkInterface.GetAllNetworkInterfaces()
                    .SelectMany(i => i.GetIPProperties().UnicastAddresses)
                    .Select(u => u.Address)
                    .Where(a => a.AddressFamily == AddressFamily.InterNetwork)
                    .Distinct()
                    .ToArray();
            }
            catch (NetworkInformationException)
            {
                return new[] { IPAddress.Loopback };
            }
        }

        /// <summary>True for an address some interface has; the whole of 127.0.0.0/8 counts (Linux answers on all of it).</summary>
        public static bool IsLocal(IPAddress address) => IPAddress.IsLoopback(address) || IPv4().Contains(address);
    }
}
