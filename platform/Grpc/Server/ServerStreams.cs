using Grpc.Core;

namespace Grpc.AspNetCore.Server.Internal;

/// <summary>The request stream of a client-streaming or duplex call.</summary>
internal sealed class HttpServerStreamReader<TRequest>(HttpServerCallContext call, Func<DeserializationContext, TRequest> deserializer)
    : IAsyncStreamReader<TRequest> where TRequest : class
{
    private TRequest? _current;
    private bool _ended;
    private bool _reading;

    public TRequest Current => _current ?? throw new InvalidOperationException("No current message: call MoveNext first.");

    public Task<bool> MoveNext(CancellationToken cancellationToken)
    {
        if (_ended) return Task.FromResult(false);
        if (_reading) throw new InvalidOperationException("Can't read the next message while a read is in progress.");
        return MoveNextCore(cancellationToken);
    }

    private async Task<bool> MoveNextCore(CancellationToken cancellationToken)
    {
        _reading = true;
        try
        {
            CancellationTokenSource? linked = null;
            var token = call.CancellationToken;
            if (cancellationToken.CanBeCanceled && cancellationToken != token)
            {
                linked = CancellationTokenSource.CreateLinkedTokenSource(token, cancellationToken);
                token = linked.Token;
            }
            try
            {
                var message = await call.ReadMessageAsync(deserializer, token).ConfigureAwait(false);
                if (message is null)
                {
                    _ended = true;
                    _current = null;
                    return false;
                }
                _current = message;
                return true;
            }
            catch (OperationCanceledException) when (call.DeadlineExceeded)
            {
                throw new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"));
            }
            catch (OperationCanceledException) when (call.HttpContext.RequestAborted.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Cancelled, "The client cancelled the call."));
            }
            catch (IOException) when (call.HttpContext.RequestAborted.IsCancellationRequested)
            {
                throw new RpcException(new Status(StatusCode.Cancelled, "The client cancelled the call."));
            }
            finally
            {
                linked?.Dispose();
            }
        }
        finally
        {
            _reading = false;
        }
    }
}

/// <summary>The response stream of a server-streaming or duplex call; each write is flushed.</summary>
internal sealed class HttpServerStreamWriter<TResponse>(HttpServerCallContext call, Action<TResponse, SerializationContext> serializer)
    : IServerStreamWriter<TResponse> where TResponse : class
{
    private Task _pending = Task.CompletedTask;

    public WriteOptions? WriteOptions
    {
        get => call.WriteOptions;
        set => call.WriteOptions = value;
    }

    public Task WriteAsync(TResponse message) => WriteAsync(message, CancellationToken.None);

    public Task WriteAsync(TResponse message, CancellationToken cancellationToken)
    {
        if (!_pending.IsCompleted)
        {
            throw new InvalidOperationException("Can't write the next message until the previous write has completed.");
        }
        if (call.CancellationToken.IsCancellationRequested)
        {
            return Task.FromException(call.DeadlineExceeded
                ? new RpcException(new Status(StatusCode.DeadlineExceeded, "Deadline Exceeded"))
                : new RpcException(new Status(StatusCode.Cancelled, "The call was cancelled.")));
        }
        var flush = call.WriteMessageAsync(message, serializer, null, flush: true);
        if (flush.IsCompletedSuccessfully)
        {
            return Task.CompletedTask;
        }
        return _pending = flush.AsTask();
    }
}
