using System;
using System.IO;
using System.IO.Ports;
using System.Threading;
using System.Threading.Channels;
using System.Threading.Tasks;
using Mesh.Gateway.Mesh;

namespace Mesh.Gateway.Serial
{
    /// <summary>
    /// A bridge board on USB serial as a gateway transport. The framing is <see cref="StreamFrameLink"/>'s
    /// (PROTOCOL.md, "Serial link framing"); this class only opens and closes the
    /// <see cref="SerialPort"/> (8N1, no flow control, DTR and RTS left low so that opening the port does not
    /// reset an ESP32 dev board through its auto-reset circuit).
    /// The constructor opens the port and throws if it cannot (a wrong name should stop the gateway at
    /// start-up). If the port later fails (board unplugged), <see cref="ReceiveAsync"/> delivers the frames
    /// already decoded, then throws an <see cref="IOException"/>; the next call reopens the port, so the
    /// gateway's retry loop reconnects once the board is back. Counters survive reopening.
    /// </summary>
    public sealed class SerialFrameTransport : IFrameTransport
    {
        private readonly object _gate = new();
        private readonly Func<SerialOptions, (Stream Stream, IDisposable? Owner)> _open;
        private IDisposable? _owner; // the SerialPort behind the current link
        private StreamFrameLink? _link;
        private SerialLinkCounters _retired = SerialLinkCounters.Zero;
        private bool _disposed;

        public SerialFrameTransport(SerialOptions options)
            : this(options, OpenPort)
        {
        }

        /// <summary>
        /// Over streams from <paramref name="open"/> instead of a serial port (tests: reopening after a
        /// failure). The owner, if any, is disposed after the stream when the link is retired.
        /// </summary>
        internal SerialFrameTransport(SerialOptions options, Func<SerialOptions, (Stream Stream, IDisposable? Owner)> open)
        {
            ArgumentNullException.ThrowIfNull(options);
            ArgumentNullException.ThrowIfNull(open);
            options.Validate();
            Options = options;
            _open = open;
            lock (_gate)
            {
                Open();
            }
        }

        public string Name => "serial";

        public SerialOptions Options { get; }

        /// <summary>Totals since construction, across reopenings of the port.</summary>
        public SerialLinkCounters Counters
        {
            get
            {
                lock (_gate)
                {
                    return _link is null ? _retired : _retired.Add(_link.Counters);
                }
            }
        }

        public ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken cancellationToken) =>
            CurrentLink().SendAsync(frame, cancellationToken);

        public async ValueTask<ReceivedFrame> ReceiveAsync(CancellationToken cancellationToken)
        {
            StreamFrameLink link = CurrentLink();
            try
            {
                return await link.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (ChannelClosedException ex)
            {
                await RetireAsync(link).ConfigureAwait(false);
                Exception cause = ex.InnerException ?? ex;
                throw new IOException(
                    "serial port " + Options.PortName + " closed (" + cause.Message + "); it is reopened on the next receive",
                    cause);
            }
        }

        /// <summary>Writes bytes as they are (tests put garbage on the line with it).</summary>
        internal ValueTask WriteRawAsync(ReadOnlyMemory<byte> bytes, CancellationToken cancellationToken) =>
            CurrentLink().WriteRawAsync(bytes, cancellationToken);

        private StreamFrameLink CurrentLink()
        {
            lock (_gate)
            {
                ObjectDisposedException.ThrowIf(_disposed, this);
                if (_link is null)
                {
                    Open();
                }

                return _link!;
            }
        }

        /// <summary>Opens the stream and starts a link over it. Caller holds _gate.</summary>
        private void Open()
        {
            (Stream stream, IDisposable? owner) = _open(Options);
            try
            {
                _link = new StreamFrameLink(stream, Name, Options.NominalRssi, ownsStream: true, Options.ReceiveCapacity);
                _owner = owner;
            }
            catch
            {
                stream.Dispose();
                owner?.Dispose();
                throw;
            }
        }

        private static (Stream Stream, IDisposable? Owner) OpenPort(SerialOptions options)
        {
            var port = new SerialPort(options.PortName, options.BaudRate, Parity.None, 8, StopBits.One)
            {
                Handshake = Handshake.None,
                DtrEnable = false,
                RtsEnable = false,
                ReadTimeout = SerialPort.InfiniteTimeout,
                WriteTimeout = 5000,
            };

            try
            {
                port.Open();
                return (port.BaseStream, port);
            }
            catch
            {
                port.Dispose();
                throw;
            }
        }

        private async ValueTask RetireAsync(StreamFrameLink link)
        {
            IDisposable? port;
            lock (_gate)
            {
                if (!ReferenceEquals(_link, link))
                {
                    return; // already retired by a concurrent caller
                }

                _retired = _retired.Add(link.Counters);
                _link = null;
                port = _owner;
                _owner = null;
            }

            await link.DisposeAsync().ConfigureAwait(false);
            DisposePort(port);
        }

        private static void DisposePort(IDisposable? port)
        {
            try
            {
                port?.Dispose();
            }
            catch (Exception ex) when (ex is IOException or UnauthorizedAccessException or InvalidOperationException)
            {
                // The device is already gone.
            }
        }

        public async ValueTask DisposeAsync()
        {
            StreamFrameLink? link;
            IDisposable? port;
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                _disposed = true;
                link = _link;
                port = _owner;
                if (link is not null)
                {
                    _retired = _retired.Add(link.Counters);
                }

                _link = null;
                _owner = null;
            }

            if (link is not null)
            {
                await link.DisposeAsync().ConfigureAwait(false);
            }

            DisposePort(port);
        }
    }
}
