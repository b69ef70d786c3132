using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Protocol.Wire;

namespace Mesh.Protocol.Desktop.Transport
{
    /// <summary>
    /// The LAN mesh over UDP multicast. One socket listens on the group; a second, on an ephemeral
    /// port, sends — so this endpoint can recognise (and skip) its own datagrams looped back by the
    /// kernel, while other processes on the same machine still hear them.
    /// </summary>
    public sealed class UdpMeshTransport : IDisposable
    {
        private readonly UdpMeshOptions _options;
        private readonly Socket _receiver;
        private readonly Socket _sender;
        private readonly IPEndPoint _groupEndPoint;
        private readonly IPEndPoint _ownEndPoint;

        public UdpMeshTransport(UdpMeshOptions options)
        {
            string? problem = options.Validate();
            if (problem != null)
            {
                throw new ArgumentException("UDP mesh transport: " + problem);
            }

            _options = options;
            _groupEndPoint = new IPEndPoint(options.Group, options.Port);

            _receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _receiver.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
            // A gateway hears every node at once; a deep kernel queue absorbs bursts instead of dropping
            // them (the kernel caps this at net.core.rmem_max).
            _receiver.ReceiveBufferSize = 4 * 1024 * 1024;
            _receiver.Bind(new IPEndPoint(IPAddress.Any, options.Port));
            _receiver.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(options.Group, options.Interface));

            _sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _sender.Bind(new IPEndPoint(options.Interface, 0));
            _sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, options.Interface.GetAddressBytes());
            _sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, options.TimeToLive);
            _sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
            _ownEndPoint = (IPEndPoint)_sender.LocalEndPoint!;
        }

        public UdpMeshOptions Options => _options;

        /// <summary>The address other endpoints see our datagrams come from.</summary>
        public IPEndPoint LocalEndPoint => _ownEndPoint;

        public long DatagramsSent { get; private set; }
        public long DatagramsReceived { get; private set; }

        public void Send(byte[] frame, int offset, int length)
        {
            if (length > FrameLayout.MaxFrameSize)
            {
                throw new ArgumentException($"a mesh frame is at most {FrameLayout.MaxFrameSize} bytes, not {length}");
            }

            _sender.SendTo(frame, offset, length, SocketFlags.None, _groupEndPoint);
            DatagramsSent++;
        }

        /// <summary>
        /// Waits for the next datagram from another endpoint and copies it into <paramref name="buffer"/>
        /// (at least 251 bytes, so an oversize datagram shows up as too long rather than truncated).
        /// </summary>
        public async ValueTask<int> ReceiveAsync(byte[] buffer, CancellationToken cancellationToken)
        {
            var any = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                SocketReceiveFromResult r = await _receiver.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                if (r.RemoteEndPoint is IPEndPoint from && from.Equals(_ownEndPoint))
                {
                    continue; // our own datagram, looped back
                }

                DatagramsReceived++;
                return r.ReceivedBytes;
            }
        }

        public void Dispose()
        {
            _receiver.Dispose();
            _sender.Dispose();
        }
    }
}
