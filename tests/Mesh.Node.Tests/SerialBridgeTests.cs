using System;
using System.Collections.Generic;
using System.Linq;
using Mesh.NodeApp.Bridge;
using Mesh.NodeApp.Hal;
using Mesh.Protocol.Serial;

namespace Mesh.Node.Tests
{
    public class SerialBridgeTests
    {
        private sealed class Line : ISerialLink
        {
            public List<byte> Bytes { get; } = new();

            public bool Write(byte[] data, int offset, int count)
            {
                Bytes.AddRange(data.Skip(offset).Take(count));
                return true;
            }
        }

        [Fact]
        public void A_frame_heard_on_air_goes_to_the_gateway_byte_for_byte_in_the_gateway_framing_with_its_rssi()
        {
            var line = new Line();
            var bridge = new SerialBridge(new RecordingRadio(), line, new RecordingLog());
            byte[] frame = { 0x01, 0x00, 0x2A, 0x00, 0x00, 0x07, 0xFF };
            bridge.OnRadioFrame(frame, 0, frame.Length, -71);

            var expected = new byte[SerialLayout.MaxEncodedSize];
            int n = SerialFrameEncoder.Encode(frame, 0, frame.Length, -71, expected, 0);
            Assert.Equal(expected.Take(n), line.Bytes);
            Assert.Equal(0x00, line.Bytes[0]);
            Assert.Equal(0x00, line.Bytes[^1]);
            Assert.DoesNotContain((byte)0x00, line.Bytes.Skip(1).Take(line.Bytes.Count - 2)); // COBS: no zero inside

            var decoder = new SerialFrameDecoder();
            byte[] wire = line.Bytes.ToArray();
            int used = decoder.Push(wire, 0, wire.Length);
            if (!decoder.FrameAvailable)
            {
                decoder.Push(wire, used, wire.Length - used);
            }

            Assert.True(decoder.FrameAvailable);
            Assert.Equal(frame, decoder.Frame.Take(decoder.FrameLength));
            Assert.Equal(-71, decoder.Rssi);
            Assert.Equal(1, bridge.FramesToGateway);
        }

        [Fact]
        public void Frames_from_the_gateway_are_transmitted_and_garbage_around_them_is_skipped_and_counted()
        {
            var radio = new RecordingRadio();
            var log = new RecordingLog();
            var bridge = new SerialBridge(radio, new Line(), log);
            byte[] first = { 0x10, 0x20, 0x00, 0x30 };
            byte[] second = { 0x55 };
            var wire = new List<byte> { 0x13, 0x37, 0x42 }; // line noise before the first delimiter
            var buffer = new byte[SerialLayout.MaxEncodedSize];
            wire.AddRange(buffer.Take(SerialFrameEncoder.Encode(first, 0, first.Length, buffer, 0)));
            int n = SerialFrameEncoder.Encode(second, 0, second.Length, buffer, 0);
            byte[] corrupted = buffer.Take(n).ToArray();
            corrupted[2] ^= 0x01; // a flipped bit: CRC mismatch
            wire.AddRange(corrupted);
            wire.AddRange(buffer.Take(n));

            byte[] bytes = wire.ToArray();
            // Delivered in awkward pieces, as a UART does.
            for (int i = 0; i < bytes.Length; i += 3)
            {
                bridge.OnSerialBytes(bytes, i, Math.Min(3, bytes.Length - i));
            }

            Assert.Equal(2, radio.Sent.Count);
            Assert.Equal(first, radio.Sent[0]);
            Assert.Equal(second, radio.Sent[1]);
            Assert.True(bridge.Decoder.RejectedFor(SerialRejectReason.CrcMismatch) >= 1);
            Assert.Contains("malformed serial frame", log.All);
        }
    }
}
