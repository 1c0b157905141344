using System.Buffers;
using System.Net;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Server.Kestrel.Core.Features;
using Microsoft.Extensions.Options;

namespace Wsis.Gateway.Proxy;

public sealed class ForwarderOptions
{
    public const string SectionName = "Gateway:Forwarder";

    /// <summary>How long to wait for a TCP connection to a destination; a black-holed destination fails after this, never hangs.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>HTTP/2 PING interval that detects a destination that vanished under a long stream.</summary>
    public TimeSpan KeepAlivePingDelay { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan KeepAlivePingTimeout { get; set; } = TimeSpan.FromSeconds(10);
}

/// <summary>The one outgoing HTTP/2 client every forwarded call shares (connection pooling, h2c with prior knowledge).</summary>
public sealed class ForwarderHttpClient : IDisposable
{
    public ForwarderHttpClient(IOptions<ForwarderOptions> options)
    {
        var o = options.Value;
        var handler = new SocketsHttpHandler
        {
            UseProxy = false,
            AllowAutoRedirect = false,
            AutomaticDecompression = DecompressionMethods.None,
            UseCookies = false,
            ConnectTimeout = o.ConnectTimeout,
            EnableMultipleHttp2Connections = true,
            KeepAlivePingDelay = o.KeepAlivePingDelay,
            KeepAlivePingTimeout = o.KeepAlivePingTimeout,
            KeepAlivePingPolicy = HttpKeepAlivePingPolicy.WithActiveRequests,
            PooledConnectionIdleTimeout = TimeSpan.FromMinutes(2),
            // The gateway is not the caller: tracing headers are passed through as received.
            ActivityHeadersPropagator = null,
        };
        Invoker = new HttpMessageInvoker(handler, disposeHandler: false);
        // The same connections for the gateway's own gRPC calls (health probes through GrpcChannel).
        Client = new HttpClient(handler, disposeHandler: false) { Timeout = Timeout.InfiniteTimeSpan };
        _handler = handler;
    }

    private readonly SocketsHttpHandler _handler;

    public HttpMessageInvoker Invoker { get; }

    public HttpClient Client { get; }

    public void Dispose()
    {
        Invoker.Dispose();
        Client.Dispose();
        _handler.Dispose();
    }
}

/// <summary>Forwards one request to a destination of the route's cluster, as YARP's HttpForwarder
/// does: bodies streamed both ways, headers and trailers copied, errors turned into gRPC statuses.</summary>
public sealed partial class RequestForwarder(ForwarderHttpClient client, TimeProvider time, ILogger<RequestForwarder> logger)
{
    /// <summary>Counts gateways a request went through; a route that points back at a gateway
    /// (a misconfiguration, or an embedded host forwarding a service it does not serve) stops here.</summary>
    public const string HopsHeader = "x-gateway-hops";
    internal const int MaxHops = 4;

