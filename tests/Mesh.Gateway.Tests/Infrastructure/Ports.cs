using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>Loopback ports for one test: TCP from the OS, UDP mesh ports unique per process and call.</summary>
    public static class Ports
    {
        private static int s_udp = 41_000 + (Environment.ProcessId % 1000) * 16;

        public static int FreeTcp()
        {
            var l = new TcpListener(IPAddress.Loopback, 0);
            l.Start();
            int port = ((IPEndPoint)l.LocalEndpoint).Port;
            l.Stop();
            return port;
        }

        /// <summary>A multicast port no other test in this process uses (tests run in parallel; TTL 0 keeps it on this host).</summary>
        public static int UniqueUdp() => Interlocked.Increment(ref s_udp);
    }
}
