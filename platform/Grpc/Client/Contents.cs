using System.Net;

namespace Grpc.Net.Client;

/// <summary>The body of a unary or server-streaming request: one framed message, reusable across retries.</summary>
internal sealed class FramedMessageContent(ReadOnlyMemory<byte> frame) : HttpContent
{
    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        stream.WriteAsync(frame).AsTask();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken) =>
        stream.WriteAsync(frame, cancellationToken).AsTask();

    protected override bool TryComputeLength(out long length)
    {
        length = frame.Length;
        return true;
    }
}

/// <summary>
/// The body of a client-streaming or duplex request: the handler hands us its request stream,
/// the call's writer writes frames into it, and completing the writer ends the body (END_STREAM).
/// </summary>
internal sealed class StreamingRequestContent : HttpContent
{
    private readonly TaskCompletionSource<Stream> _stream = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly TaskCompletionSource _complete = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public Task<Stream> StreamTask => _stream.Task;

    public bool IsCompleted => _complete.Task.IsCompleted;

    public void Complete() => _complete.TrySetResult();

    public void Abort() => _stream.TrySetCanceled();

    protected override Task SerializeToStreamAsync(Stream stream, TransportContext? context) =>
        SerializeToStreamAsync(stream, context, CancellationToken.None);

    protected override async Task SerializeToStreamAsync(Stream stream, TransportContext? context, CancellationToken cancellationToken)
    {
        _stream.TrySetResult(stream);
        using var registration = cancellationToken.UnsafeRegister(static s => ((TaskCompletionSource)s!).TrySetCanceled(), _complete);
        await _complete.Task.ConfigureAwait(false);
    }

    protected override bool TryComputeLength(out long length)
    {
        length = -1;
        return false;
    }
}
