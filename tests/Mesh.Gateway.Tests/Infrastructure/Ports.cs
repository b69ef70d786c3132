using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;

namespace Mesh.Gateway.Tests.Infrastructure
{
    /// <summary>Loopback ports for one test, unique per process and call, outside the OS's ephemeral range.</summary>
    public static class Ports
    {
        // Below Linux's ephemeral range (32768–60999, net.ipv4.ip_local_port_range): a port the OS handed out
        // for a listener on port 0 and that was then closed went back to the ephemeral pool, and an outgoing
        // connection took it before the gateway bound it ("address already in use" at Kestrel's and the
        // broker's binds, twice in one full run). 10,000 + 550 × (pid mod 40) gives each process 550 of them.
        private static readonly Range Tcp = new(10_000, 32_000, 550, 40);

        // Above the ephemeral range: a socket bound to port 0 anywhere on the machine took a port of the old
        // 41,000 range once ("Address already in use" at a sensor's bind). 61,000 + 16 × (pid mod 280).
        private static readonly Range Udp = new(61_000, 65_536, 16, 280);

        /// <summary>A loopback TCP port no other test in this process uses and nothing on the machine holds now.</summary>
        public static int FreeTcp() => Tcp.Next(port =>
        {
            var l = new TcpListener(IPAddress.Loopback, port);
            l.Start();
            l.Stop();
        });

        /// <summary>
        /// A multicast port no other test in this process uses (tests run in parallel; TTL 0 keeps it on this
        /// host), skipping any port something on the machine already holds.
        /// </summary>
        public static int UniqueUdp() => Udp.Next(port =>
        {
            using var probe = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            probe.Bind(new IPEndPoint(IPAddress.Any, port));
        });

        /// <summary>Ports [first, end), handed out in turn from a per-process start, wrapping at the end.</summary>
        private sealed class Range
        {
            private readonly int _first;
            private readonly int _end;
            private int _last;

            public Range(int first, int end, int perProcess, int processes)
            {
                _first = first;
                _end = end;
                _last = first + (Environment.ProcessId % processes) * perProcess;
            }

            /// <summary>The next port that <paramref name="bind"/> can bind (it throws SocketException when something holds it).</summary>
            public int Next(Action<int> bind)
            {
                while (true)
                {
                    int port = Interlocked.Increment(ref _last);
                    if (port >= _end)
                    {
                        Interlocked.CompareExchange(ref _last, _first, port);
                        continue;
                    }

                    try
                    {
                        bind(port);
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
}
