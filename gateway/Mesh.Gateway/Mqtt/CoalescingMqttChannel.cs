using System;
using System.Buffers;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using MQTTnet.Channel;

namespace Mesh.Gateway.Mqtt
{
    /// <summary>
    /// The gateway's MQTT connection with fewer system calls per message: MQTTnet's own TCP channel
    /// (connect, TLS, stream providers unchanged) underneath, with
    /// <list type="bullet">
    /// <item>reads served from a 64 KB buffer — MQTTnet reads every packet as two or three small reads
    /// (fixed header, length, body), one <c>recv</c> each; a burst of PUBACKs now costs one <c>recv</c>;</item>
    /// <item>writes gathered while the publisher is <see cref="Cork">corked</see> and sent together when it
    /// <see cref="UncorkAsync">uncorks</see> — MQTTnet sends every PUBLISH as two writes (header, payload), one
    /// <c>send</c> each; a window's worth of PUBLISH packets now goes out in one <c>send</c>.</item>
    /// </list>
    /// A write made while not corked (PUBACKs to commands, pings, SUBSCRIBE, DISCONNECT) is sent at once, as
    /// before. Nothing about delivery changes: a message still counts as delivered only when its PUBACK
    /// arrives, and a failed send fails the connection exactly as MQTTnet's own would (the outbox publishes
    /// everything unacknowledged again after reconnecting).
    /// </summary>
    public sealed class CoalescingMqttChannel : IMqttChannel
    {
        private const int ReadBufferSize = 64 * 1024;

        private readonly IMqttChannel _inner;
        private readonly object _gate = new();
        private readonly byte[] _read = new byte[ReadBufferSize];
        private int _readStart;
        private int _readEnd;
        private ArrayBufferWriter<byte> _pending = new(16 * 1024);
        private ArrayBufferWriter<byte> _sending = new(16 * 1024);
        private bool _corked;
        private bool _flushing;
        private Task _flush = Task.CompletedTask;
        private Exception? _failure;

        public CoalescingMqttChannel(IMqttChannel inner)
        {
            _inner = inner;
        }

        public X509Certificate2 ClientCertificate => _inner.ClientCertificate;

        public EndPoint RemoteEndPoint => _inner.RemoteEndPoint;

        public EndPoint LocalEndPoint => _inner.LocalEndPoint;

        public bool IsSecureConnection => _inner.IsSecureConnection;

        /// <summary>Bytes accepted and not yet handed to the socket (tests).</summary>
        public int PendingBytes
        {
            get
            {
                lock (_gate)
                {
                    return _pending.WrittenCount;
                }
            }
        }

        public Task ConnectAsync(CancellationToken cancellationToken) => _inner.ConnectAsync(cancellationToken);

        public async Task DisconnectAsync(CancellationToken cancellationToken)
        {
            // DISCONNECT (and anything corked before it) must reach the broker before the socket closes.
            try
            {
                await FlushAsync().ConfigureAwait(false);
            }
            finally
            {
                await _inner.DisconnectAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        /// <summary>From now until <see cref="UncorkAsync"/>, writes are gathered instead of sent (the publisher, around one batch).</summary>
        public void Cork()
        {
            lock (_gate)
            {
                _corked = true;
            }
        }

        /// <summary>Sends everything gathered since <see cref="Cork"/> (normally one <c>send</c>); faults when the connection failed.</summary>
        public Task UncorkAsync()
        {
            lock (_gate)
            {
                _corked = false;
            }

            return FlushAsync();
        }

        public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            // Only MQTTnet's one receive loop reads: no lock needed for the read buffer.
            if (_readEnd > _readStart)
            {
                return Task.FromResult(TakeBuffered(buffer, offset, count));
            }

            return FillAndReadAsync(buffer, offset, count, cancellationToken);
        }

        private async Task<int> FillAndReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
        {
            int n = await _inner.ReadAsync(_read, 0, _read.Length, cancellationToken).ConfigureAwait(false);
            if (n <= 0)
            {
                return n; // closed
            }

            _readStart = 0;
            _readEnd = n;
            return TakeBuffered(buffer, offset, count);
        }

        private int TakeBuffered(byte[] buffer, int offset, int count)
        {
            int n = Math.Min(count, _readEnd - _readStart);
            Buffer.BlockCopy(_read, _readStart, buffer, offset, n);
            _readStart += n;
            return n;
        }

        public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
        {
            cancellationToken.ThrowIfCancellationRequested();
            lock (_gate)
            {
                if (_failure != null)
                {
                    return Task.FromException(_failure); // the connection failed: so does every later write
                }

                foreach (ReadOnlyMemory<byte> segment in buffer)
                {
                    segment.Span.CopyTo(_pending.GetSpan(segment.Length));
                    _pending.Advance(segment.Length);
                }

                if (!isEndOfPacket || _corked)
                {
                    return Task.CompletedTask;
                }
            }

            return FlushAsync();
        }

        /// <summary>
        /// Hands what is pending to the socket. One flush at a time: when one is running (its send did not
        /// complete at once), it takes what arrives meanwhile too, and the caller waits for it.
        /// </summary>
        private Task FlushAsync()
        {
            lock (_gate)
            {
                if (_failure != null)
                {
                    return Task.FromException(_failure);
                }

                if (_flushing)
                {
                    return _flush;
                }

                if (_pending.WrittenCount == 0)
                {
                    return Task.CompletedTask;
                }

                _flushing = true;
            }

            // Started outside the lock: the send is a system call. (A flush asked for in the instant before
            // _flush is set gets the previous task; its bytes are sent by this loop all the same.)
            Task flush = SendPendingAsync();
            lock (_gate)
            {
                if (_flushing)
                {
                    _flush = flush;
                }
            }

            return flush;
        }

        private async Task SendPendingAsync()
        {
            try
            {
                while (true)
                {
                    lock (_gate)
                    {
                        if (_pending.WrittenCount == 0)
                        {
                            _flushing = false;
                            return;
                        }

                        (_pending, _sending) = (_sending, _pending);
                    }

                    await _inner.WriteAsync(new ReadOnlySequence<byte>(_sending.WrittenMemory), true, CancellationToken.None).ConfigureAwait(false);
                    _sending.ResetWrittenCount();
                }
            }
            catch (Exception ex)
            {
                lock (_gate)
                {
                    _failure = ex;
                    _flushing = false;
                }

                // Close the socket: MQTTnet's receive loop then sees the connection end and the client
                // disconnects as it does when its own send fails; unacknowledged messages are sent again.
                _inner.Dispose();
                throw;
            }
        }

        public void Dispose() => _inner.Dispose();
    }
}
