using Grpc.Core;
using Grpc.Net.Compression;

namespace Platform.ServiceDefaults;

/// <summary>
/// A request compression provider that inflates at most a set number of bytes. grpc-dotnet inflates
/// a compressed request into memory whole before it checks the message limit, so 32 gzip requests
/// of 130 KB each inflating to 128 MiB took a service from 170 MiB to 2.5 GiB of resident memory,
/// which it kept. Wrapping each provider (gzip, deflate) stops the inflation at the bound with
/// RESOURCE_EXHAUSTED. Requests sent uncompressed keep the service's full message limit.
/// </summary>
public sealed class BoundedDecompression(ICompressionProvider inner, int maxInflatedBytes) : ICompressionProvider
{
    public string EncodingName => inner.EncodingName;

    public Stream CreateCompressionStream(Stream stream, System.IO.Compression.CompressionLevel? compressionLevel) =>
        inner.CreateCompressionStream(stream, compressionLevel);

    public Stream CreateDecompressionStream(Stream stream) => new Bounded(inner.CreateDecompressionStream(stream), maxInflatedBytes, inner.EncodingName);

    private sealed class Bounded(Stream inflating, int limit, string encoding) : Stream
    {
        private long _read;

        public override int Read(byte[] buffer, int offset, int count) => Count(inflating.Read(buffer, offset, Math.Min(count, Room())));

        public override int Read(Span<byte> buffer) => Count(inflating.Read(buffer[..Math.Min(buffer.Length, Room())]));

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default) =>
            Count(await inflating.ReadAsync(buffer[..Math.Min(buffer.Length, Room())], cancellationToken).ConfigureAwait(false));

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        /// <summary>Reads at most one byte past the limit, which is enough to know the message is over it.</summary>
        private int Room() => (int)Math.Min(int.MaxValue, limit + 1L - _read);

        private int Count(int read)
        {
            _read += read;
            if (_read > limit)
            {
                throw new RpcException(new Status(StatusCode.ResourceExhausted,
                    $"the {encoding}-compressed request inflates to more than {limit} bytes, the most a compressed request may hold; send it uncompressed"));
            }

            return read;
        }

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inflating.Dispose();
            }

            base.Dispose(disposing);
        }

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => throw new NotSupportedException();
        public override long Position { get => _read; set => throw new NotSupportedException(); }
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
