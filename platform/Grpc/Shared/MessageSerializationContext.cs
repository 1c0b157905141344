using System.Buffers;
using System.IO.Compression;
using Grpc.Core;
using Grpc.Net.Compression;

namespace Grpc.Shared;

/// <summary>
/// Serializes one message at a time as a length-prefixed gRPC frame into an output writer.
/// When the marshaller announces the payload length and the message is not compressed, it
/// writes straight into the output (no copy); otherwise it buffers in a pooled array.
/// Reused for every message of a call.
/// </summary>
internal sealed class MessageSerializationContext : SerializationContext, IDisposable
{
    private IBufferWriter<byte> _output = null!;
    private ICompressionProvider? _compression;
    private CompressionLevel? _level;
    private int _maxSize;
    private int _payloadLength;
    private bool _direct;
    private bool _completed;
    private PooledBufferWriter? _buffer;

    /// <summary>Serializes <paramref name="message"/> as one frame into <paramref name="output"/>.</summary>
    public void WriteMessage<T>(IBufferWriter<byte> output, T message, Action<T, SerializationContext> serializer,
        ICompressionProvider? compression, CompressionLevel? level, int maxSize)
    {
        _output = output;
        _compression = compression;
        _level = level;
        _maxSize = maxSize;
        _payloadLength = -1;
        _direct = false;
        _completed = false;
        _buffer?.Reset();
        serializer(message, this);
        if (!_completed)
        {
            throw new InvalidOperationException("The message serializer did not complete the payload.");
        }
    }

    public override void SetPayloadLength(int payloadLength)
    {
        CheckSize(payloadLength);
        _payloadLength = payloadLength;
    }

    public override IBufferWriter<byte> GetBufferWriter()
    {
        if (_payloadLength >= 0 && _compression is null)
        {
            var header = _output.GetSpan(GrpcProtocol.HeaderSize);
            GrpcProtocol.WriteHeader(header, compressed: false, _payloadLength);
            _output.Advance(GrpcProtocol.HeaderSize);
            _direct = true;
            return _output;
        }
        return _buffer ??= new PooledBufferWriter();
    }

    public override void Complete(byte[] payload)
    {
        WritePayload(payload);
        _completed = true;
    }

    public override void Complete()
    {
        if (!_direct)
        {
            WritePayload(_buffer is null ? ReadOnlySpan<byte>.Empty : _buffer.WrittenSpan);
        }
        _completed = true;
    }

    private void WritePayload(ReadOnlySpan<byte> payload)
    {
        CheckSize(payload.Length);
        if (_compression is not null)
        {
            var compressed = GrpcProtocol.Compress(_compression, payload, _level);
            WriteFrame(compressed, true);
        }
        else
        {
            WriteFrame(payload, false);
        }
    }

    private void WriteFrame(ReadOnlySpan<byte> payload, bool compressed)
    {
        var span = _output.GetSpan(GrpcProtocol.HeaderSize + payload.Length);
        if (span.Length >= GrpcProtocol.HeaderSize + payload.Length)
        {
            GrpcProtocol.WriteHeader(span, compressed, payload.Length);
            payload.CopyTo(span[GrpcProtocol.HeaderSize..]);
            _output.Advance(GrpcProtocol.HeaderSize + payload.Length);
            return;
        }
        GrpcProtocol.WriteHeader(span, compressed, payload.Length);
        _output.Advance(GrpcProtocol.HeaderSize);
        _output.Write(payload);
    }

    private void CheckSize(int length)
    {
        if (length > _maxSize)
        {
            throw new RpcException(new Status(StatusCode.ResourceExhausted,
                $"Sending message larger than max ({length} vs. {_maxSize})"));
        }
    }

    public void Dispose() => _buffer?.Dispose();
}

/// <summary>Presents one received payload to a deserializer; reused for every message of a call.</summary>
internal sealed class MessageDeserializationContext : DeserializationContext
{
    private ReadOnlySequence<byte> _payload;

    public void SetPayload(in ReadOnlySequence<byte> payload) => _payload = payload;

    public override int PayloadLength => (int)_payload.Length;

    public override byte[] PayloadAsNewBuffer() => _payload.ToArray();

    public override ReadOnlySequence<byte> PayloadAsReadOnlySequence() => _payload;
}
