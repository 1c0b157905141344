using Grpc.Core;
using Grpc.Shared;

namespace Grpc.Net.Client;

/// <summary>The response stream of a server-streaming or duplex call.</summary>
internal sealed class HttpClientStreamReader<TRequest, TResponse>(GrpcCall<TRequest, TResponse> call) : IAsyncStreamReader<TResponse>
    where TRequest : class where TResponse : class
{
    private TResponse? _current;
    private bool _ended;
    private bool _reading;

    public TResponse Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first.");

    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_ended) return Task.FromResult(false);
        if (_reading) throw new InvalidOperationException("Can't read the next message while a read is in progress.");
        return MoveNextCore(cancellationToken);
    }

    private async Task<bool> MoveNextCore(CancellationToken cancellationToken)
    {
        _reading = true;
        // Cancelling a read cancels the call, as with grpc-dotnet.
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((GrpcCall<TRequest, TResponse>)s!).Cancel(1), call)
            : default;
        try
        {
            var message = await call.ReadNextAsync().ConfigureAwait(false);
            if (message is null)
            {
                _ended = true;
                _current = null;
                return false;
            }
            _current = message;
            return true;
        }
        finally
        {
            _reading = false;
        }
    }
}

/// <summary>The request stream of a client-streaming or duplex call.</summary>
internal sealed class HttpClientStreamWriter<TRequest> : IClientStreamWriter<TRequest> where TRequest : class
{
    private readonly IWriterCall _call;
    private readonly StreamingRequestContent _content;
    private readonly MessageSerializationContext _serialization = new();
    private readonly PooledBufferWriter _buffer = new();
    private Task _pending = Task.CompletedTask;
    private bool _completed;

    internal HttpClientStreamWriter(IWriterCall call, StreamingRequestContent content)
    {
        _call = call;
        _content = content;
        WriteOptions = call.DefaultWriteOptions;
    }

    public WriteOptions? WriteOptions { get; set; }

    public Task WriteAsync(TRequest message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(TRequest message, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(message);
        if (_completed) throw new InvalidOperationException("Request stream has already been completed.");
        if (!_pending.IsCompleted) throw new InvalidOperationException("Can't write the message because the previous write is in progress.");
        return _pending = WriteCoreAsync(message, cancellationToken);
    }

    private async Task WriteCoreAsync(TRequest message, CancellationToken cancellationToken)
    {
        using var registration = cancellationToken.CanBeCanceled
            ? cancellationToken.UnsafeRegister(static s => ((IWriterCall)s!).CancelByCaller(), _call)
            : default;
        try
        {
            _call.ThrowIfSettledWithError();
            var stream = await _content.StreamTask.WaitAsync(_call.Token).ConfigureAwait(false);
            _buffer.Reset();
            _call.Serialize(_serialization, _buffer, message, WriteOptions);
            await stream.WriteAsync(_buffer.WrittenMemory, _call.Token).ConfigureAwait(false);
            await stream.FlushAsync(_call.Token).ConfigureAwait(false);
        }
        catch (Exception ex)
        {
            throw _call.Fail(ex);
        }
    }

    public Task CompleteAsync()
    {
        _completed = true;
        _content.Complete();
        return Task.CompletedTask;
    }
}

/// <summary>What a request-stream writer needs from its call (keeps the writer free of the response type).</summary>
internal interface IWriterCall
{
    CancellationToken Token { get; }
    WriteOptions? DefaultWriteOptions { get; }
    void CancelByCaller();
    void ThrowIfSettledWithError();
    RpcException Fail(Exception exception);
    void Serialize<T>(MessageSerializationContext context, PooledBufferWriter output, T message, WriteOptions? options);
}
