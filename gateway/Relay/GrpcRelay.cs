using System.Buffers;
using System.IO.Pipelines;
using System.Runtime.CompilerServices;
using Microsoft.AspNetCore.Connections;
using Microsoft.AspNetCore.Connections.Features;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core;
using Microsoft.Extensions.Options;
using Wsis.Gateway.Edge;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Relay;

public sealed class GrpcRelayOptions
{
    public const string SectionName = "Gateway:Relay";

    /// <summary>Relay cleartext HTTP/2 connections frame by frame (see <see cref="GrpcRelay"/>);
    /// false serves every connection with Kestrel's HTTP/2 server and the forwarder, as before.</summary>
    public bool Enabled { get; set; } = true;
}

/// <summary>What the relay decided for a new stream: <see cref="Route"/> null means the slow lane.</summary>
internal readonly record struct RelayCall(RouteState? Route, ClusterState? Cluster, TimeSpan? ClientTimeout, TimeSpan? Limit, int Hops)
{
    public static RelayCall Slow => default;
}

/// <summary>What a path decides (its route and cluster, or none: the slow lane), remembered per
/// client connection by the identity of the path string and of the configuration snapshot: the
/// relay's decoder hands out the same path instance for a method a client calls again.</summary>
internal sealed class PathDecisions
{
    private readonly Slot[] _slots = new Slot[16];

    public bool TryGet(string path, ProxySnapshot snapshot, out RouteState? route, out ClusterState? cluster)
    {
        ref var slot = ref _slots[(uint)RuntimeHelpers.GetHashCode(path) % (uint)_slots.Length];
        if (ReferenceEquals(slot.Path, path) && ReferenceEquals(slot.Snapshot, snapshot))
        {
            (route, cluster) = (slot.Route, slot.Cluster);
            return true;
        }
        (route, cluster) = (null, null);
        return false;
    }

    public void Set(string path, ProxySnapshot snapshot, RouteState? route, ClusterState? cluster) =>
        _slots[(uint)RuntimeHelpers.GetHashCode(path) % (uint)_slots.Length] = new Slot(path, snapshot, route, cluster);

    private readonly record struct Slot(string? Path, ProxySnapshot? Snapshot, RouteState? Route, ClusterState? Cluster);
}

/// <summary>The gateway's frame-level gRPC relay on its cleartext HTTP/2 port. Forwarding a unary
/// call through Kestrel's HTTP/2 server and an HttpClient costs the gateway about twice what the
/// destination spends answering it (two full HTTP/2 stacks and their per-request objects); relaying
/// frames costs a fraction. Only calls the forwarder would pass through untouched take the short way
/// (<see cref="Classify"/>); everything else, and any connection that is not HTTP/2 with prior
/// knowledge (TLS, HTTP/1.1), is served by Kestrel exactly as without the relay.</summary>
public sealed partial class GrpcRelay
{
    internal static readonly TimeSpan TickPeriod = TimeSpan.FromMilliseconds(100);
    internal static readonly TimeSpan ReconnectPause = TimeSpan.FromSeconds(1);
    internal const int MaxResetsPerSecond = 200;

    private readonly ProxyConfiguration _proxy;
    private readonly SubmissionPaths _submissions;
    private readonly EndpointDataSource _endpoints;
    private readonly IOptionsMonitor<GrpcRelayOptions> _options;
    private HashSet<string>? _local;

    public GrpcRelay(ProxyConfiguration proxy, SubmissionPaths submissions, EndpointDataSource endpoints, RequestForwarder forwarder,
        TimeProvider time, IOptions<ForwarderOptions> forwarderOptions, IOptionsMonitor<GrpcRelayOptions> options,
        IHostApplicationLifetime lifetime, ILogger<GrpcRelay> logger)
    {
        _proxy = proxy;
        _submissions = submissions;
        _endpoints = endpoints;
        _options = options;
        Forwarder = forwarder;
        Time = time;
        Logger = logger;
        ConnectTimeout = forwarderOptions.Value.ConnectTimeout;
        Stopping = lifetime.ApplicationStopping;
    }

    internal RequestForwarder Forwarder { get; }

