using System.Net;
using Grpc.Core;
using Grpc.Net.Compression;
using Grpc.Shared;

namespace Grpc.Net.Client;

/// <summary>
/// A channel to one gRPC server over HTTP/2, as grpc-dotnet's: <c>GrpcChannel.ForAddress("http://host:port")</c>.
/// http:// uses HTTP/2 with prior knowledge (h2c); https:// negotiates h2 with ALPN. Calls share
/// the connection(s) of one handler; keep one channel per server for the application's life.
/// </summary>
public sealed class GrpcChannel : ChannelBase, IDisposable
{
    private readonly bool _disposeInvoker;
    private int _disposed;

    private GrpcChannel(Uri address, GrpcChannelOptions options) : base(address.Authority)
    {
        Address = address;
        Options = options;
        if (options.HttpClient is { } client)
        {
            Invoker = client;
            IsHttpClient = true;
            _disposeInvoker = options.DisposeHttpClient;
        }
        else if (options.HttpHandler is { } handler)
        {
            Invoker = new HttpMessageInvoker(handler, disposeHandler: options.DisposeHttpClient);
            _disposeInvoker = true;
        }
        else
        {
            Invoker = new HttpMessageInvoker(new SocketsHttpHandler
            {
                EnableMultipleHttp2Connections = options.EnableMultipleHttp2Connections,
                PooledConnectionIdleTimeout = Timeout.InfiniteTimeSpan,
                KeepAlivePingDelay = TimeSpan.FromSeconds(60),
                KeepAlivePingTimeout = TimeSpan.FromSeconds(30),
                KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
                ConnectTimeout = TimeSpan.FromSeconds(10),
                AutomaticDecompression = DecompressionMethods.None,
                UseCookies = false,
                UseProxy = false,
            }, disposeHandler: true);
            _disposeInvoker = true;
        }
        MaxReceiveMessageSize = options.MaxReceiveMessageSize ?? int.MaxValue;
        MaxSendMessageSize = options.MaxSendMessageSize ?? int.MaxValue;
        CompressionProviders = options.CompressionProviders.ToArray();
        AcceptEncoding = GrpcProtocol.AcceptEncodingValue(CompressionProviders);
        BaseAddress = address.GetLeftPart(UriPartial.Authority);
    }

    public static GrpcChannel ForAddress(string address) => ForAddress(new Uri(address), new GrpcChannelOptions());

    public static GrpcChannel ForAddress(string address, GrpcChannelOptions channelOptions) => ForAddress(new Uri(address), channelOptions);

    public static GrpcChannel ForAddress(Uri address) => ForAddress(address, new GrpcChannelOptions());

    public static GrpcChannel ForAddress(Uri address, GrpcChannelOptions channelOptions)
    {
        ArgumentNullException.ThrowIfNull(address);
        ArgumentNullException.ThrowIfNull(channelOptions);
        if (address.Scheme != Uri.UriSchemeHttp && address.Scheme != Uri.UriSchemeHttps)
        {
            throw new ArgumentException($"Address '{address}' must be http:// or https://.", nameof(address));
        }
        if (channelOptions.HttpClient is not null && channelOptions.HttpHandler is not null)
        {
            throw new ArgumentException("Set HttpClient or HttpHandler, not both.", nameof(channelOptions));
        }
        return new GrpcChannel(address, channelOptions);
    }

    public Uri Address { get; }

    internal GrpcChannelOptions Options { get; }
    internal HttpMessageInvoker Invoker { get; }
    internal bool IsHttpClient { get; }
    internal string BaseAddress { get; }
    internal int MaxReceiveMessageSize { get; }
    internal int MaxSendMessageSize { get; }
    internal IList<ICompressionProvider> CompressionProviders { get; }
    internal string AcceptEncoding { get; }
    private readonly System.Collections.Concurrent.ConcurrentDictionary<string, Uri> _methodUris = new(StringComparer.Ordinal);

    /// <summary>The request URI of a method, made once per method.</summary>
    internal Uri MethodUri(string fullName) => _methodUris.GetOrAdd(fullName, static (n, b) => new Uri(b + n), BaseAddress);

    internal bool Disposed => Volatile.Read(ref _disposed) == 1;

    public override CallInvoker CreateCallInvoker()
    {
        ObjectDisposedException.ThrowIf(Disposed, this);
        return new HttpClientCallInvoker(this);
    }

    protected override Task ShutdownAsyncCore()
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        if (Interlocked.Exchange(ref _disposed, 1) == 1) return;
        if (_disposeInvoker) Invoker.Dispose();
    }
}
