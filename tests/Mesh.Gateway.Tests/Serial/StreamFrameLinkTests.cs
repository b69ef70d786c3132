using System;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Serial;
using Mesh.Protocol.Serial;
using static Mesh.Gateway.Tests.SerialTests.SerialTestFrames;

namespace Mesh.Gateway.Tests.SerialTests
{
    /// <summary>The serial framing over an in-memory duplex line: the gateway's end and a stand-in board.</summary>
    public class StreamFrameLinkTests
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

        [Fact]
        public async Task Frames_travel_both_ways_and_the_rssi_byte_is_honoured()
        {
            var line = new InMemorySerialLine();
            await using var gateway = new StreamFrameLink(line.A, "serial", nominalRssi: -42);
            await using var board = new StreamFrameLink(line.B, "board");
            var rng = new Random(1);

            // Gateway -> board: the gateway marks RSSI "not measured"; the receiving end reports its nominal.
            var down = Enumerable.Range(0, 200).Select(_ => RandomFrame(rng)).ToList();
            foreach (byte[] f in down)
            {
                await gateway.SendAsync(f, CancellationToken.None);
            }

            foreach (byte[] f in down)
            {
                ReceivedFrame got = await Next(board, Timeout);
                Assert.Equal(f, Bytes(got));
                Assert.Equal(StreamFrameLink.DefaultNominalRssi, got.Rssi);
            }

            // Board -> gateway: frames heard over the air carry the measured RSSI.
            var up = Enumerable.Range(0, 200).Select(_ => RandomFrame(rng)).ToList();
            for (int i = 0; i < up.Count; i++)
            {
                await board.WriteRawAsync(BoardEncode(up[i], -100 + i % 90), CancellationToken.None);
            }

            for (int i = 0; i < up.Count; i++)
            {
                ReceivedFrame got = await Next(gateway, Timeout);
                Assert.Equal(up[i], Bytes(got));
                Assert.Equal(-100 + i % 90, got.Rssi);
            }

            // ... and a frame without a measurement gets the gateway's nominal RSSI.
            await board.SendAsync(new byte[] { 7, 0, 7 }, CancellationToken.None);
            Assert.Equal(-42, (await Next(gateway, Timeout)).Rssi);

            Assert.Equal(new SerialLinkCounters(201, 200, 0, 0, 0, 0, 0, 0), gateway.Counters);
            Assert.Equal(new SerialLinkCounters(200, 1, 0, 0, 0, 0, 0, 0), board.Counters);
        }

        [Fact]
        public async Task Garbage_between_frames_is_rejected_by_reason_and_every_frame_still_arrives()
        {
            var line = new InMemorySerialLine();
            await using var gateway = new StreamFrameLink(line.A, "serial");
            await using var board = new StreamFrameLink(line.B, "board");
            var rng = new Random(2);

            var sent = new List<byte[]>();
            long expectedRejectedBytes = 0;
            for (int i = 0; i < 250; i++)
            {
                byte[] garbage;
                switch (i % 5)
                {
                    case 0:
                    {
                        // A frame corrupted on the line: one data byte (not a code byte) changed.
                        garbage = BoardEncode(Enumerable.Range(1, 40).Select(b => (byte)b).ToArray(), -60);
                        garbage[10] ^= 0x55;
                        expectedRejectedBytes += garbage.Length - 2;
                        break;
                    }

                    case 1:
                        garbage = new byte[] { 0x00, 0x05, 0x11, 0x22 }; // torn mid-block: bad stuffing
                        expectedRejectedBytes += 3;
                        break;
                    case 2:
                        garbage = Enumerable.Repeat((byte)0x7F, 600).ToArray(); // no delimiter: too long
                        expectedRejectedBytes += 600;
                        break;
                    case 3:
                        garbage = new byte[] { 0x01, 0x00 }; // an empty content: too short
                        expectedRejectedBytes += 1;
                        break;
                    default:
                        garbage = new byte[] { 0x00, 0x00, 0x00 }; // idle delimiters: ignored
                        break;
                }

                await board.WriteRawAsync(garbage, CancellationToken.None);
                byte[] frame = RandomFrame(rng);
                sent.Add(frame);
                await board.SendAsync(frame, CancellationToken.None);
            }

            foreach (byte[] f in sent)
            {
                Assert.Equal(f, Bytes(await Next(gateway, Timeout)));
            }

            SerialLinkCounters c = gateway.Counters;
            Assert.Equal(250, c.FramesReceived);
            Assert.Equal(50, c.RejectedFor(SerialRejectReason.CrcMismatch));
            Assert.Equal(50, c.RejectedFor(SerialRejectReason.BadStuffing));
            Assert.Equal(50, c.RejectedFor(SerialRejectReason.TooLong));
            Assert.Equal(50, c.RejectedFor(SerialRejectReason.TooShort));
            Assert.Equal(200, c.RejectedFrames);
            Assert.Equal(expectedRejectedBytes, c.RejectedBytes);
        }

