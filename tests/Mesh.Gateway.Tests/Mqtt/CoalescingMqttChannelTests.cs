using System;
using System.Buffers;
using System.Collections.Generic;
using System.IO;
using System.Linq;
using System.Net;
using System.Security.Cryptography.X509Certificates;
using System.Threading;
using System.Threading.Tasks;
using Mesh.Gateway.Mqtt;
using MQTTnet.Channel;

namespace Mesh.Gateway.Tests.Mqtt
{
    /// <summary>
    /// The gateway client's coalescing channel against a recording inner channel: what reaches the socket,
    /// when, and in which order. (End to end — broker outages, reconnection, at-least-once — the MQTT tests
    /// run it against the real broker.)
    /// </summary>
    public class CoalescingMqttChannelTests
    {
        private static ReadOnlySequence<byte> Bytes(params byte[] b) => new(b);

        [Fact]
        public async Task A_write_made_while_not_corked_is_sent_at_once_in_one_write()
        {
            var inner = new RecordingChannel();
            var channel = new CoalescingMqttChannel(inner);

            await channel.WriteAsync(Bytes(1, 2), isEndOfPacket: false, CancellationToken.None);
            Assert.Empty(inner.Writes); // a packet's header alone is not sent
            await channel.WriteAsync(Bytes(3, 4, 5), isEndOfPacket: true, CancellationToken.None);

            Assert.Equal(new[] { new byte[] { 1, 2, 3, 4, 5 } }, inner.Writes);
            Assert.Equal(0, channel.PendingBytes);
        }

        [Fact]
        public async Task Corked_packets_go_out_together_in_order_when_uncorked()
        {
            var inner = new RecordingChannel();
            var channel = new CoalescingMqttChannel(inner);

            channel.Cork();
            for (byte i = 0; i < 10; i++)
            {
                await channel.WriteAsync(Bytes(i, i), isEndOfPacket: false, CancellationToken.None);
                await channel.WriteAsync(Bytes((byte)(100 + i)), isEndOfPacket: true, CancellationToken.None);
            }

            Assert.Empty(inner.Writes);
            Assert.Equal(30, channel.PendingBytes);
            await channel.UncorkAsync();

            byte[] sent = Assert.Single(inner.Writes);
            Assert.Equal(Enumerable.Range(0, 10).SelectMany(i => new[] { (byte)i, (byte)i, (byte)(100 + i) }), sent);
        }

        [Fact]
        public async Task Disconnecting_sends_what_is_pending_first()
        {
            var inner = new RecordingChannel();
            var channel = new CoalescingMqttChannel(inner);
            channel.Cork();
            await channel.WriteAsync(Bytes(0xE0, 0), isEndOfPacket: true, CancellationToken.None); // DISCONNECT, corked

            await channel.DisconnectAsync(CancellationToken.None);

            Assert.Equal(new[] { new byte[] { 0xE0, 0 } }, inner.Writes);
            Assert.True(inner.Disconnected);
        }

        [Fact]
        public async Task A_failed_send_fails_the_flush_every_later_write_and_closes_the_inner_channel()
        {
            var inner = new RecordingChannel { FailWrites = true };
            var channel = new CoalescingMqttChannel(inner);
            channel.Cork();
            await channel.WriteAsync(Bytes(1), isEndOfPacket: true, CancellationToken.None);

            await Assert.ThrowsAsync<IOException>(() => channel.UncorkAsync());
            Assert.True(inner.Disposed); // MQTTnet's receive loop then sees the connection end and reconnects
            await Assert.ThrowsAsync<IOException>(() => channel.WriteAsync(Bytes(2), isEndOfPacket: true, CancellationToken.None));
        }

        [Fact]
        public async Task Small_reads_are_served_from_one_read_of_the_inner_channel()
        {
            // Three packets' worth of bytes arrive in one read; MQTTnet then asks for them 2 bytes at a time.
            var inner = new RecordingChannel();
            inner.Incoming.Enqueue(new byte[] { 0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 0, 3 });
            var channel = new CoalescingMqttChannel(inner);

            var got = new List<byte>();
            var buffer = new byte[2];
            for (int i = 0; i < 6; i++)
            {
                int n = await channel.ReadAsync(buffer, 0, 2, CancellationToken.None);
                got.AddRange(buffer.Take(n));
            }

            Assert.Equal(new byte[] { 0x40, 2, 0, 1, 0x40, 2, 0, 2, 0x40, 2, 0, 3 }, got);
            Assert.Equal(1, inner.Reads);
            Assert.Equal(0, await channel.ReadAsync(buffer, 0, 2, CancellationToken.None)); // then the connection's end, as the inner channel reports it
        }

        private sealed class RecordingChannel : IMqttChannel
        {
            public List<byte[]> Writes { get; } = new();

            public Queue<byte[]> Incoming { get; } = new();

            public int Reads { get; private set; }

            public bool FailWrites { get; init; }

            public bool Disconnected { get; private set; }

            public bool Disposed { get; private set; }

            public X509Certificate2 ClientCertificate => null!;

            public EndPoint RemoteEndPoint => new IPEndPoint(IPAddress.Loopback, 1883);

            public EndPoint LocalEndPoint => new IPEndPoint(IPAddress.Loopback, 50000);

            public bool IsSecureConnection => false;

            public Task ConnectAsync(CancellationToken cancellationToken) => Task.CompletedTask;

            public Task DisconnectAsync(CancellationToken cancellationToken)
            {
                Disconnected = true;
                return Task.CompletedTask;
            }

            public Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken)
            {
                Reads++;
                if (!Incoming.TryDequeue(out byte[]? data))
                {
                    return Task.FromResult(0);
                }

                int n = Math.Min(count, data.Length);
                Array.Copy(data, 0, buffer, offset, n);
                return Task.FromResult(n);
            }

            public Task WriteAsync(ReadOnlySequence<byte> buffer, bool isEndOfPacket, CancellationToken cancellationToken)
            {
                if (FailWrites)
                {
                    return Task.FromException(new IOException("connection reset"));
                }

                Writes.Add(buffer.ToArray());
                return Task.CompletedTask;
            }

            public void Dispose() => Disposed = true;
        }
    }
}
