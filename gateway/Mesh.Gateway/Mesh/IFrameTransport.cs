using System;
using System.Threading;
using System.Threading.Tasks;

namespace Mesh.Gateway.Mesh
{
    /// <summary>A frame that arrived on a transport, with the signal strength if the transport knows it.</summary>
    public readonly record struct ReceivedFrame(byte[] Frame, int Length, int Rssi);

    /// <summary>
    /// A way into the mesh: UDP multicast on the LAN, or USB serial to a bridge board. Transports move
    /// whole frames and know nothing of the protocol; the gateway's <see cref="MeshGateway"/> does the rest.
    /// </summary>
    public interface IFrameTransport : IAsyncDisposable
    {
        string Name { get; }

        /// <summary>
        /// True when every endpoint on the transport hears every frame sent on it (a UDP multicast group):
        /// the gateway then does not relay a frame back onto the transport it was heard on.
        /// </summary>
        bool IsSharedMedium => false;

        ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken);

        /// <summary>Waits for the next frame. Throws OperationCanceledException when cancelled.</summary>
        ValueTask<ReceivedFrame> ReceiveAsync(CancellationToken cancellationToken);
    }
}
