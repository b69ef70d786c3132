using System;
using System.Net.Sockets;
using System.Threading;
using System.Threading.Tasks;
using Mesh.NodeApp.Hal;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Wire;

namespace Mesh.Node.Desktop.Hardware
{
    /// <summary>The LAN mesh (UDP multicast) as mesh-node's radio: what boards in WiFi mode, the gateway and the simulator speak.</summary>
    internal sealed class UdpRadio : IRadio, IDisposable
    {
        private readonly UdpMeshTransport _transport;
        private readonly CancellationTokenSource _stop = new();
        private Task? _receiver;

        public UdpRadio(UdpMeshOptions options)
        {
            _transport = new UdpMeshTransport(options);
        }

        public string Name => "udp " + _transport.Options.Group + ":" + _transport.Options.Port;

        public UdpMeshTransport Transport => _transport;

        /// <summary>Starts handing received frames to <paramref name="onFrame"/> (frame, length, nominal RSSI).</summary>
        public void Start(Func<byte[], int, int, bool> onFrame, Action<string> onError)
        {
            _receiver = Task.Run(async () =>
            {
                var buffer = new byte[FrameLayout.MaxFrameSize + 1];
                while (!_stop.IsCancellationRequested)
                {
                    try
                    {
                        int n = await _transport.ReceiveAsync(buffer, _stop.Token).ConfigureAwait(false);
                        if (n > 0 && n <= FrameLayout.MaxFrameSize)
                        {
                            onFrame(buffer, n, _transport.Options.NominalRssi);
                        }
                    }
                    catch (OperationCanceledException)
                    {
                        return;
                    }
                    catch (Exception ex) when (ex is SocketException or ObjectDisposedException)
                    {
                        if (_stop.IsCancellationRequested)
                        {
                            return;
                        }

                        onError("udp receive failed: " + ex.Message);
                        await Task.Delay(200).ConfigureAwait(false);
                    }
                }
            });
        }

        public bool Transmit(byte[] frame, int offset, int length)
        {
            try
            {
                _transport.Send(frame, offset, length);
                return true;
            }
            catch (SocketException)
            {
                return false;
            }
        }

        public void Dispose()
        {
            _stop.Cancel();
            _transport.Dispose();
            try
            {
                _receiver?.Wait(TimeSpan.FromSeconds(2));
            }
            catch (AggregateException)
            {
            }

            _stop.Dispose();
        }
    }
}