    public async Task ForwardAsync(HttpContext context, RouteState route, ClusterState cluster)
    {
        var incoming = context.Request;
        var isGrpc = GrpcProtocol.IsGrpcRequest(incoming);
        var hops = ParseHops(incoming.Headers[HopsHeader]);
        if (hops >= MaxHops)
        {
            LogLoop(logger, route.Name, cluster.Name);
            await WriteErrorAsync(context, isGrpc, GrpcProtocol.Unavailable, StatusCodes.Status508LoopDetected,
                $"forwarding loop: route '{route.Name}' leads back to a gateway");
            return;
        }
        if (!cluster.TryEnterCall())
        {
            await RefuseAtLimitAsync(context, isGrpc, route, cluster);
            return;
        }
        try
        {
            TimeSpan? clientTimeout = null;
            if (isGrpc)
            {
                // A gRPC stream may idle between messages; Kestrel's minimum body rate would cut it.
                if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
                {
                    rate.MinDataRate = null;
                }
                clientTimeout = GrpcProtocol.ParseTimeout(incoming.Headers[GrpcProtocol.TimeoutHeader]);
            }

            // The call is bounded by the route's Timeout and by the client's own deadline (grpc-timeout),
            // whichever is shorter; the destination receives the client's grpc-timeout and enforces it too.
            var limit = Shorter(route.Timeout, clientTimeout);
            var started = time.GetTimestamp();
            using var callCts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
            if (limit is { } timeout)
            {
                callCts.CancelAfter(timeout);
            }
            var call = new CallContext(route, cluster, isGrpc, clientTimeout, route.Timeout, callCts);
            var token = callCts.Token;

            List<DestinationState>? attempted = null;
            while (true)
            {
                var available = cluster.AvailableDestinations(time.GetUtcNow().UtcDateTime, attempted);
                if (available.Count == 0)
                {
                    var tried = attempted?.Count ?? 0;
                    LogNoDestination(logger, route.Name, cluster.Name, tried);
                    await WriteErrorAsync(context, isGrpc, GrpcProtocol.Unavailable, StatusCodes.Status503ServiceUnavailable,
                        tried == 0
                            ? $"no healthy destination in cluster '{cluster.Name}'"
                            : $"cluster '{cluster.Name}' is unreachable");
                    return;
                }

                var destination = LoadBalancingPolicies.Pick(cluster, available);
                var retryAttempt = attempted is not null;
                (attempted ??= new List<DestinationState>(cluster.Destinations.Count)).Add(destination);
                var (request, content) = CreateRequest(context, destination, cluster, hops, token,
                    retryAttempt && clientTimeout is { } ct ? ct - time.GetElapsedTime(started) : null);
                destination.RequestStarted();
                HttpResponseMessage response;
                try
                {
                    response = await client.Invoker.SendAsync(request, token);
                }
                catch (Exception e) when (context.RequestAborted.IsCancellationRequested)
                {
                    // The client went away; cancelling the send already reset the destination's stream.
                    destination.RequestEnded();
                    LogClientAborted(logger, route.Name, destination.Name, e.GetType().Name);
                    return;
                }
                catch (OperationCanceledException) when (callCts.IsCancellationRequested)
                {
                    destination.RequestEnded();
                    // Without a body, whether the destination saw the call is unknown: assume it did.
                    await WriteTimeoutAsync(context, call, destination, reached: content is null || content.Started);
                    return;
                }
                catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or SocketException)
                {
                    destination.RequestEnded();
                    if (IsDestinationFailure(e))
                    {
                        ReportTransportFailure(cluster, destination);
                    }
                    // Only a call whose body was never requested can go elsewhere: the destination
                    // has seen nothing it could act on (connection refused, connect timeout, a stream
                    // refused before the request was sent).
                    var retry = content is null || !content.Started;
                    LogDestinationFailed(logger, route.Name, cluster.Name, destination.Name, Describe(e), retry);
                    if (retry)
                    {
                        continue;
                    }
                    // A gRPC client gets a status (Trailers-Only), never a reset of its own stream.
                    var (status, message) = StatusForFailure(e, cluster);
                    await WriteErrorAsync(context, isGrpc, status, StatusCodes.Status502BadGateway, message);
                    return;
                }

                if ((int)response.StatusCode < 500)
                {
                    destination.ReportAnswered(time.GetUtcNow().UtcDateTime);
                }
                try
                {
                    await CopyResponseAsync(context, response, call, destination);
                }
                finally
                {
                    response.Dispose();
                    destination.RequestEnded();
                    if (content is not null && !content.Completion.IsCompleted)
                    {
                        // The call is over: a request body still being copied (the server answered
                        // before the client finished sending) is not wanted any more.
                        callCts.Cancel();
                        try
                        {
                            await content.Completion.WaitAsync(TimeSpan.FromSeconds(5));
                        }
                        catch (Exception)
                        {
                            // Already reflected in the response, or the client left.
                        }
                    }
                }
                return;
            }
        }
        catch (Exception e) when (!context.RequestAborted.IsCancellationRequested)
        {
            // A failure of the gateway itself (none is expected here): the client still gets an
            // answer in its own protocol (a gRPC status, not a bare HTTP 500 that gRPC clients report
            // as "Bad gRPC response" and never retry); the log has the exception for whoever fixes it.
            LogForwardingFailed(logger, route.Name, cluster.Name, e);
            await EndFailedResponseAsync(context, isGrpc, GrpcProtocol.Unavailable,
                StatusCodes.Status502BadGateway, $"the gateway could not forward the call to cluster '{cluster.Name}'");
        }
        finally
        {
            cluster.ExitCall();
        }
    }

