using System.Buffers;
using System.IO.Pipelines;
using Grpc.Core;
using Grpc.Net.Compression;

namespace Grpc.Shared;

/// <summary>
/// Reads length-prefixed messages from a pipe, whatever the DATA frame boundaries were:
/// it waits until a whole message is buffered, then deserializes it in place.
/// </summary>
internal sealed class MessageReader(PipeReader reader, int maxMessageSize, ICompressionProvider? decompressor, string? unsupportedEncoding, bool isServer)
{
    private readonly MessageDeserializationContext _context = new();

    /// <summary>Whether the last message read had its compressed flag set.</summary>
    public bool LastMessageCompressed { get; private set; }

    /// <summary>The next message, or null at the end of the stream.</summary>
    public ValueTask<T?> ReadAsync<T>(Func<DeserializationContext, T> deserializer, CancellationToken cancellationToken) where T : class
    {
        // Fast path without an async state machine: the whole message is already buffered
        // (the common case for small unary requests, whose DATA frame came with the headers).
        if (!cancellationToken.IsCancellationRequested && reader.TryRead(out var result))
        {
            var buffer = result.Buffer;
            bool found;
            bool compressed;
            ReadOnlySequence<byte> payload;
            try
            {
                found = GrpcProtocol.TryReadMessage(buffer, maxMessageSize, out compressed, out payload);
            }
            catch
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
            if (found)
            {
                try
                {
                    LastMessageCompressed = compressed;
                    return new ValueTask<T?>(Deserialize(payload, compressed, deserializer));
                }
                finally
                {
                    reader.AdvanceTo(payload.End);
                }
            }
            if (result.IsCompleted && buffer.Length == 0)
            {
                reader.AdvanceTo(buffer.End);
                return new ValueTask<T?>((T?)null);
            }
            // Not enough yet: give the bytes back and wait for more.
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
        return ReadSlowAsync(deserializer, cancellationToken);
    }

    private async ValueTask<T?> ReadSlowAsync<T>(Func<DeserializationContext, T> deserializer, CancellationToken cancellationToken) where T : class
    {
        while (true)
        {
            var result = await reader.ReadAsync(cancellationToken).ConfigureAwait(false);
            var buffer = result.Buffer;
            bool found;
            bool compressed;
            ReadOnlySequence<byte> payload;
            try
            {
                found = GrpcProtocol.TryReadMessage(buffer, maxMessageSize, out compressed, out payload);
            }
            catch
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw;
            }
            if (found)
            {
                try
                {
                    LastMessageCompressed = compressed;
                    return Deserialize(payload, compressed, deserializer);
                }
                finally
                {
                    reader.AdvanceTo(payload.End);
                }
            }
            if (result.IsCompleted)
            {
                reader.AdvanceTo(buffer.End);
                if (buffer.Length == 0) return null;
                throw new RpcException(new Status(StatusCode.Internal, "Incomplete message: the stream ended inside a message."));
            }
            if (result.IsCanceled)
            {
                reader.AdvanceTo(buffer.Start, buffer.End);
                throw new OperationCanceledException(cancellationToken);
            }
            reader.AdvanceTo(buffer.Start, buffer.End);
        }
    }

    private T Deserialize<T>(in ReadOnlySequence<byte> payload, bool compressed, Func<DeserializationContext, T> deserializer)
    {
        if (!compressed)
        {
            _context.SetPayload(payload);
            return Invoke(deserializer);
        }
        if (decompressor is null)
        {
            throw new RpcException(new Status(unsupportedEncoding is null ? StatusCode.Internal : StatusCode.Unimplemented,
                unsupportedEncoding is null
                    ? "A compressed message arrived without a grpc-encoding."
                    : $"Unsupported grpc-encoding value '{unsupportedEncoding}'."));
        }
        var rented = GrpcProtocol.Decompress(decompressor, payload, maxMessageSize, out var length);
        try
        {
            _context.SetPayload(new ReadOnlySequence<byte>(rented, 0, length));
            return Invoke(deserializer);
        }
        finally
        {
            _context.SetPayload(default);
            ArrayPool<byte>.Shared.Return(rented);
        }
    }

    private T Invoke<T>(Func<DeserializationContext, T> deserializer)
    {
        try
        {
            var message = deserializer(_context);
            if (isServer && message is Google.Protobuf.IMessage parsed
                && Utf8StringFields.FirstInvalid(_context.PayloadAsReadOnlySequence(), parsed.Descriptor) is { } field)
            {
                throw new RpcException(new Status(StatusCode.Internal, $"Failed to deserialize the request message: string field '{field}' is not valid UTF-8."));
            }
            return message;
        }
        catch (Exception ex) when (ex is not RpcException)
        {
            throw new RpcException(new Status(StatusCode.Internal,
                isServer ? "Failed to deserialize the request message." : "Failed to deserialize the response message.", ex));
        }
        finally
        {
            _context.SetPayload(default);
        }
    }
}