    private static readonly System.Diagnostics.Metrics.Meter Meter = new("Wsis.Gateway.Relay");
    private static readonly System.Diagnostics.Metrics.Counter<long> Calls = Meter.CreateCounter<long>(
        "gateway.relay.calls", description: "Calls on the relayed gRPC port, by the way they took (relayed: straight to a destination; kestrel: the slow lane)");
    private static readonly KeyValuePair<string, object?> RelayedTag = new("gateway.relay.way", "relayed");
    private static readonly KeyValuePair<string, object?> KestrelTag = new("gateway.relay.way", "kestrel");
    private long _relayed;
    private long _kestrel;

    /// <summary>Calls relayed straight to a destination since start.</summary>
    public long RelayedCalls => Interlocked.Read(ref _relayed);

    /// <summary>Calls handed to the slow lane (Kestrel and the forwarder) since start.</summary>
    public long SlowLaneCalls => Interlocked.Read(ref _kestrel);

    internal void CountCall(bool relayed)
    {
        if (relayed)
        {
            Interlocked.Increment(ref _relayed);
            Calls.Add(1, RelayedTag);
        }
        else
        {
            Interlocked.Increment(ref _kestrel);
            Calls.Add(1, KestrelTag);
        }
    }

    internal TimeProvider Time { get; }

    internal ILogger Logger { get; }

    internal TimeSpan ConnectTimeout { get; }

    internal CancellationToken Stopping { get; }

    internal long MaxRequestBodySize { get; set; } = 32 * 1024 * 1024;

    internal TimeSpan HandshakeTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Kestrel's HTTP/2 keep-alive timeout: a connection without calls for this long is closed.</summary>
    internal TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(130);

    /// <summary>Relays connections of cleartext HTTP/2 endpoints; others go to <paramref name="next"/> (Kestrel) untouched.</summary>
    internal async Task OnConnectionAsync(ConnectionContext connection, ConnectionDelegate next, ListenOptions listen)
    {
        if (!_options.CurrentValue.Enabled || listen.Protocols != HttpProtocols.Http2)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        var input = connection.Transport.Input;
        bool isPreface;
        using (var handshake = new CancellationTokenSource(HandshakeTimeout))
        {
            try
            {
                var start = new byte[Http2Preface.Bytes.Length];
                while (true)
                {
                    var result = await input.ReadAsync(handshake.Token).ConfigureAwait(false);
                    var buffer = result.Buffer;
                    var seen = (int)Math.Min(buffer.Length, Http2Preface.Bytes.Length);
                    buffer.Slice(0, seen).CopyTo(start);
                    var matches = start.AsSpan(0, seen).SequenceEqual(Http2Preface.Bytes[..seen]);
                    if (!matches || seen == Http2Preface.Bytes.Length || result.IsCompleted)
                    {
                        isPreface = matches && seen == Http2Preface.Bytes.Length;
                        input.AdvanceTo(buffer.Start);
                        break;
                    }
                    input.AdvanceTo(buffer.Start, buffer.End);
                }
            }
            catch (OperationCanceledException)
            {
                // Nothing sent within the handshake timeout: Kestrel would have closed it too.
                return;
            }
        }
        if (!isPreface)
        {
            await next(connection).ConfigureAwait(false);
            return;
        }
        var relay = new RelayConnection(connection, next, this);
        await relay.RunAsync().ConfigureAwait(false);
    }

