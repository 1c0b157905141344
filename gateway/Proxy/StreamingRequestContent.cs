using System.Buffers;
using System.IO.Pipelines;
using System.Net;

namespace Wsis.Gateway.Proxy;

/// <summary>The incoming request body, copied to the destination as it arrives. The length is
/// unknown, so HTTP/2 carries it as DATA frames that end with END_STREAM when the client's body
/// ends. Nothing waits in a buffer: whatever was written is flushed before waiting for the client.
/// Over HTTP/2 SocketsHttpHandler returns the response while this copy still runs (full duplex).
/// The body is read from Kestrel's <see cref="PipeReader"/> and written straight from its buffers.</summary>
internal sealed class StreamingRequestContent(PipeReader source, CancellationToken cancellation) : HttpContent
{
    private Task? _copy;

    /// <summary>True once the handler asked for the body: from then on the call may have reached the destination.</summary>
    public bool Started => Volatile.Read(ref _copy) is not null;

    /// <summary>The copy of the body; completed when it was never started.</summary>
    public Task Completion => Volatile.Read(ref _copy) ?? Task.CompletedTask;

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        var copy = CopyAsync(stream, cancellationToken);
        Volatile.Write(ref _copy, copy);
        return copy;
    }

    private async Task CopyAsync(Stream stream, CancellationToken cancellationToken)
    {
        // A unary call's whole body has usually arrived with its headers: it is written at once,
        // with no flush of its own, so it leaves as one write: HEADERS, DATA and the END_STREAM
        // the handler adds when this returns. SocketsHttpHandler holds the request HEADERS frame
        // back until body data is written, and a streaming client may send nothing until it has
        // the response headers: what was written goes out whenever the client's next bytes are
        // not there yet.
        CancellationTokenSource? linked = null;
        try
        {
            while (true)
            {
                if (!source.TryRead(out var result))
                {
                    linked ??= cancellation.CanBeCanceled && cancellationToken.CanBeCanceled
                        ? CancellationTokenSource.CreateLinkedTokenSource(cancellation, cancellationToken)
                        : null;
                    var token = linked?.Token ?? (cancellation.CanBeCanceled ? cancellation : cancellationToken);
                    await stream.FlushAsync(token);
                    result = await source.ReadAsync(token);
                }
                var buffer = result.Buffer;
                try
                {
                    if (buffer.IsSingleSegment)
                    {
                        await stream.WriteAsync(buffer.First, cancellation);
                    }
                    else
                    {
                        foreach (var segment in buffer)
                        {
                            await stream.WriteAsync(segment, cancellation);
                        }
                    }
                }
                finally
                {
                    source.AdvanceTo(buffer.End);
                }
                if (result.IsCompleted)
                {
                    return;
                }
                if (result.IsCanceled)
                {
                    throw new OperationCanceledException("the request body copy was cancelled");
                }
            }
        }
        finally
        {
            // Rethrowing (the exception flows out of the task) makes the handler reset the
            // destination's stream, which is what a client that went away (or a cancelled call)
            // must cause downstream.
            linked?.Dispose();
        }
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
