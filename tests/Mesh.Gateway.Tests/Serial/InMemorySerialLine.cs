using System;
using System.IO;
using System.IO.Pipelines;
using System.Threading;
using System.Threading.Tasks;

namespace Mesh.Gateway.Tests.SerialTests
{
    /// <summary>
    /// Two ends of an in-memory full-duplex byte line (a crossed pair of System.IO.Pipelines pipes): what one
    /// end writes, the other reads, in whatever chunks the pipe hands over.
    /// </summary>
    internal sealed class InMemorySerialLine
    {
        private readonly Pipe _aToB = new();
        private readonly Pipe _bToA = new();

        public InMemorySerialLine()
        {
            A = new End(_bToA.Reader.AsStream(), _aToB.Writer.AsStream());
            B = new End(_aToB.Reader.AsStream(), _bToA.Writer.AsStream());
        }

        public End A { get; }

        public End B { get; }

        public sealed class End : Stream
        {
            private readonly Stream _in;
            private readonly Stream _out;

            public End(Stream input, Stream output)
            {
                _in = input;
                _out = output;
            }

            public override bool CanRead => true;

            public override bool CanSeek => false;

            public override bool CanWrite => true;

            public override long Length => throw new NotSupportedException();

            public override long Position
            {
                get => throw new NotSupportedException();
                set => throw new NotSupportedException();
            }

            /// <summary>Ends what this end writes: the other end reads end-of-stream.</summary>
            public void CloseOutput() => _out.Dispose();

            public override int Read(byte[] buffer, int offset, int count) => _in.Read(buffer, offset, count);

            public override ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
                _in.ReadAsync(buffer, cancellationToken);

            public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                _in.ReadAsync(buffer, offset, count, cancellationToken);

            public override void Write(byte[] buffer, int offset, int count) => _out.Write(buffer, offset, count);

            public override ValueTask WriteAsync(ReadOnlyMemory<byte> buffer, CancellationToken cancellationToken = default) =>
                _out.WriteAsync(buffer, cancellationToken);

            public override Task WriteAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
                _out.WriteAsync(buffer, offset, count, cancellationToken);

            public override void Flush() => _out.Flush();

            public override Task FlushAsync(CancellationToken cancellationToken) => _out.FlushAsync(cancellationToken);

            public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

            public override void SetLength(long value) => throw new NotSupportedException();

            protected override void Dispose(bool disposing)
            {
                if (disposing)
                {
                    _in.Dispose();
                    _out.Dispose();
                }

                base.Dispose(disposing);
            }
        }
    }
}
