namespace Grpc.Core;

/// <summary>What a handler knows about its call, and how it sets headers, trailers and status.</summary>
public abstract class ServerCallContext
{
    private Dictionary<object, object>? _userState;

    /// <summary>The method's full name, <c>/package.Service/Method</c>.</summary>
    public string Method => MethodCore;
    public string Host => HostCore;
    public string Peer => PeerCore;
    /// <summary>The call's deadline (UTC), <see cref="DateTime.MaxValue"/> when none.</summary>
    public DateTime Deadline => DeadlineCore;
    public Metadata RequestHeaders => RequestHeadersCore;
    /// <summary>Fires when the client cancels, the deadline passes or the server shuts down.</summary>
    public CancellationToken CancellationToken => CancellationTokenCore;
    public Metadata ResponseTrailers => ResponseTrailersCore;
    public Status Status
    {
        get => StatusCore;
        set => StatusCore = value;
    }
    public WriteOptions? WriteOptions
    {
        get => WriteOptionsCore;
        set => WriteOptionsCore = value;
    }
    /// <summary>Per-call state for interceptors and handlers.</summary>
    public IDictionary<object, object> UserState => UserStateCore;

    /// <summary>Sends the response headers now (at most once, before the first message).</summary>
    public Task WriteResponseHeadersAsync(Metadata responseHeaders) => WriteResponseHeadersAsyncCore(responseHeaders);

    protected abstract string MethodCore { get; }
    protected abstract string HostCore { get; }
    protected abstract string PeerCore { get; }
    protected abstract DateTime DeadlineCore { get; }
    protected abstract Metadata RequestHeadersCore { get; }
    protected abstract CancellationToken CancellationTokenCore { get; }
    protected abstract Metadata ResponseTrailersCore { get; }
    protected abstract Status StatusCore { get; set; }
    protected abstract WriteOptions? WriteOptionsCore { get; set; }
    protected virtual IDictionary<object, object> UserStateCore => _userState ??= [];
    protected abstract Task WriteResponseHeadersAsyncCore(Metadata responseHeaders);
}
