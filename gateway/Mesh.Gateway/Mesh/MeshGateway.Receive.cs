using System;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Mesh.Gateway.Hosting;
using Microsoft.Extensions.Logging;

namespace Mesh.Gateway.Mesh
{
    /// <summary>
    /// Receiving: transports' frames into the mesh loop's inbox, by an asynchronous pump or a blocking
    /// receive thread per transport, and frames injected in-process.
    /// </summary>
    public sealed partial class MeshGateway
    {
        /// <summary>Hands a frame to the loop as if a transport had received it (tests, in-process bridges).</summary>
        public async ValueTask InjectAsync(string transport, byte[] frame, int length, int rssi, CancellationToken cancellationToken)
        {
            await _inbox.Writer.WriteAsync(new FrameIn(transport, frame, length, rssi), cancellationToken).ConfigureAwait(false);
            _wake.Set();
        }

        private async Task PumpAsync(IFrameTransport transport, CancellationToken cancellationToken)
        {
            while (!cancellationToken.IsCancellationRequested)
            {
                ReceivedFrame f;
                try
                {
                    f = await transport.ReceiveAsync(cancellationToken).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
                {
                    return;
                }
                catch (Exception ex)
                {
                    // A transport hiccup (serial unplugged, socket error) must not stop the others.
                    _logger.LogWarning(ex, "transport {Transport}: receive failed; retrying in 1 s", transport.Name);
                    await Task.Delay(1000, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                _framesIn.AddOrUpdate(transport.Name, 1, (_, v) => v + 1);
                await _inbox.Writer.WriteAsync(new FrameIn(transport.Name, f.Frame, f.Length, f.Rssi), cancellationToken).ConfigureAwait(false);
                _wake.Set();
            }
        }

        /// <summary>
        /// Reads a transport with blocking calls on a thread of its own (see <see cref="IBlockingFrameReceiver"/>)
        /// and hands each frame to the inbox; completes when the thread ends (cancellation).
        /// </summary>
        private Task ReceiveOnThread(IFrameTransport transport, IBlockingFrameReceiver receiver, CancellationToken cancellationToken) =>
            DedicatedThread.Start("mesh " + transport.Name + " receive", () => ReceiveLoop(transport, receiver, cancellationToken));

        private void ReceiveLoop(IFrameTransport transport, IBlockingFrameReceiver receiver, CancellationToken cancellationToken)
        {
            // Wakes at least every 250 ms to notice cancellation (a blocking receive does not watch the token).
            TimeSpan wait = TimeSpan.FromMilliseconds(250);
            ChannelWriter<object> inbox = _inbox.Writer;
            while (!cancellationToken.IsCancellationRequested)
            {
                ReceivedFrame f;
                try
                {
                    if (!receiver.TryReceive(wait, out f))
                    {
                        continue;
                    }
                }
                catch (Exception) when (cancellationToken.IsCancellationRequested)
                {
                    return; // the transport was closed at shutdown
                }
                catch (Exception ex)
                {
                    // A transport hiccup (socket error) must not stop the others.
                    _logger.LogWarning(ex, "transport {Transport}: receive failed; retrying in 1 s", transport.Name);
                    cancellationToken.WaitHandle.WaitOne(1000);
                    continue;
                }

                _framesIn.AddOrUpdate(transport.Name, 1, (_, v) => v + 1);
                var item = new FrameIn(transport.Name, f.Frame, f.Length, f.Rssi);
                if (!inbox.TryWrite(item))
                {
                    try
                    {
                        // Inbox full: this thread waits (as the asynchronous pump did); the kernel's socket buffer queues meanwhile.
                        inbox.WriteAsync(item, cancellationToken).AsTask().GetAwaiter().GetResult();
                    }
                    catch (Exception ex) when (ex is OperationCanceledException or ChannelClosedException)
                    {
                        return;
                    }
                }

                _wake.Set();
            }
        }
    }
}