    /// <summary>A call beyond the cluster's <see cref="ClusterState.MaxConcurrentRequests"/>: refused
    /// before any destination saw it, so a retry is always safe.</summary>
    private Task RefuseAtLimitAsync(HttpContext context, bool isGrpc, RouteState route, ClusterState cluster)
    {
        context.Response.Headers.RetryAfter = "1";
        return WriteErrorAsync(context, isGrpc, GrpcProtocol.Unavailable, StatusCodes.Status503ServiceUnavailable, AtLimit(route, cluster));
    }

    /// <summary>Counts and logs (every thousandth) a call refused at the cluster's limit; the message for its caller.</summary>
    private string AtLimit(RouteState route, ClusterState cluster)
    {
        var refused = cluster.CountRefusal();
        if (refused % 1000 == 1)
        {
            LogAtLimit(logger, route.Name, cluster.Name, cluster.MaxConcurrentRequests, refused);
        }
        return $"cluster '{cluster.Name}' has {cluster.MaxConcurrentRequests} calls in progress, its limit; nothing was forwarded: retry later";
    }

    /// <summary>What one forwarded call needs to answer its own failures.</summary>
    private sealed record CallContext(RouteState Route, ClusterState Cluster, bool IsGrpc,
        TimeSpan? ClientTimeout, TimeSpan? RouteTimeout, CancellationTokenSource Cts)
    {
        /// <summary>True when the client's own deadline, not the route's Timeout, bounds the call.</summary>
        public bool ClientDeadlineGoverns => ClientDeadlineGovernsOver(ClientTimeout, RouteTimeout);
    }

    /// <summary>Whether the client's own deadline ends the call before the route's timeout would.</summary>
    internal static bool ClientDeadlineGovernsOver(TimeSpan? clientTimeout, TimeSpan? routeTimeout) =>
        clientTimeout is { } c && (routeTimeout is not { } r || c <= r);

    internal static TimeSpan? Shorter(TimeSpan? a, TimeSpan? b) =>
        a is { } x ? (b is { } y && y < x ? y : x) : b;

    private static int ParseHops(Microsoft.Extensions.Primitives.StringValues values)
    {
        if (values.Count == 0)
        {
            return 0;
        }
        _ = int.TryParse(values[0], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out var hops);
        return hops;
    }

    private static readonly string[] HopValues = ["1", "2", "3", "4"];

    /// <summary>The hop count a forwarded request carries: one more than it came with.</summary>
    internal static string NextHop(int hops) => hops < HopValues.Length
        ? HopValues[hops]
        : (hops + 1).ToString(System.Globalization.CultureInfo.InvariantCulture);

    /// <summary>The status of a call whose limit passed: the client's own deadline, or the route's timeout.</summary>
    internal static (int Status, string Message) TimedOut(bool clientDeadlineGoverns, RouteState route, ClusterState cluster, bool reached) =>
        clientDeadlineGoverns
            ? (GrpcProtocol.DeadlineExceeded, "Deadline Exceeded")
            : (GrpcProtocol.Unavailable, reached
                ? $"destination of cluster '{cluster.Name}' did not answer within the timeout of route '{route.Name}' ({route.Timeout}); the call may have been processed"
                : $"no destination of cluster '{cluster.Name}' took the call within the timeout of route '{route.Name}' ({route.Timeout})");