        [Fact]
        public async Task Concurrent_senders_never_interleave_bytes_of_two_frames()
        {
            var line = new InMemorySerialLine();
            await using var gateway = new StreamFrameLink(line.A, "serial");
            await using var board = new StreamFrameLink(line.B, "board");

            var senders = Enumerable.Range(0, 8).Select(s => Task.Run(async () =>
            {
                for (int i = 0; i < 50; i++)
                {
                    byte[] frame = Enumerable.Repeat((byte)(s * 50 + i), 100 + s).ToArray();
                    await gateway.SendAsync(frame, CancellationToken.None);
                }
            })).ToArray();
            await Task.WhenAll(senders);

            var seen = new HashSet<int>();
            for (int k = 0; k < 400; k++)
            {
                byte[] got = Bytes(await Next(board, Timeout));
                Assert.All(got, b => Assert.Equal(got[0], b));
                Assert.True(seen.Add(got[0] * 1000 + got.Length));
            }

            Assert.Equal(0, board.Counters.RejectedFrames);
            Assert.Equal(400, gateway.Counters.FramesSent);
        }

        [Fact]
        public async Task End_of_stream_delivers_decoded_frames_then_fails_receive()
        {
            var line = new InMemorySerialLine();
            await using var gateway = new StreamFrameLink(line.A, "serial");
            await line.B.WriteAsync(BoardEncode(new byte[] { 1, 2, 3 }, -30));
            await line.B.FlushAsync();
            line.B.CloseOutput();

            Assert.Equal(new byte[] { 1, 2, 3 }, Bytes(await Next(gateway, Timeout)));
            var ex = await Assert.ThrowsAsync<ChannelClosedException>(async () => await Next(gateway, Timeout));
            Assert.IsType<EndOfStreamException>(ex.InnerException);
            Assert.True(gateway.IsClosed);
        }

        [Fact]
        public async Task A_consumer_that_falls_behind_loses_frames_beyond_the_capacity_and_they_are_counted()
        {
            var line = new InMemorySerialLine();
            await using var gateway = new StreamFrameLink(line.A, "serial", receiveCapacity: 4);
            await using var board = new StreamFrameLink(line.B, "board");
            for (int i = 0; i < 20; i++)
            {
                await board.SendAsync(new byte[] { (byte)(i + 1) }, CancellationToken.None);
            }

            var deadline = DateTime.UtcNow + Timeout;
            while (gateway.Counters.FramesReceived < 20 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(10);
            }

            Assert.Equal(20, gateway.Counters.FramesReceived);
            Assert.Equal(16, gateway.Counters.FramesDropped);
            for (int i = 0; i < 4; i++)
            {
                Assert.Equal(new byte[] { (byte)(i + 1) }, Bytes(await Next(gateway, Timeout)));
            }
        }

