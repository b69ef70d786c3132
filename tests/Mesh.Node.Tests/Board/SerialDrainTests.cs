using System;
using System.Collections.Generic;
using Mesh.NodeApp.Bridge;
using Mesh.NodeApp.Hal;
using Mesh.Protocol.Serial;

namespace Mesh.Node.Tests.Board
{
    /// <summary>
    /// The bridge's UART read (UartLink → SerialDrain): a frame shorter than the read buffer must reach the
    /// radio as soon as its bytes are buffered. The fake UART models nanoFramework's ESP32 SerialPort.Read,
    /// which waits until the requested count has arrived: asking for more than is buffered fails the test.
    /// </summary>
    public class SerialDrainTests
    {
        private sealed class Esp32Uart : ISerialSource
        {
            private readonly Queue<byte> _buffered = new();

            public int Reads { get; private set; }

            public void Arrive(byte[] data, int count)
            {
                for (int i = 0; i < count; i++)
                {
                    _buffered.Enqueue(data[i]);
                }
            }

            public int BytesToRead => _buffered.Count;

            public int Read(byte[] buffer, int offset, int count)
            {
                Reads++;
                if (count > _buffered.Count)
                {
                    throw new InvalidOperationException("Read(" + count + ") with " + _buffered.Count + " buffered: on ESP32 this blocks until more bytes come");
                }

                for (int i = 0; i < count; i++)
                {
                    buffer[offset + i] = _buffered.Dequeue();
                }

                return count;
            }
        }

        private sealed class NoLine : ISerialLink
        {
            public bool Write(byte[] data, int offset, int count) => true;
        }

        private static byte[] Encoded(byte[] frame, out int length)
        {
            var wire = new byte[SerialLayout.MaxEncodedSize];
            length = SerialFrameEncoder.Encode(frame, 0, frame.Length, wire, 0);
            return wire;
        }

        [Fact]
        public void A_short_frame_from_the_gateway_is_transmitted_as_soon_as_its_bytes_are_buffered()
        {
            var radio = new RecordingRadio();
            var bridge = new SerialBridge(radio, new NoLine(), new RecordingLog());
            var uart = new Esp32Uart();
            byte[] frame = { 0x01, 0x00, 0x2A, 0x00, 0x00, 0x07, 0xFF };
            byte[] wire = Encoded(frame, out int length);
            Assert.True(length < 256);

            uart.Arrive(wire, length);
            int drained = SerialDrain.Drain(uart, new byte[256], bridge);

            Assert.Equal(length, drained);
            Assert.Equal(0, uart.BytesToRead);
            Assert.Equal(frame, Assert.Single(radio.Sent));
        }

        [Fact]
        public void More_than_a_buffer_full_is_read_in_buffer_sized_chunks_and_frames_split_across_them_survive()
        {
            var radio = new RecordingRadio();
            var bridge = new SerialBridge(radio, new NoLine(), new RecordingLog());
            var uart = new Esp32Uart();
            var frames = new List<byte[]>();
            var rng = new Random(9);
            for (int i = 0; i < 5; i++)
            {
                byte[] frame = new byte[100 + (20 * i)];
                rng.NextBytes(frame);
                frames.Add(frame);
                byte[] wire = Encoded(frame, out int length);
                uart.Arrive(wire, length);
            }

            int buffered = uart.BytesToRead;
            Assert.True(buffered > 3 * 64);
            Assert.Equal(buffered, SerialDrain.Drain(uart, new byte[64], bridge));
            Assert.True(uart.Reads >= buffered / 64);
            Assert.Equal(frames, radio.Sent);
        }

        [Fact]
        public void Nothing_buffered_means_no_read_at_all()
        {
            var uart = new Esp32Uart();
            var bridge = new SerialBridge(new RecordingRadio(), new NoLine(), new RecordingLog());
            Assert.Equal(0, SerialDrain.Drain(uart, new byte[256], bridge));
            Assert.Equal(0, uart.Reads);
        }
    }
}