    /// <summary>A gateway-side timeout: DEADLINE_EXCEEDED only when the client's own deadline expired;
    /// when the route's Timeout ran out first the client's deadline still stands, so the call is
    /// UNAVAILABLE (as a proxy's 504 maps to gRPC), saying whether a destination ever had it.</summary>
    private Task WriteTimeoutAsync(HttpContext context, CallContext call, DestinationState destination, bool reached)
    {
        LogTimedOut(logger, call.Route.Name, destination.Name, call.ClientDeadlineGoverns ? "client deadline" : "route timeout");
        var (status, message) = TimedOut(call.ClientDeadlineGoverns, call.Route, call.Cluster, reached);
        return EndFailedResponseAsync(context, call.IsGrpc, status, StatusCodes.Status504GatewayTimeout, message);
    }

    /// <summary>True when the failure says the destination itself is unreachable or broken (refused
    /// or dropped connection), which ejects it; a single stream the destination reset (REFUSED_STREAM
    /// under load, CANCEL…) says nothing about its other calls and ejects nothing.</summary>
    internal static bool IsDestinationFailure(Exception e)
    {
        if (StreamResetCode(e) is not null)
        {
            return false;
        }
        return e is not HttpRequestException { HttpRequestError: HttpRequestError.HttpProtocolError or HttpRequestError.VersionNegotiationError or HttpRequestError.ConfigurationLimitExceeded };
    }

    /// <summary>The HTTP/2 error code of a RST_STREAM (or GOAWAY) the destination sent, if that is the failure.</summary>
    internal static long? StreamResetCode(Exception e)
    {
        for (var x = e; x is not null; x = x.InnerException)
        {
            if (x is HttpProtocolException protocol)
            {
                return protocol.ErrorCode;
            }
        }
        return null;
    }

    /// <summary>The status a gRPC client gets for a destination failure, mapped as the gRPC spec maps
    /// HTTP/2 error codes for a client (REFUSED_STREAM: UNAVAILABLE, CANCEL: CANCELLED,
    /// ENHANCE_YOUR_CALM: RESOURCE_EXHAUSTED); any other failure of the destination is UNAVAILABLE.</summary>
    private static (int Status, string Message) StatusForFailure(Exception e, ClusterState cluster) => StatusForReset(StreamResetCode(e), cluster);

    /// <summary>The status of a call whose destination stream was reset with an HTTP/2 error code (null: no code, a failure).</summary>
    internal static (int Status, string Message) StatusForReset(long? code, ClusterState cluster) => code switch
    {
        0x7 => (GrpcProtocol.Unavailable, $"destination of cluster '{cluster.Name}' refused the stream (HTTP/2 REFUSED_STREAM)"),
        0x8 => (GrpcProtocol.Cancelled, $"destination of cluster '{cluster.Name}' cancelled the stream"),
        0xb => (GrpcProtocol.ResourceExhausted, $"destination of cluster '{cluster.Name}' is overloaded (HTTP/2 ENHANCE_YOUR_CALM)"),
        { } other => (GrpcProtocol.Unavailable, $"destination of cluster '{cluster.Name}' reset the stream (HTTP/2 error code {other})"),
        null => (GrpcProtocol.Unavailable, $"destination of cluster '{cluster.Name}' failed"),
    };

    private static string Describe(Exception e) =>
        StreamResetCode(e) is { } code ? $"{e.GetType().Name}, HTTP/2 error code {code}" : e.GetType().Name;

    /// <summary>One unary gRPC call made by the gateway itself (JSON transcoding): the framed
    /// message goes to a destination of the cluster, chosen as for forwarded calls; a destination
    /// that refuses the connection is ejected and the next one tried.</summary>
    public async Task<GrpcUnaryResult> CallUnaryAsync(HttpContext context, RouteState route, ClusterState cluster,
        string path, byte[] message, int maxResponseBytes)
    {
        if (!cluster.TryEnterCall())
        {
            return GrpcUnaryResult.Failed(GrpcProtocol.Unavailable, AtLimit(route, cluster));
        }
        try
        {
            return await CallUnaryCountedAsync(context, route, cluster, path, message, maxResponseBytes);
        }
        finally
        {
            cluster.ExitCall();
        }
    }