    /// <summary>The short way for the calls the forwarder would pass through with nothing to decide
    /// but the destination: a gRPC POST on a plain path that a route matches, without a token (the
    /// token gate validates those), not a submission (rate-limited), not a gRPC service this process
    /// serves itself, not looping. Anything unusual in the header list (upper-case or connection
    /// header names, pseudo-headers after regular ones, encoded or dotted paths) also takes the slow
    /// lane, where Kestrel applies its own checks.</summary>
    internal RelayCall Classify(List<KeyValuePair<string, string>> fields, PathDecisions decisions)
    {
        string? method = null, path = null, scheme = null, contentType = null, timeout = null, hops = null;
        var regular = false;
        foreach (var (name, value) in fields)
        {
            if (name.Length == 0)
            {
                return RelayCall.Slow;
            }
            if (name[0] == ':')
            {
                if (regular)
                {
                    return RelayCall.Slow;
                }
                switch (name)
                {
                    case ":method": method = value; break;
                    case ":path": path = value; break;
                    case ":scheme": scheme = value; break;
                    case ":authority": break;
                    default: return RelayCall.Slow;
                }
                continue;
            }
            regular = true;
            foreach (var ch in name)
            {
                if (ch is < '!' or > '~' or (>= 'A' and <= 'Z'))
                {
                    return RelayCall.Slow;
                }
            }
            switch (name)
            {
                case "content-type": contentType = value; break;
                case "grpc-timeout": timeout = value; break;
                case RequestForwarder.HopsHeader: hops = value; break;
                case "authorization":
                case "connection":
                case "keep-alive":
                case "proxy-connection":
                case "transfer-encoding":
                case "upgrade":
                case "host":
                    return RelayCall.Slow;
                case "te" when value != "trailers":
                    return RelayCall.Slow;
            }
        }
        if (method != "POST" || scheme is null || path is null
            || contentType is null || !contentType.StartsWith(GrpcProtocol.ContentType, StringComparison.OrdinalIgnoreCase))
        {
            return RelayCall.Slow;
        }
        var snapshot = _proxy.Current;
        if (!decisions.TryGet(path, snapshot, out var route, out var cluster))
        {
            (route, cluster) = Decide(snapshot, path);
            decisions.Set(path, snapshot, route, cluster);
        }
        if (route is null)
        {
            return RelayCall.Slow;
        }
        var hopCount = 0;
        if (hops is not null && (!int.TryParse(hops, System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out hopCount) || hopCount >= RequestForwarder.MaxHops))
        {
            return RelayCall.Slow;
        }
        var clientTimeout = GrpcProtocol.ParseTimeout(timeout);
        return new RelayCall(route, cluster, clientTimeout, RequestForwarder.Shorter(route.Timeout, clientTimeout), hopCount);
    }

    /// <summary>The route and cluster of a path the relay may take, or none: a path that is not
    /// plain, no route, a submission path, a service this process serves, a cluster not HTTP/2.</summary>
    private (RouteState? Route, ClusterState? Cluster) Decide(ProxySnapshot snapshot, string path)
    {
        if (path.Length <= 1 || path[0] != '/' || path.AsSpan().IndexOfAny('%', '?', '#') >= 0
            || path.Contains("/.", StringComparison.Ordinal) || path.Contains("//", StringComparison.Ordinal))
        {
            return default;
        }
        var route = RouteFor(snapshot, path);
        if (route is null)
        {
            return default;
        }
        _local ??= ReverseProxyExtensions.LocalGrpcServices(_endpoints);
        if (_local.Count > 0 && path.IndexOf('/', 1) is > 1 and var end && _local.Contains(path[1..end]))
        {
            return default;
        }
        var cluster = snapshot.Clusters[route.ClusterId];
        return cluster.HttpVersion == System.Net.HttpVersion.Version20 ? (route, cluster) : default;
    }

    private const int MaxCachedPaths = 1024;
    private (ProxySnapshot Snapshot, System.Collections.Concurrent.ConcurrentDictionary<string, RouteState?> Routes) _routes =
        (null!, new(StringComparer.Ordinal));

    /// <summary>The route of a path the relay may take (null: none, or a submission path), remembered
    /// per configuration snapshot: matching runs the routes' and the submission paths' patterns.</summary>
    private RouteState? RouteFor(ProxySnapshot snapshot, string path)
    {
        var cache = _routes;
        if (!ReferenceEquals(cache.Snapshot, snapshot))
        {
            cache = (snapshot, new(StringComparer.Ordinal));
            _routes = cache;
        }
        if (cache.Routes.TryGetValue(path, out var route))
        {
            return route;
        }
        route = snapshot.Match("POST", path);
        if (route is not null && _submissions.IsSubmission(path))
        {
            route = null;
        }
        if (cache.Routes.Count < MaxCachedPaths)
        {
            cache.Routes.TryAdd(path, route);
        }
        return route;
    }

    /// <summary>The header block a destination receives, as the forwarder builds it: the client's
    /// fields in order, then X-Forwarded-For/-Proto/-Host and the hop count (the client's own values
    /// of those replaced, X-Forwarded-For extended), encoded with the destination connection's table.</summary>
    internal static void EncodeForwardedRequest(List<KeyValuePair<string, string>> fields, in RelayCall call, string? remoteAddress, HpackTableEncoder table, IBufferWriter<byte> output)
    {
        table.BeginBlock(output);
        string? forwardedFor = null, authority = null;
        foreach (var (name, value) in fields)
        {
            switch (name)
            {
                case "x-forwarded-for":
                    forwardedFor = forwardedFor is null ? value : forwardedFor + ", " + value;
                    continue;
                case "x-forwarded-proto":
                case "x-forwarded-host":
                case RequestForwarder.HopsHeader:
                    continue;
                case ":authority":
                    authority = value;
                    break;
            }
            table.Encode(name, value, output);
        }
        if (remoteAddress is not null)
        {
            table.Encode("x-forwarded-for", forwardedFor is null ? remoteAddress : forwardedFor + ", " + remoteAddress, output);
        }
        table.Encode("x-forwarded-proto", "http", output);
        if (authority is not null)
        {
            table.Encode("x-forwarded-host", authority, output);
        }
        table.Encode(RequestForwarder.HopsHeader, RequestForwarder.NextHop(call.Hops), output);
    }

