using System.Buffers;
using System.Net;

namespace Wsis.Gateway.Proxy;

/// <summary>The incoming request body, copied to the destination as it arrives. The length is
/// unknown, so HTTP/2 carries it as DATA frames that end with END_STREAM when the client's body
/// ends. Nothing waits in a buffer: whatever was written is flushed before waiting for the client.
/// Over HTTP/2 SocketsHttpHandler returns the response while this copy still runs (full duplex).</summary>
internal sealed class StreamingRequestContent(Stream source, CancellationToken cancellation) : HttpContent
{
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private int _started;

    /// <summary>True once the handler asked for the body: from then on the call may have reached the destination.</summary>
    public bool Started => Volatile.Read(ref _started) != 0;

    public Task Completion => _completion.Task;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        Volatile.Write(ref _started, 1);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, cancellationToken);
        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            // What was written goes out whenever the client's next bytes are not there yet:
            // SocketsHttpHandler holds the request HEADERS frame back until body data is written,
            // and a streaming client may send nothing until it has the response headers. Bytes
            // already received are written without a flush of their own, so a unary call (its
            // whole body usually arrives with its headers) leaves as one write: HEADERS, DATA and
            // the END_STREAM the handler adds when this returns.
            var pending = source.ReadAsync(buffer, linked.Token);
            while (true)
            {
                if (!pending.IsCompleted)
                {
                    await stream.FlushAsync(linked.Token);
                }
                var read = await pending;
                if (read == 0)
                {
                    break;
                }
                await stream.WriteAsync(buffer.AsMemory(0, read), linked.Token);
                pending = source.ReadAsync(buffer, linked.Token);
            }
            _completion.TrySetResult();
        }
        catch (Exception e)
        {
            // Rethrowing makes the handler reset the destination's stream, which is what a
            // client that went away (or a cancelled call) must cause downstream.
            _completion.TrySetException(e);
            throw;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