    private async Task<GrpcUnaryResult> CallUnaryCountedAsync(HttpContext context, RouteState route, ClusterState cluster,
        string path, byte[] message, int maxResponseBytes)
    {
        using var callCts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (route.Timeout is { } timeout)
        {
            callCts.CancelAfter(timeout);
        }
        var attempted = new List<DestinationState>();
        while (true)
        {
            var available = cluster.AvailableDestinations(time.GetUtcNow().UtcDateTime);
            available.RemoveAll(attempted.Contains);
            if (available.Count == 0)
            {
                LogNoDestination(logger, route.Name, cluster.Name, attempted.Count);
                return GrpcUnaryResult.Failed(GrpcProtocol.Unavailable, attempted.Count == 0
                    ? $"no healthy destination in cluster '{cluster.Name}'"
                    : $"cluster '{cluster.Name}' is unreachable");
            }
            var destination = LoadBalancingPolicies.Pick(cluster, available);
            attempted.Add(destination);
            using var request = new HttpRequestMessage(HttpMethod.Post, destination.RequestUri(path))
            {
                Version = cluster.HttpVersion,
                VersionPolicy = cluster.HttpVersionPolicy,
                Content = new ByteArrayContent(GrpcProtocol.Frame(message)),
            };
            request.Content.Headers.ContentType = new System.Net.Http.Headers.MediaTypeHeaderValue(GrpcProtocol.ContentType);
            request.Headers.TryAddWithoutValidation("TE", "trailers");
            if (context.Request.Headers.Authorization is { Count: > 0 } authorization)
            {
                request.Headers.TryAddWithoutValidation("Authorization", (IEnumerable<string?>)authorization);
            }
            if (route.Timeout is { } t)
            {
                request.Headers.TryAddWithoutValidation(GrpcProtocol.TimeoutHeader, $"{(long)t.TotalMilliseconds}m");
            }
            AddForwardedHeaders(context, request);

            destination.RequestStarted();
            try
            {
                using var response = await client.Invoker.SendAsync(request, callCts.Token);
                var stream = await response.Content.ReadAsStreamAsync(callCts.Token);
                var payload = response.StatusCode == HttpStatusCode.OK
                    ? await GrpcProtocol.ReadMessageAsync(stream, maxResponseBytes, callCts.Token)
                    : null;
                while (payload is not null && await GrpcProtocol.ReadMessageAsync(stream, maxResponseBytes, callCts.Token) is not null)
                {
                    // A unary method answers once; anything more is ignored as the gRPC spec allows clients to.
                }
                var statusHeaders = response.Headers.Contains(GrpcProtocol.StatusHeader) ? (System.Net.Http.Headers.HttpHeaders)response.Headers : response.TrailingHeaders;
                if (!statusHeaders.TryGetValues(GrpcProtocol.StatusHeader, out var statusValues)
                    || !int.TryParse(statusValues.FirstOrDefault(), out var status))
                {
                    return GrpcUnaryResult.Failed(GrpcProtocol.Internal, $"destination answered HTTP {(int)response.StatusCode} without a gRPC status");
                }
                var text = statusHeaders.TryGetValues(GrpcProtocol.MessageHeader, out var m) ? GrpcProtocol.DecodeMessage(m.FirstOrDefault()) : "";
                if (status == GrpcProtocol.Ok && payload is null)
                {
                    return GrpcUnaryResult.Failed(GrpcProtocol.Internal, "destination answered OK without a message");
                }
                return new GrpcUnaryResult(status, text, status == GrpcProtocol.Ok ? payload : null);
            }
            catch (Exception) when (context.RequestAborted.IsCancellationRequested)
            {
                return GrpcUnaryResult.Failed(GrpcProtocol.Cancelled, "the client cancelled the call");
            }
            catch (OperationCanceledException) when (callCts.IsCancellationRequested)
            {
                LogTimedOut(logger, route.Name, destination.Name, "route timeout");
                return GrpcUnaryResult.Failed(GrpcProtocol.DeadlineExceeded, $"route '{route.Name}' timed out after {route.Timeout}");
            }
            catch (InvalidDataException e)
            {
                return GrpcUnaryResult.Failed(GrpcProtocol.ResourceExhausted, e.Message);
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException)
            {
                ReportTransportFailure(cluster, destination);
                var retry = e is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }
                    || e is OperationCanceledException;
                LogDestinationFailed(logger, route.Name, cluster.Name, destination.Name, e.GetType().Name, retry);
                if (!retry)
                {
                    return GrpcUnaryResult.Failed(GrpcProtocol.Unavailable, $"destination of cluster '{cluster.Name}' failed");
                }
            }
            finally
            {
                destination.RequestEnded();
            }
        }
    }

    private static void AddForwardedHeaders(HttpContext context, HttpRequestMessage request)
    {
        var incoming = context.Request;
        if (RemoteAddress(context) is { } remote)
        {
            var existing = incoming.Headers["X-Forwarded-For"];
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", existing.Count == 0 ? remote : existing.ToString() + ", " + remote);
        }
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        if (incoming.Host.HasValue)
        {
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        }
    }

    private static readonly object RemoteAddressKey = new();

    /// <summary>The client's IP address as text, formatted once per connection.</summary>
    private static string? RemoteAddress(HttpContext context)
    {
        var items = context.Features.Get<Microsoft.AspNetCore.Connections.Features.IConnectionItemsFeature>()?.Items;
        if (items is not null && items.TryGetValue(RemoteAddressKey, out var cached))
        {
            return (string?)cached;
        }
        var remote = context.Connection.RemoteIpAddress?.ToString();
        if (items is not null)
        {
            items[RemoteAddressKey] = remote;
        }
        return remote;
    }

    private static bool IsForwardedHeader(string name) =>
        name.StartsWith("X-Forwarded-", StringComparison.OrdinalIgnoreCase)
        && (name.Length == 15 && (name.EndsWith("For", StringComparison.OrdinalIgnoreCase) || name.EndsWith("Host", StringComparison.OrdinalIgnoreCase))
            || name.Length == 17 && name.EndsWith("Proto", StringComparison.OrdinalIgnoreCase));

    private static (HttpRequestMessage Request, StreamingRequestContent? Content) CreateRequest(
        HttpContext context, DestinationState destination, ClusterState cluster, int hops, CancellationToken token, TimeSpan? remaining)
    {
        var incoming = context.Request;
        var request = new HttpRequestMessage(HttpMethod.Parse(incoming.Method), destination.RequestUri(incoming.Path, incoming.QueryString))
        {
            Version = cluster.HttpVersion,
            VersionPolicy = cluster.HttpVersionPolicy,
        };

        StreamingRequestContent? content = null;
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? incoming.ContentLength > 0;
        if (canHaveBody)
        {
            content = new StreamingRequestContent(incoming.BodyReader, token);
            request.Content = content;
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HttpHeaderRules.IsHopByHop(name) && !HttpHeaderRules.IsTeTrailers(name, values))
            {
                continue;
            }
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase)
                || name.Equals(HopsHeader, StringComparison.OrdinalIgnoreCase)
                || IsForwardedHeader(name))
            {
                // The body is re-framed for the destination connection; the gateway's own headers are set below.
                continue;
            }
            if (remaining is { } left && name.Equals(GrpcProtocol.TimeoutHeader, StringComparison.OrdinalIgnoreCase))
            {
                // A second attempt: the destination gets what is left of the client's deadline.
                request.Headers.TryAddWithoutValidation(name, GrpcProtocol.FormatTimeout(left));
                continue;
            }
            var added = values.Count == 1
                ? request.Headers.TryAddWithoutValidation(name, values[0])
                : request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            if (!added && content is not null)
            {
                if (values.Count == 1)
                {
                    content.Headers.TryAddWithoutValidation(name, values[0]);
                }
                else
                {
                    content.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
                }
            }
        }

        // X-Forwarded-*: who really called, over what, and under which host name.
        AddForwardedHeaders(context, request);
        request.Headers.TryAddWithoutValidation(HopsHeader, NextHop(hops));
        return (request, content);
    }

    private async Task CopyResponseAsync(HttpContext context, HttpResponseMessage response, CallContext call, DestinationState destination)
    {
        var (route, cluster, isGrpc) = (call.Route, call.Cluster, call.IsGrpc);
        var callCts = call.Cts;
        var token = callCts.Token;
        var outgoing = context.Response;
        outgoing.StatusCode = (int)response.StatusCode;
        var headers = outgoing.Headers;
        CopyHeaders(response.Headers.NonValidated, headers);
        CopyHeaders(response.Content.Headers.NonValidated, headers);
        // grpc-status among the headers means Trailers-Only: the destination's HEADERS frame
        // ended the stream. Kestrel reproduces that when the app writes no body and flushes nothing.
        var trailersOnly = response.Headers.NonValidated.Contains(GrpcProtocol.StatusHeader);

        var buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
        try
        {
            var source = await response.Content.ReadAsStreamAsync(token);
            var pending = source.ReadAsync(buffer, token);
            if (!pending.IsCompleted && !trailersOnly)
            {
                // The destination sent its headers and nothing else yet (typical of streaming
                // calls): pass them on now, since a client may wait for them before sending.
                // StartAsync alone leaves Kestrel's HEADERS frame buffered until a flush.
                await outgoing.StartAsync(token);
                await outgoing.Body.FlushAsync(token);
            }
            var body = outgoing.BodyWriter;
            int read;
            while ((read = await pending) > 0)
            {
                // Straight into Kestrel's output pipe (no stream wrapper, no flush per write).
                body.Write(buffer.AsSpan(0, read));
                pending = source.ReadAsync(buffer, token);
                if (!pending.IsCompleted)
                {
                    // Streaming messages must not wait in a buffer: flush before waiting for more.
                    // When the destination's next bytes (or its end) are already there, Kestrel
                    // sends this with them: a unary answer leaves as HEADERS, DATA and trailers in one write.
                    await body.FlushAsync(token);
                }
            }

            var trailing = response.TrailingHeaders.NonValidated;
            if (trailing.Count > 0)
            {
                if (context.Features.Get<IHttpResponseTrailersFeature>()?.Trailers is { IsReadOnly: false } trailers)
                {
                    CopyHeaders(trailing, trailers);
                }
                else if (isGrpc)
                {
                    // HTTP/1.1 cannot carry trailers, and a gRPC call without them has no status.
                    LogTrailersLost(logger, route.Name);
                    context.Abort();
                }
            }
        }
        catch (Exception) when (context.RequestAborted.IsCancellationRequested)
        {
            LogClientAborted(logger, route.Name, destination.Name, "response copy");
        }
        catch (OperationCanceledException) when (callCts.IsCancellationRequested)
        {
            await WriteTimeoutAsync(context, call, destination, reached: true);
        }
        catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException)
        {
            // The destination failed after it had answered: a gRPC caller gets a status in the
            // trailers rather than a stream that just stops (or a reset). A broken connection
            // ejects the destination; one stream it reset does not.
            if (IsDestinationFailure(e))
            {
                ReportTransportFailure(cluster, destination);
            }
            LogDestinationFailed(logger, route.Name, cluster.Name, destination.Name, Describe(e), false);
            var (status, message) = StatusForFailure(e, cluster);
            await EndFailedResponseAsync(context, isGrpc, status, StatusCodes.Status502BadGateway, message + " during the call");
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private static async Task EndFailedResponseAsync(HttpContext context, bool isGrpc, int grpcStatus, int httpStatus, string message)
    {
        if (!context.Response.HasStarted)
        {
            context.Response.Clear();
            await WriteErrorAsync(context, isGrpc, grpcStatus, httpStatus, message);
        }
        else if (isGrpc && context.Response.SupportsTrailers())
        {
            context.Response.AppendTrailer(GrpcProtocol.StatusHeader, grpcStatus.ToString(System.Globalization.CultureInfo.InvariantCulture));
            context.Response.AppendTrailer(GrpcProtocol.MessageHeader, GrpcProtocol.EncodeMessage(message));
        }
        else
        {
            context.Abort();
        }
    }

    private static Task WriteErrorAsync(HttpContext context, bool isGrpc, int grpcStatus, int httpStatus, string message)
    {
        if (isGrpc)
        {
            return GrpcProtocol.WriteTrailersOnlyAsync(context.Response, grpcStatus, message);
        }
        context.Response.StatusCode = httpStatus;
        return context.Response.WriteAsJsonAsync(new { type = "about:blank", title = message, status = httpStatus },
            options: null, contentType: "application/problem+json");
    }

    private static void CopyHeaders(System.Net.Http.Headers.HttpHeadersNonValidated from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from)
        {
            if (!HttpHeaderRules.IsHopByHop(name))
            {
                to[name] = values.Count == 1 ? values.ToString() : values.ToArray();
            }
        }
    }

    internal void ReportTransportFailure(ClusterState cluster, DestinationState destination)
    {
        if (cluster.PassiveChecksEnabled)
        {
            var period = cluster.PassiveHealthCheck?.ReactivationPeriod ?? TimeSpan.FromSeconds(60);
            destination.EjectUntil(time.GetUtcNow().UtcDateTime + period);
            LogEjected(logger, cluster.Name, destination.Name, period);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: cluster {Cluster} is at its limit of {Limit} calls in progress; {Refused} call(s) refused so far")]
    private static partial void LogAtLimit(ILogger logger, string route, string cluster, int limit, long refused);

    [LoggerMessage(Level = LogLevel.Error, Message = "Route {Route}: forwarding a call to cluster {Cluster} failed in the gateway")]
    private static partial void LogForwardingFailed(ILogger logger, string route, string cluster, Exception exception);

    [LoggerMessage(Level = LogLevel.Error, Message = "Route {Route}: forwarding loop through cluster {Cluster}; call refused")]
    private static partial void LogLoop(ILogger logger, string route, string cluster);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: no available destination in cluster {Cluster} ({Attempted} tried)")]
    private static partial void LogNoDestination(ILogger logger, string route, string cluster, int attempted);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route {Route}: client aborted the call to {Destination} ({Where})")]
    private static partial void LogClientAborted(ILogger logger, string route, string destination, string where);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: call to {Destination} timed out ({Limit})")]
    internal static partial void LogTimedOut(ILogger logger, string route, string destination, string limit);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: destination {Destination} of cluster {Cluster} failed ({Error}); retried elsewhere: {Retried}")]
    private static partial void LogDestinationFailed(ILogger logger, string route, string cluster, string destination, string error, bool retried);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster}: destination {Destination} ejected for {Period} after a transport failure")]
    private static partial void LogEjected(ILogger logger, string cluster, string destination, TimeSpan period);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: destination sent trailers but the client connection cannot carry them (HTTP/1.1); call aborted")]
    private static partial void LogTrailersLost(ILogger logger, string route);
}

/// <summary>The outcome of a unary call the gateway made: a gRPC status, its message, and the response message when OK.</summary>
public sealed record GrpcUnaryResult(int Status, string Message, byte[]? Payload)
{
    public static GrpcUnaryResult Failed(int status, string message) => new(status, message, null);
}
