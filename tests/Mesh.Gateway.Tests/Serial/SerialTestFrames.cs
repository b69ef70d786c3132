using System;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Mesh;
using Mesh.Protocol.Serial;

namespace Mesh.Gateway.Tests.SerialTests
{
    internal static class SerialTestFrames
    {
        public static byte[] RandomFrame(Random rng)
        {
            var frame = new byte[rng.Next(1, SerialLayout.MaxFrameSize + 1)];
            rng.NextBytes(frame);
            for (int i = 0; i < frame.Length; i++)
            {
                if (rng.Next(8) == 0)
                {
                    frame[i] = 0; // plenty of zeros: they are what COBS has to stuff
                }
            }

            return frame;
        }

        /// <summary>What a bridge board puts on the line for a frame it heard at the given RSSI.</summary>
        public static byte[] BoardEncode(byte[] frame, int rssi)
        {
            var buffer = new byte[SerialLayout.MaxEncodedSize];
            int n = SerialFrameEncoder.Encode(frame, 0, frame.Length, rssi, buffer, 0);
            return buffer.AsSpan(0, n).ToArray();
        }

        public static async Task<ReceivedFrame> Next(IFrameTransport transport, TimeSpan timeout)
        {
            using var cts = new CancellationTokenSource(timeout);
            try
            {
                return await transport.ReceiveAsync(cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new TimeoutException(transport.Name + ": no frame within " + timeout);
            }
        }

        public static byte[] Bytes(ReceivedFrame f) => f.Frame.AsSpan(0, f.Length).ToArray();
    }
}