        [Fact]
        public async Task Receive_honours_cancellation_and_send_checks_the_frame_size()
        {
            var line = new InMemorySerialLine();
            var gateway = new StreamFrameLink(line.A, "serial");
            using (var cts = new CancellationTokenSource(TimeSpan.FromMilliseconds(50)))
            {
                await Assert.ThrowsAnyAsync<OperationCanceledException>(async () => await gateway.ReceiveAsync(cts.Token));
            }

            await Assert.ThrowsAsync<ArgumentException>(async () => await gateway.SendAsync(Array.Empty<byte>(), CancellationToken.None));
            await Assert.ThrowsAsync<ArgumentException>(async () => await gateway.SendAsync(new byte[251], CancellationToken.None));

            await gateway.DisposeAsync();
            await gateway.DisposeAsync(); // idempotent
            Assert.True(gateway.IsClosed);
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await gateway.SendAsync(new byte[] { 1 }, CancellationToken.None));
            await Assert.ThrowsAsync<ChannelClosedException>(async () => await gateway.ReceiveAsync(CancellationToken.None));
        }

        [Fact]
        public async Task Frames_sent_from_a_slice_of_a_larger_buffer_are_encoded_from_the_slice()
        {
            var line = new InMemorySerialLine();
            await using var gateway = new StreamFrameLink(line.A, "serial");
            await using var board = new StreamFrameLink(line.B, "board");
            byte[] big = Enumerable.Range(0, 100).Select(i => (byte)i).ToArray();
            await gateway.SendAsync(big.AsMemory(10, 5), CancellationToken.None);
            Assert.Equal(new byte[] { 10, 11, 12, 13, 14 }, Bytes(await Next(board, Timeout)));
        }

        [Fact]
        public void Serial_options_default_to_115200_and_validate()
        {
            var options = new SerialOptions("/dev/ttyUSB0");
            Assert.Equal(115200, options.BaudRate);
            Assert.Equal(-50, options.NominalRssi);
            Assert.Throws<ArgumentException>(() => new SerialFrameTransport(new SerialOptions(" ")));
            Assert.Throws<ArgumentOutOfRangeException>(() => new SerialFrameTransport(new SerialOptions("/dev/null", 0)));
        }

        [Fact]
        public void Opening_a_port_that_does_not_exist_throws_at_construction()
        {
            string missing = Path.Combine(Path.GetTempPath(), "mesh-no-such-port-" + Guid.NewGuid().ToString("N"));
            // .NET on Linux reports a missing device as UnauthorizedAccessException; elsewhere an IOException.
            Exception e = Assert.ThrowsAny<Exception>(() => new SerialFrameTransport(new SerialOptions(missing)));
            Assert.True(e is IOException or UnauthorizedAccessException, e.ToString());
        }

        [Fact]
        public async Task The_serial_transport_reopens_its_port_after_the_line_fails_and_keeps_counting()
        {
            var lines = new List<InMemorySerialLine>();
            var opened = new List<SerialOptions>();
            (Stream, IDisposable?) Open(SerialOptions o)
            {
                opened.Add(o);
                var line = new InMemorySerialLine();
                lines.Add(line);
                return (line.A, null);
            }

            await using var transport = new SerialFrameTransport(new SerialOptions("/dev/ttyTEST") { NominalRssi = -33 }, Open);
            Assert.Single(lines);

            // First board session: one frame, some garbage, then the cable is pulled.
            await lines[0].B.WriteAsync(new byte[] { 0x00, 0x05, 0x11, 0x00 });
            await lines[0].B.WriteAsync(BoardEncode(new byte[] { 1 }, -70));
            await lines[0].B.FlushAsync();
            Assert.Equal(-70, (await Next(transport, Timeout)).Rssi);
            lines[0].B.CloseOutput();
            var failure = await Assert.ThrowsAsync<IOException>(async () => await Next(transport, Timeout));
            Assert.Contains("/dev/ttyTEST", failure.Message, StringComparison.Ordinal);
            Assert.Single(lines);

            // The next receive reopens; frames flow both ways on the new line.
            Task<ReceivedFrame> pending = Next(transport, Timeout);
            var deadline = DateTime.UtcNow + Timeout;
            while (lines.Count < 2 && DateTime.UtcNow < deadline)
            {
                await Task.Delay(5);
            }

            Assert.Equal(2, lines.Count);
            await using var board = new StreamFrameLink(lines[1].B, "board");
            await board.SendAsync(new byte[] { 2, 2 }, CancellationToken.None);
            ReceivedFrame second = await pending;
            Assert.Equal(new byte[] { 2, 2 }, Bytes(second));
            Assert.Equal(-33, second.Rssi);
            await transport.SendAsync(new byte[] { 3, 3, 3 }, CancellationToken.None);
            Assert.Equal(new byte[] { 3, 3, 3 }, Bytes(await Next(board, Timeout)));

            SerialLinkCounters c = transport.Counters;
            Assert.Equal(2, c.FramesReceived);
            Assert.Equal(1, c.FramesSent);
            Assert.Equal(1, c.RejectedFor(SerialRejectReason.BadStuffing));
            Assert.All(opened, o => Assert.Equal("/dev/ttyTEST", o.PortName));

            await transport.DisposeAsync();
            Assert.Equal(c, transport.Counters);
            await Assert.ThrowsAsync<ObjectDisposedException>(async () => await transport.ReceiveAsync(CancellationToken.None));
        }
    }
}
