using System;
using System.IO;
using System.Runtime.InteropServices;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Mesh.Gateway.Mesh;
using Mesh.Protocol.Serial;

namespace Mesh.Gateway.Serial
{
    /// <summary>
    /// The serial link framing (PROTOCOL.md, "Serial link framing") over any byte stream: a background loop
    /// reads the stream into a <see cref="SerialFrameDecoder"/> and queues every accepted frame for
    /// <see cref="ReceiveAsync"/>; <see cref="SendAsync"/> writes one encoded frame at a time. Knows nothing
    /// of serial ports, so it is tested over in-memory pipes; <see cref="SerialFrameTransport"/> puts it
    /// over a <see cref="System.IO.Ports.SerialPort"/>. When the stream ends or fails, frames already
    /// decoded are still delivered, then <see cref="ReceiveAsync"/> throws <see cref="ChannelClosedException"/>
    /// (inner exception: why the stream stopped).
    /// </summary>
    public sealed class StreamFrameLink : IFrameTransport
    {
        public const int DefaultNominalRssi = -50;
        public const int DefaultReceiveCapacity = 1024;

        private const int ReadBufferSize = 4096;
        private static readonly TimeSpan ReadLoopShutdownWait = TimeSpan.FromSeconds(2);

        private readonly Stream _stream;
        private readonly bool _ownsStream;
        private readonly SerialFrameDecoder _decoder = new();
        private readonly Channel<ReceivedFrame> _frames;
        private readonly SemaphoreSlim _writeLock = new(1, 1);
        private readonly byte[] _sendFrame = new byte[SerialLayout.MaxFrameSize];
        private readonly byte[] _sendBuffer = new byte[SerialLayout.MaxEncodedSize];
        private readonly CancellationTokenSource _stop = new();
        private readonly Task _readLoop;
        private long _framesSent;
        private long _framesDropped;
        private int _closed;

        /// <param name="stream">Readable and writable; read by one background loop, written under a lock.</param>
        /// <param name="name">Transport name (metrics label).</param>
        /// <param name="nominalRssi">RSSI reported for frames whose RSSI byte says "not measured".</param>
        /// <param name="ownsStream">Dispose the stream when the link closes.</param>
        /// <param name="receiveCapacity">Decoded frames buffered; more are dropped and counted.</param>
        public StreamFrameLink(
            Stream stream,
            string name = "stream",
            int nominalRssi = DefaultNominalRssi,
            bool ownsStream = true,
            int receiveCapacity = DefaultReceiveCapacity)
        {
            ArgumentNullException.ThrowIfNull(stream);
            ArgumentOutOfRangeException.ThrowIfNegativeOrZero(receiveCapacity);
            if (!stream.CanRead || !stream.CanWrite)
            {
                throw new ArgumentException("the stream must be readable and writable", nameof(stream));
            }

            _stream = stream;
            _ownsStream = ownsStream;
            Name = name;
            NominalRssi = nominalRssi;
            _frames = Channel.CreateBounded<ReceivedFrame>(new BoundedChannelOptions(receiveCapacity)
            {
                FullMode = BoundedChannelFullMode.Wait, // TryWrite fails instead of waiting: the frame is counted as dropped
                SingleWriter = true,
            });
            _readLoop = Task.Run(ReadLoopAsync);
        }

        public string Name { get; }

        public int NominalRssi { get; }

        /// <summary>True once the stream has ended, failed or the link was disposed.</summary>
        public bool IsClosed => _readLoop.IsCompleted;

        public SerialLinkCounters Counters => new(
            Volatile.Read(ref _decoder.FramesAccepted),
            Interlocked.Read(ref _framesSent),
            Interlocked.Read(ref _framesDropped),
            Volatile.Read(ref _decoder.RejectedBytes),
            Volatile.Read(ref _decoder.Rejected[(int)SerialRejectReason.CrcMismatch]),
            Volatile.Read(ref _decoder.Rejected[(int)SerialRejectReason.BadStuffing]),
            Volatile.Read(ref _decoder.Rejected[(int)SerialRejectReason.TooLong]),
            Volatile.Read(ref _decoder.Rejected[(int)SerialRejectReason.TooShort]));

