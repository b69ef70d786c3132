using System;
using System.Net;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// The LAN mesh (UDP multicast; one datagram, one frame) as a gateway transport. Unlike the desktop
    /// nodes' transport, whose receiving socket listens on 0.0.0.0, the gateway's listens on exactly the
    /// group (Linux, macOS: a socket bound to the group address receives that group's datagrams and no
    /// unicast at all) or on the configured interface (Windows, which cannot bind a multicast address),
    /// joined on <c>Udp:Interface</c> only. A datagram sent to any other address of the machine is not
    /// heard. Its own datagrams, looped back by the kernel, are recognised by the sending socket's
    /// address and skipped.
    /// </summary>
    public sealed class UdpFrameTransport : IFrameTransport, IBlockingFrameReceiver
    {
        private readonly UdpMeshOptions _options;
        private readonly Socket _receiver;
        private readonly Socket _sender;
        private readonly IPEndPoint _group;
        private readonly IPEndPoint _own;
        private readonly SocketAddress _from = new(AddressFamily.InterNetwork);
        private int _receiveTimeoutMs = -1;
        private readonly byte[] _blockingBuffer = new byte[FrameLayout.MaxFrameSize + 1]; // one more: an oversize datagram shows as too long, not truncated

        /// <exception cref="SocketException">The interface is not an address of this machine, or the port is taken exclusively.</exception>
        /// <param name="relay">Relay frames heard on the group back onto it: only for a group that stands in for a radio (the demo's simulator bridge).</param>
        public UdpFrameTransport(UdpMeshOptions options, bool relay = false)
        {
            IsSharedMedium = !relay;
            _options = options;
            _group = new IPEndPoint(options.Group, options.Port);
            _receiver = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            _sender = new Socket(AddressFamily.InterNetwork, SocketType.Dgram, ProtocolType.Udp);
            try
            {
                _receiver.SetSocketOption(SocketOptionLevel.Socket, SocketOptionName.ReuseAddress, true);
                // A gateway hears every node at once; a deep kernel queue absorbs bursts (capped at net.core.rmem_max).
                _receiver.ReceiveBufferSize = 4 * 1024 * 1024;
                _receiver.Bind(new IPEndPoint(OperatingSystem.IsWindows() ? options.Interface : options.Group, options.Port));
                _receiver.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.AddMembership, new MulticastOption(options.Group, options.Interface));

                _sender.Bind(new IPEndPoint(options.Interface, 0));
                _sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastInterface, options.Interface.GetAddressBytes());
                _sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastTimeToLive, options.TimeToLive);
                _sender.SetSocketOption(SocketOptionLevel.IP, SocketOptionName.MulticastLoopback, true);
                _own = (IPEndPoint)_sender.LocalEndPoint!;
            }
            catch
            {
                _receiver.Dispose();
                _sender.Dispose();
                throw;
            }
        }

        public string Name => "udp";

        /// <summary>Where the gateway's datagrams come from (other endpoints see this address).</summary>
        public IPEndPoint LocalEndPoint => _own;

        /// <summary>The address and port the receiving socket is bound to.</summary>
        public IPEndPoint ListeningEndPoint => (IPEndPoint)_receiver.LocalEndPoint!;

        /// <summary>Every member of the group hears every datagram: relaying a frame back onto it reaches no one new.</summary>
        public bool IsSharedMedium { get; }

        public ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
        {
            // Multicast sends do not block on a peer; a synchronous send is the cheapest path.
            _sender.SendTo(frame.Span, SocketFlags.None, _group);
            return ValueTask.CompletedTask;
        }

        public async ValueTask<ReceivedFrame> ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[FrameLayout.MaxFrameSize + 1]; // one more: an oversize datagram shows as too long, not truncated
            var any = new IPEndPoint(IPAddress.Any, 0);
            while (true)
            {
                SocketReceiveFromResult r = await _receiver.ReceiveFromAsync(buffer, SocketFlags.None, any, cancellationToken).ConfigureAwait(false);
                if (r.RemoteEndPoint is IPEndPoint from && from.Equals(_own))
                {
                    continue; // our own datagram, looped back
                }

                return new ReceivedFrame(buffer, r.ReceivedBytes, _options.NominalRssi);
            }
        }

        public bool TryReceive(TimeSpan wait, out ReceivedFrame frame)
        {
            int timeoutMs = Math.Max(1, (int)wait.TotalMilliseconds);
            if (timeoutMs != _receiveTimeoutMs)
            {
                _receiver.ReceiveTimeout = timeoutMs;
                _receiveTimeoutMs = timeoutMs;
            }

            byte[] buffer = _blockingBuffer;
            while (true)
            {
                int n;
                try
                {
                    // The SocketAddress overload: no IPEndPoint allocated per datagram.
                    n = _receiver.ReceiveFrom(buffer, SocketFlags.None, _from);
                }
                catch (SocketException ex) when (ex.SocketErrorCode is SocketError.TimedOut or SocketError.WouldBlock)
                {
                    frame = default;
                    return false;
                }
                catch (SocketException ex) when (ex.SocketErrorCode == SocketError.MessageSize)
                {
                    // Windows reports a datagram larger than the buffer as an error (Linux truncates it): either way it
                    // becomes a frame one byte too long, refused as such, and reception goes on.
                    n = buffer.Length;
                }

                if (IsOwn(_from))
                {
                    continue; // our own datagram, looped back
                }

                // The frame gets an array of its own length (the inbox holds it until the mesh loop is done with it).
                frame = new ReceivedFrame(buffer.AsSpan(0, n).ToArray(), n, _options.NominalRssi);
                return true;
            }
        }

        private bool IsOwn(SocketAddress from)
        {
            if (from.Family != AddressFamily.InterNetwork)
            {
                return false;
            }

            // sockaddr_in: port (bytes 2-3, network order) and IPv4 address (bytes 4-7).
            Span<byte> own = stackalloc byte[4];
            _own.Address.TryWriteBytes(own, out _);
            return from[2] == (byte)(_own.Port >> 8) && from[3] == (byte)_own.Port
                && from[4] == own[0] && from[5] == own[1] && from[6] == own[2] && from[7] == own[3];
        }

        public ValueTask DisposeAsync()
        {
            _receiver.Dispose();
            _sender.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
