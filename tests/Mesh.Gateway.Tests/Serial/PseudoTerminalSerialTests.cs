using System;
using System.Collections.Generic;
using System.Linq;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Mesh;
using Mesh.Gateway.Serial;
using Mesh.Protocol.Serial;
using Xunit.Abstractions;
using static Mesh.Gateway.Tests.SerialTests.SerialTestFrames;

namespace Mesh.Gateway.Tests.SerialTests
{
    /// <summary>
    /// <see cref="SerialFrameTransport"/> on real tty devices: both ends of a socat pseudo-terminal pair are
    /// opened with System.IO.Ports exactly as a USB-serial adapter would be, so termios settings (raw mode,
    /// no XON/XOFF, no CR/LF translation) are exercised: every byte value must pass through unchanged.
    /// </summary>
    public sealed class PseudoTerminalSerialTests : IDisposable
    {
        private static readonly TimeSpan Timeout = TimeSpan.FromSeconds(15);
        private readonly ITestOutputHelper _output;
        private readonly SocatPtyPair _pty;

        public PseudoTerminalSerialTests(ITestOutputHelper output)
        {
            _output = output;
            if (!OperatingSystem.IsLinux() && !OperatingSystem.IsMacOS())
            {
                Assert.Fail("the pseudo-terminal test needs a Unix tty layer and socat");
            }

            _pty = SocatPtyPair.Start();
        }

        public void Dispose()
        {
            _output.WriteLine("socat log:" + Environment.NewLine + _pty.Log);
            _pty.Dispose();
        }

        [Fact]
        public async Task Frames_cross_a_real_pty_pair_both_ways_with_garbage_between_them()
        {
            await using var gateway = new SerialFrameTransport(new SerialOptions(_pty.A) { NominalRssi = -44 });
            await using var board = new SerialFrameTransport(new SerialOptions(_pty.B));
            Assert.Equal("serial", gateway.Name);
            var rng = new Random(20);

            // Every byte value at least once, so a tty that translated CR/LF or ate XON/XOFF would show.
            var up = new List<(byte[] Frame, int Rssi)>
            {
                (Enumerable.Range(0, 250).Select(i => (byte)i).ToArray(), -77),
                (Enumerable.Range(0, 250).Select(i => (byte)(255 - i)).ToArray(), SerialLayout.RssiUnknown),
                (new byte[] { 0x0D, 0x0A, 0x11, 0x13, 0x03, 0x1C, 0x7F, 0xFF, 0x00 }, -1),
            };
            for (int i = 0; i < 60; i++)
            {
                up.Add((RandomFrame(rng), i % 3 == 0 ? SerialLayout.RssiUnknown : -30 - i));
            }

            // Board -> gateway, raw bytes as the board's firmware writes them, garbage between frames.
            foreach ((byte[] frame, int rssi) in up)
            {
                var garbage = new byte[rng.Next(0, 64)];
                rng.NextBytes(garbage);
                await board.WriteRawAsync(garbage, CancellationToken.None);
                await board.WriteRawAsync(BoardEncode(frame, rssi), CancellationToken.None);
            }

            await board.WriteRawAsync(new byte[] { 0x00, 0x05, 0x11, 0x22 }, CancellationToken.None); // torn frame
            await board.SendAsync(new byte[] { 0xAB, 0x00, 0xCD }, CancellationToken.None);

            foreach ((byte[] frame, int rssi) in up)
            {
                ReceivedFrame got = await NextSkippingStray(gateway, frame);
                Assert.Equal(frame, Bytes(got));
                Assert.Equal(rssi == SerialLayout.RssiUnknown ? -44 : rssi, got.Rssi);
            }

            ReceivedFrame last = await NextSkippingStray(gateway, new byte[] { 0xAB, 0x00, 0xCD });
            Assert.Equal(-44, last.Rssi);
            Assert.True(gateway.Counters.RejectedFrames > 0, "the garbage should have been rejected");
            Assert.True(gateway.Counters.RejectedBytes > 0);

            // Gateway -> board, with garbage written straight onto the gateway's end of the line.
            var down = Enumerable.Range(0, 60).Select(_ => RandomFrame(rng)).ToList();
            foreach (byte[] frame in down)
            {
                var garbage = new byte[rng.Next(0, 64)];
                rng.NextBytes(garbage);
                await gateway.WriteRawAsync(garbage, CancellationToken.None);
                await gateway.SendAsync(frame, CancellationToken.None);
            }

            foreach (byte[] frame in down)
            {
                ReceivedFrame got = await NextSkippingStray(board, frame);
                Assert.Equal(frame, Bytes(got));
                Assert.Equal(StreamFrameLink.DefaultNominalRssi, got.Rssi); // the gateway sends "not measured"
            }

            _output.WriteLine("gateway: " + gateway.Counters);
            _output.WriteLine("board:   " + board.Counters);
            Assert.Equal(down.Count, gateway.Counters.FramesSent);
        }

        /// <summary>
        /// The next frame equal to <paramref name="expected"/>. Random garbage passes the CRC-16 with
        /// probability 2^-16 per chunk; such a stray frame is tolerated (once) rather than failing the run.
        /// </summary>
        private static async Task<ReceivedFrame> NextSkippingStray(IFrameTransport transport, byte[] expected)
        {
            ReceivedFrame got = await Next(transport, Timeout);
            if (!Bytes(got).AsSpan().SequenceEqual(expected))
            {
                got = await Next(transport, Timeout);
            }

            return got;
        }
    }
}
