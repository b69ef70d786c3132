using System;
using BenchmarkDotNet.Attributes;
using Mesh.Protocol;
using Mesh.Protocol.Forwarding;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Benchmarks
{
    /// <summary>
    /// The whole per-frame job of a node, for each forwarding policy: decode, MIC, replay window,
    /// duplicate cache, neighbour and route learning, the policy's decision, queueing the relay, and
    /// the driver taking it off the transmit queue (and, for a bridge, decrypting and delivering the
    /// payload as an event the driver takes).
    /// Every operation receives a frame the node has never seen: each iteration starts from a fresh
    /// node (IterationSetup, outside the measurement) and consumes exactly FramesPerIteration
    /// pre-generated distinct frames once each; IterationCleanup throws if any frame was rejected, so
    /// the duplicate path can never be measured here by mistake.
    /// </summary>
    [MemoryDiagnoser]
    [InvocationCount(FramesPerIteration, 1)]
    public class ReceiveBenchmarks
    {
        public const int FramesPerIteration = 262_144;
        private const int Origins = 16;
        private const int StepMs = 100; // longer than any contention delay: every relay is due at the next step

        private readonly byte[] _transmit = new byte[FrameLayout.MaxFrameSize];
        private readonly MeshEvent _event = new();
        private NetworkKey _key = null!;
        private byte[][] _frames = null!;
        private int[] _rssi = null!;
        private MeshNode _relay = null!;
        private MeshNode _bridge = null!;
        private int _next;
        private long _now;

        [Params(PolicyKind.Flooding, PolicyKind.Gossip, PolicyKind.ManagedFlooding)]
        public PolicyKind Policy { get; set; }

        [GlobalSetup]
        public void Setup()
        {
            _key = FrameSource.CreateKey();
            _frames = FrameSource.DistinctFrames(_key, FramesPerIteration, Origins, StepMs);
            _rssi = FrameSource.Rssi(FramesPerIteration);
        }

        [GlobalCleanup]
        public void Cleanup()
        {
            _frames = null!;
            _relay = null!;
            _bridge = null!;
        }

        [IterationSetup]
        public void FreshNodes()
        {
            PolicySettings settings = FrameSource.Settings(Policy);
            _relay = new MeshNode(
                WithPolicy(FrameSource.Config(FrameSource.ReceiverId, NodeRole.Relay), settings),
                _key,
                new XorShiftRandom(77),
                0);
            _bridge = new MeshNode(
                WithPolicy(FrameSource.Config(FrameSource.ReceiverId, NodeRole.Bridge), settings),
                _key,
                new XorShiftRandom(78),
                0);
            _next = 0;
            _now = 0;
        }

        [IterationCleanup]
        public void Check()
        {
            CheckNode(_relay);
            CheckNode(_bridge);
        }

        /// <summary>A relay takes a fresh frame, decides whether and when to rebroadcast, and the driver sends it.</summary>
        [Benchmark]
        public int ReceiveAndDecide()
        {
            byte[] frame = _frames[_next];
            RejectReason reason = _relay.Receive(frame, 0, frame.Length, _rssi[_next], _now);
            _next++;
            _now += StepMs;
            int sent = 0;
            while (_relay.TryTakeTransmit(_now, _transmit, 0, out _))
            {
                sent++;
            }

            return (int)reason + sent;
        }

        /// <summary>A bridge takes a fresh frame, decrypts and delivers it (the driver takes the event) and relays it.</summary>
        [Benchmark]
        public int ReceiveAndDeliver()
        {
            byte[] frame = _frames[_next];
            RejectReason reason = _bridge.Receive(frame, 0, frame.Length, _rssi[_next], _now);
            _next++;
            _now += StepMs;
            int taken = 0;
            while (_bridge.TryTakeEvent(_event))
            {
                taken += _event.PayloadLength;
            }

            while (_bridge.TryTakeTransmit(_now, _transmit, 0, out _))
            {
                taken++;
            }

            return (int)reason + taken;
        }

        private static NodeConfig WithPolicy(NodeConfig config, PolicySettings settings)
        {
            config.Policy = settings;
            return config;
        }

        private static void CheckNode(MeshNode node)
        {
            NodeCounters c = node.Counters;
            if (c.RejectedTotal != 0 || c.FramesAccepted != c.FramesReceived || c.RelaysDroppedQueueFull != 0 || c.ThrottledFrames != 0)
            {
                throw new InvalidOperationException(
                    $"benchmark measured the wrong path: received {c.FramesReceived}, accepted {c.FramesAccepted}, "
                    + $"rejected {c.RejectedTotal}, relays dropped {c.RelaysDroppedQueueFull}, throttled {c.ThrottledFrames}");
            }
        }
    }
}
