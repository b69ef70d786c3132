using System;
using System.Collections.Concurrent;
using System.Diagnostics;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Protocol.Desktop.Transport;
using Mesh.Protocol.Wire;
using Mesh.Simulator.Engine;

namespace Mesh.Simulator.Realtime
{
    /// <summary>
    /// Runs a simulation against the wall clock and joins it to the LAN mesh: one simulated node — by
    /// default the sink — is replaced by whatever is on the UDP multicast group (a gateway, a desktop
    /// node, a board in WiFi mode). What that node's radio hears in the simulation goes out as datagrams;
    /// datagrams from the LAN are transmitted into the simulation from that node's position.
    /// </summary>
    public sealed class RealtimeBridge
    {
        private readonly Simulation _simulation;
        private readonly UdpMeshTransport _transport;
        private readonly int _externalNode;
        private readonly double _speed;
        private readonly ConcurrentQueue<byte[]> _fromLan = new();
        private long _framesToLan;
        private long _framesFromLan;
        private long _framesRejected;

        public RealtimeBridge(Simulation simulation, UdpMeshTransport transport, int externalNode, double speed = 1.0)
        {
            if (externalNode < 0 || externalNode >= simulation.Nodes.Count)
            {
                throw new ArgumentOutOfRangeException(nameof(externalNode), $"node index {externalNode} is not in the simulation");
            }

            if (speed <= 0)
            {
                throw new ArgumentOutOfRangeException(nameof(speed), "speed must be positive");
            }

            _simulation = simulation;
            _transport = transport;
            _externalNode = externalNode;
            _speed = speed;
            simulation.MakeExternal(externalNode);
            simulation.ExternalHeard = (node, bytes, length) =>
            {
                // Counted before sending: a listener may hear the datagram before Send returns.
                Interlocked.Increment(ref _framesToLan);
                transport.Send(bytes, 0, length);
            };
        }

        public long FramesToLan => Interlocked.Read(ref _framesToLan);

        public long FramesFromLan => Interlocked.Read(ref _framesFromLan);

        /// <summary>Datagrams that could not be mesh frames (wrong size) and were not injected.</summary>
        public long FramesRejected => Interlocked.Read(ref _framesRejected);

        /// <summary>Runs until <paramref name="cancellationToken"/> fires or the simulated duration ends.</summary>
        public async Task RunAsync(long endUs, CancellationToken cancellationToken)
        {
            using var stop = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
            Task receiving = ReceiveLoopAsync(stop.Token);
            var clock = Stopwatch.StartNew();
            try
            {
                while (!cancellationToken.IsCancellationRequested)
                {
                    long targetUs = (long)(clock.Elapsed.TotalMilliseconds * 1000 * _speed);
                    if (targetUs > endUs)
                    {
                        targetUs = endUs;
                    }

                    while (_fromLan.TryDequeue(out byte[]? frame))
                    {
                        _simulation.RunUntil(targetUs);

                        // One radio: a frame waits until the node's previous one has left the air, or
                        // frames arriving together from the LAN would all collide with each other.
                        long radioFree = _simulation.Nodes[_externalNode].TransmittingUntilUs;
                        if (radioFree > _simulation.NowUs)
                        {
                            _simulation.RunUntil(radioFree);
                        }

                        _simulation.Inject(_externalNode, frame, frame.Length);
                    }

                    _simulation.RunUntil(targetUs);
                    if (targetUs >= endUs)
                    {
                        break;
                    }

                    await Task.Delay(2, cancellationToken).ConfigureAwait(false);
                }
            }
            catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
            {
                // Ctrl+C or the host stopping: a normal end.
            }
            finally
            {
                stop.Cancel();
                try
                {
                    await receiving.ConfigureAwait(false);
                }
                catch (OperationCanceledException)
                {
                }
            }
        }

        private async Task ReceiveLoopAsync(CancellationToken cancellationToken)
        {
            var buffer = new byte[FrameLayout.MaxFrameSize + 1];
            while (!cancellationToken.IsCancellationRequested)
            {
                int n = await _transport.ReceiveAsync(buffer, cancellationToken).ConfigureAwait(false);
                if (n < FrameLayout.MinFrameSize || n > FrameLayout.MaxFrameSize)
                {
                    Interlocked.Increment(ref _framesRejected);
                    continue;
                }

                var frame = new byte[n];
                Array.Copy(buffer, frame, n);
                _fromLan.Enqueue(frame);
                Interlocked.Increment(ref _framesFromLan);
            }
        }
    }
}
