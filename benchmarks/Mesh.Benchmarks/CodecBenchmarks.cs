using BenchmarkDotNet.Attributes;
using Mesh.Protocol;
using Mesh.Protocol.Messages;
using Mesh.Protocol.Node;
using Mesh.Protocol.Security;
using Mesh.Protocol.Wire;

namespace Mesh.Benchmarks
{
    /// <summary>The per-frame building blocks: encode and seal, decode, decode and verify, and the duplicate path.</summary>
    [MemoryDiagnoser]
    public class CodecBenchmarks
    {
        private readonly FrameHeader _header = new();
        private readonly FrameHeader _decoded = new();
        private readonly ReadingSet _readings = new();
        private readonly byte[] _buffer = new byte[FrameLayout.MaxFrameSize];
        private readonly byte[] _transmit = new byte[FrameLayout.MaxFrameSize];
        private readonly PayloadSealer _payloadSealer = new();
        private readonly NetworkSealer _netSealer = new();
        private NetworkKey _key = null!;
        private DeviceKey _deviceKey = null!;
        private MeshNode _relay = null!;
        private MeshNode _sensor = null!;
        private byte[] _frame = null!;

        [GlobalSetup]
        public void Setup()
        {
            NetworkKey key = FrameSource.CreateKey();
            _key = key;
            _deviceKey = FrameSource.DeviceKeys.KeyOf(FrameSource.FirstOriginId);
            FrameSource.FillReadings(_readings, 0);
            _header.Flags = FrameFlags.DeviceSealed;
            _header.Time = FrameSource.Epoch;
            _header.Type = MessageType.Readings;
            _header.Network = FrameSource.Network;
            _header.Origin = FrameSource.FirstOriginId;
            _header.Destination = NodeAddress.Gateways;
            _header.HopLimit = 8;
            _header.PreviousHop = FrameSource.FirstOriginId;

            _frame = FrameSource.DistinctFrames(key, 1, 1)[0];

            // A relay that has already taken and relayed _frame: every further copy is a duplicate.
            _relay = new MeshNode(FrameSource.Config(FrameSource.ReceiverId, NodeRole.Relay), key, new XorShiftRandom(5), 0);
            FrameSource.Expect(_relay.Receive(_frame, 0, _frame.Length, -60, 0) == RejectReason.None, "relay rejected the frame");
            FrameSource.Expect(_relay.TryTakeTransmit(1000, _transmit, 0, out _), "relay did not relay");

            _sensor = new MeshNode(FrameSource.Config(FrameSource.FirstOriginId + 99, NodeRole.Sensor), key, new XorShiftRandom(6), 0);
        }

        /// <summary>Builds one readings frame (4 readings): header, payload, SIV sealing under the device key (HMAC + AES-CTR), network MIC (HMAC).</summary>
        [Benchmark]
        public int EncodeAndSeal()
        {
            FrameHeader h = _header;
            h.Sequence++;
            int n = _readings.Encode(_buffer, FrameLayout.HeaderSize, FrameLayout.MaxPayloadSize);
            h.PayloadLength = n;
            FrameCodec.WriteHeader(h, _buffer, 0);
            _payloadSealer.Seal(_deviceKey.Sealing, h, _buffer, 0);
            _netSealer.Seal(_key, _buffer, 0, h.FrameLength);
            return h.FrameLength;
        }

        /// <summary>The same through the node: SendReadings, then the driver takes the frame off the transmit queue.</summary>
        [Benchmark]
        public int OriginateReadings()
        {
            _sensor.SendReadings(_readings, 0);
            _sensor.TryTakeTransmit(0, _transmit, 0, out int length);
            return length;
        }

        [Benchmark]
        public RejectReason DecodeHeader()
        {
            return FrameCodec.TryDecode(_frame, 0, _frame.Length, _decoded);
        }

        /// <summary>Header decode plus network MIC check (HMAC-SHA256 over the whole frame): what every relay does per hop.</summary>
        [Benchmark]
        public bool DecodeAndVerify()
        {
            return FrameCodec.TryDecode(_frame, 0, _frame.Length, _decoded) == RejectReason.None
                && _netSealer.Verify(_key, _frame, 0, _frame.Length);
        }

        /// <summary>A relay hears again a frame it already handled: rejected by the duplicate cache, before any crypto (a copy that cannot shorten a route nor cancel a relay is not verified).</summary>
        [Benchmark]
        public RejectReason ReceiveDuplicate()
        {
            return _relay.Receive(_frame, 0, _frame.Length, -60, 1);
        }
    }
}
