using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>Loopback ports for one test: TCP from the OS, UDP mesh ports unique per process and call.</summary>
    public static class Ports
    {
        // Above Linux's ephemeral range (32768–60999, net.ipv4.ip_local_port_range): a socket bound to port 0
        // anywhere on the machine took a port of the old 41,000 range once ("Address already in use" at a
        // sensor's bind). 61,000 + 16 × (pid mod 280) leaves each process 16 ports before the next process's.
        private const int First = 61_000;
        private static int s_udp = First + (Environment.ProcessId % 280) * 16;

        public static int FreeTcp()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
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
