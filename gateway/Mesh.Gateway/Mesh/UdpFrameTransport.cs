using System;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Wire;

namespace Mesh.Gateway.Mesh
{
    /// <summary>The LAN mesh (UDP multicast; one datagram, one frame) as a gateway transport.</summary>
    public sealed class UdpFrameTransport : IFrameTransport
    {
        private readonly UdpMeshTransport _udp;

        public UdpFrameTransport(UdpMeshOptions options)
        {
            _udp = new UdpMeshTransport(options);
        }

        public string Name => "udp";

        public UdpMeshTransport Socket => _udp;

        public ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
        {
            // Multicast sends do not block on a peer; a synchronous send is the cheapest path.
            byte[] copy = frame.ToArray();
            _udp.Send(copy, 0, copy.Length);
            return ValueTask.CompletedTask;
        }

        public async ValueTask<ReceivedFrame> ReceiveAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[FrameLayout.MaxFrameSize + 1];
            int n = await _udp.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
            return new ReceivedFrame(buffer, n, _udp.Options.NominalRssi);
        }

        public ValueTask DisposeAsync()
        {
            _udp.Dispose();
            return ValueTask.CompletedTask;
        }
    }
}
