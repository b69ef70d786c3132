using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>Loopback ports for one test, unique per process and call, outside the OS's ephemeral range.</summary>
    public static class Ports
    {
        // Above Linux's ephemeral range (32768–60999, net.ipv4.ip_local_port_range): a socket bound to port 0
        // anywhere on the machine took a port of the old 41,000 range once ("Address already in use" at a
        // sensor's bind). 61,000 + 16 × (pid mod 280) leaves each process 16 ports before the next process's.
        private const int First = 61_000;
        private static int s_udp = First + (Environment.ProcessId % 280) * 16;

        // Below the ephemeral range too: a port the OS handed out for a listener on port 0 and that was then
        // closed went back to the ephemeral pool, and an outgoing connection took it before the gateway bound
        // it ("address already in use" at Kestrel's and the broker's binds, twice in one full run). Ports here
        // are never handed out by the OS; 10,000 + 550 × (pid mod 40) gives each process 550 of them.
        private const int FirstTcp = 10_000;
        private static int s_tcp = FirstTcp + (Environment.ProcessId % 40) * 550;

        /// <summary>A loopback TCP port no other test in this process uses and nothing on the machine holds now.</summary>
        public static int FreeTcp()
        {
            while (true)
            {
                int port = Interlocked.Increment(ref s_tcp);
                if (port >= 32_000)
                {
                    Interlocked.CompareExchange(ref s_tcp, FirstTcp, port);
                    continue;
                }

                try
                {
                    var l = new TcpListener(IPAddress.Loopback, port);
                    l.Start();
                    l.Stop();
                    return port;
                }
                catch (SocketException)
                {
                    // held by another socket: try the next
                }
            }
        }

        /// <summary>
        /// A multicast port no other test in this process uses (tests run in parallel; TTL 0 keeps it on this
        /// host), skipping any port something on the machine already holds.
        /// </summary>
        public static int UniqueUdp()
        {
            while (true)
            {
                int port = Interlocked.Increment(ref s_udp);
                if (port > 65_535)
                {
                    Interlocked.CompareExchange(ref s_udp, First, port);
                    continue;
                }

                try
                {
                    using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
                    probe.Bind(new IPEndPoint(IPAddress.Any, port));
                    return port;
                }
                catch (SocketException)
                {
                    // held by another socket: try the next
                }
            }
        }
    }
}