        public async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken)
        {
            if (frame.Length < SerialLayout.MinFrameSize || frame.Length > SerialLayout.MaxFrameSize)
            {
                throw new ArgumentException(
                    "a mesh frame is " + SerialLayout.MinFrameSize + ".." + SerialLayout.MaxFrameSize + " bytes (was " + frame.Length + ")",
                    nameof(frame));
            }

            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                ObjectDisposedException.ThrowIf(Volatile.Read(ref _closed) != 0, this);
                byte[] source;
                int offset;
                if (MemoryMarshal.TryGetArray(frame, out ArraySegment<byte> segment))
                {
                    source = segment.Array!;
                    offset = segment.Offset;
                }
                else
                {
                    frame.CopyTo(_sendFrame);
                    source = _sendFrame;
                    offset = 0;
                }

                int n = SerialFrameEncoder.Encode(source, offset, frame.Length, _sendBuffer, 0);
                await _stream.WriteAsync(_sendBuffer.AsMemory(0, n), cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
                Interlocked.Increment(ref _framesSent);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        /// <summary>Waits for the next frame. Throws OperationCanceledException when cancelled.</summary>
        public ValueTask<ReceivedFrame> ReceiveAsync(CancellationToken cancellationToken) =>
            _frames.Reader.ReadAsync(cancellationToken);

        /// <summary>Writes bytes as they are, between frames (tests put garbage on the line with it).</summary>
        internal async ValueTask WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken)
        {
            await _writeLock.WaitAsync(cancellationToken).ConfigureAwait(false);
            try
            {
                await _stream.WriteAsync(bytes, cancellationToken).ConfigureAwait(false);
                await _stream.FlushAsync(cancellationToken).ConfigureAwait(false);
            }
            finally
            {
                _writeLock.Release();
            }
        }

        private async Task ReadLoopAsync()
        {
            var buffer = new byte[ReadBufferSize];
            try
            {
                while (true)
                {
                    int n = await _stream.ReadAsync(buffer, _stop.Token).ConfigureAwait(false);
                    if (n == 0)
                    {
                        _frames.Writer.TryComplete(new EndOfStreamException(Name + ": the stream ended"));
                        return;
                    }

                    int at = 0;
                    while (at < n)
                    {
                        at += _decoder.Push(buffer, at, n - at);
                        if (_decoder.FrameAvailable)
                        {
                            int length = _decoder.FrameLength;
                            byte[] frame = _decoder.Frame.AsSpan(0, length).ToArray();
                            int rssi = _decoder.HasRssi ? _decoder.Rssi : NominalRssi;
                            if (!_frames.Writer.TryWrite(new ReceivedFrame(frame, length, rssi)))
                            {
                                Interlocked.Increment(ref _framesDropped);
                            }
                        }
                    }
                }
            }
            catch (Exception) when (_stop.IsCancellationRequested)
            {
                // Closed by us: a cancelled read, or the stream disposed under a read that ignores tokens.
                _frames.Writer.TryComplete(new ObjectDisposedException(Name, Name + ": the link was closed"));
            }
            catch (Exception ex)
            {
                _frames.Writer.TryComplete(ex);
            }
        }

        /// <summary>Stops reading and closes the stream (if owned) without waiting for the read loop.</summary>
        internal void Close()
        {
            if (Interlocked.Exchange(ref _closed, 1) != 0)
            {
                return;
            }

            _stop.Cancel();
            if (_ownsStream)
            {
                try
                {
                    _stream.Dispose();
                }
                catch (Exception ex) when (ex is IOException or ObjectDisposedException or InvalidOperationException or UnauthorizedAccessException)
                {
                    // The device may already be gone (cable pulled); closing it cannot fail any harder.
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            Close();
            try
            {
                await _readLoop.WaitAsync(ReadLoopShutdownWait).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                // A stream whose read ignores both the token and Dispose; the loop ends with the process.
            }
        }
    }
}