    [LoggerMessage(Level = LogLevel.Debug, Message = "Relay connection {Connection}: protocol error {Error}: {Reason}")]
    internal static partial void LogProtocolError(ILogger logger, string connection, string error, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Relay connection {Connection} failed in the gateway")]
    internal static partial void LogRelayFailed(ILogger logger, string connection, Exception exception);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relay: connecting to destination {Destination} failed ({Error}); its calls take the forwarder meanwhile")]
    internal static partial void LogConnectFailed(ILogger logger, string destination, string error);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Relay: connection to destination {Destination} lost with calls in progress: {Reason}")]
    internal static partial void LogUpstreamLost(ILogger logger, string destination, string reason);
}

public static class GrpcRelayExtensions
{
    /// <summary>Puts the relay in front of Kestrel's HTTP/2 handling on every endpoint (it relays
    /// only cleartext HTTP/2-only endpoints). Call before any code-defined Listen.</summary>
    public static WebApplicationBuilder AddGrpcRelay(this WebApplicationBuilder builder)
    {
        builder.Services.AddOptions<GrpcRelayOptions>().Bind(builder.Configuration.GetSection(GrpcRelayOptions.SectionName));
        builder.Services.AddSingleton<GrpcRelay>();
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.ConfigureEndpointDefaults(listen =>
        {
            GrpcRelay? relay = null;
            listen.Use(next => connection =>
            {
                if (relay is null)
                {
                    relay = kestrel.ApplicationServices.GetRequiredService<GrpcRelay>();
                    relay.MaxRequestBodySize = kestrel.Limits.MaxRequestBodySize ?? long.MaxValue;
                    relay.IdleTimeout = kestrel.Limits.KeepAliveTimeout;
                }
                return relay.OnConnectionAsync(connection, next, listen);
            });
        }));
        return builder;
    }
}

internal sealed class DuplexPipe(PipeReader input, PipeWriter output) : IDuplexPipe
{
    public PipeReader Input { get; } = input;

    public PipeWriter Output { get; } = output;
}

/// <summary>The slow lane's connection as Kestrel sees it: in-memory pipes, with the client
/// connection's features underneath (addresses, TLS, lifetime, heartbeat), so requests on it look
/// like the client's own.</summary>
internal sealed class SlowLaneConnection : ConnectionContext, IConnectionIdFeature, IConnectionTransportFeature,
    IConnectionItemsFeature, IConnectionLifetimeFeature
{
    private readonly CancellationTokenSource _closed = new();
    private readonly Action _abort;

    public SlowLaneConnection(ConnectionContext client, IDuplexPipe transport, Action abort)
    {
        ConnectionId = client.ConnectionId;
        Transport = transport;
        LocalEndPoint = client.LocalEndPoint;
        RemoteEndPoint = client.RemoteEndPoint;
        _abort = abort;
        var features = new Microsoft.AspNetCore.Http.Features.FeatureCollection(client.Features);
        features.Set<IConnectionIdFeature>(this);
        features.Set<IConnectionTransportFeature>(this);
        features.Set<IConnectionItemsFeature>(this);
        features.Set<IConnectionLifetimeFeature>(this);
        Features = features;
        ConnectionClosed = _closed.Token;
    }

    public override string ConnectionId { get; set; }

    public override IFeatureCollection Features { get; }

    public override IDictionary<object, object?> Items { get; set; } = new Dictionary<object, object?>();

    public override IDuplexPipe Transport { get; set; }

    public override CancellationToken ConnectionClosed { get; set; }

    public override void Abort(ConnectionAbortedException abortReason)
    {
        _abort();
        _closed.Cancel();
    }

    public override ValueTask DisposeAsync()
    {
        _closed.Dispose();
        return ValueTask.CompletedTask;
    }
}
