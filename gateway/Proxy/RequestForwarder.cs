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
    private const int MaxHops = 4;

    public async Task ForwardAsync(HttpContext context, RouteState route, ClusterState cluster)
    {
        var isGrpc = GrpcProtocol.IsGrpcRequest(context.Request);
        _ = int.TryParse(context.Request.Headers[HopsHeader], out var hops);
        if (hops >= MaxHops)
        {
            LogLoop(logger, route.Name, cluster.Name);
            await WriteErrorAsync(context, isGrpc, GrpcProtocol.Unavailable, StatusCodes.Status508LoopDetected,
                $"forwarding loop: route '{route.Name}' leads back to a gateway");
            return;
        }
        if (isGrpc)
        {
            // A gRPC stream may idle between messages; Kestrel's minimum body rate would cut it.
            if (context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
            {
                rate.MinDataRate = null;
            }
        }

        using var callCts = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        if (route.Timeout is { } timeout)
        {
            callCts.CancelAfter(timeout);
        }
        var token = callCts.Token;

        var attempted = new List<DestinationState>();
        while (true)
        {
            var available = cluster.AvailableDestinations(time.GetUtcNow().UtcDateTime);
            available.RemoveAll(attempted.Contains);
            if (available.Count == 0)
            {
                LogNoDestination(logger, route.Name, cluster.Name, attempted.Count);
                await WriteErrorAsync(context, isGrpc, GrpcProtocol.Unavailable, StatusCodes.Status503ServiceUnavailable,
                    attempted.Count == 0
                        ? $"no healthy destination in cluster '{cluster.Name}'"
                        : $"cluster '{cluster.Name}' is unreachable");
                return;
            }

            var destination = LoadBalancingPolicies.Pick(cluster, available);
            attempted.Add(destination);
            var (request, content) = CreateRequest(context, destination, cluster, token);
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
                LogTimedOut(logger, route.Name, destination.Name);
                await WriteErrorAsync(context, isGrpc, GrpcProtocol.DeadlineExceeded, StatusCodes.Status504GatewayTimeout,
                    $"route '{route.Name}' timed out after {route.Timeout}");
                return;
            }
            catch (Exception e) when (e is HttpRequestException or IOException or OperationCanceledException or SocketException)
            {
                destination.RequestEnded();
                ReportTransportFailure(cluster, destination);
                // Only a call whose body was never requested can go elsewhere: the destination
                // has seen nothing it could act on (connection refused, connect timeout).
                var retry = content is null || !content.Started;
                LogDestinationFailed(logger, route.Name, cluster.Name, destination.Name, e.GetType().Name, retry);
                if (retry)
                {
                    continue;
                }
                await WriteErrorAsync(context, isGrpc, GrpcProtocol.Unavailable, StatusCodes.Status502BadGateway,
                    $"destination of cluster '{cluster.Name}' failed");
                return;
            }

            try
            {
                await CopyResponseAsync(context, response, isGrpc, route, cluster, destination, callCts);
            }
            finally
            {
                response.Dispose();
                destination.RequestEnded();
                if (content is not null)
                {
                    // The call is over: a request body still being copied (the server answered
                    // before the client finished sending) is not wanted any more.
                    if (!content.Completion.IsCompleted)
                    {
                        callCts.Cancel();
                    }
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

    /// <summary>One unary gRPC call made by the gateway itself (JSON transcoding): the framed
    /// message goes to a destination of the cluster, chosen as for forwarded calls; a destination
    /// that refuses the connection is ejected and the next one tried.</summary>
    public async Task<GrpcUnaryResult> CallUnaryAsync(HttpContext context, RouteState route, ClusterState cluster,
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
            using var request = new HttpRequestMessage(HttpMethod.Post,
                new Uri(destination.Address.GetLeftPart(UriPartial.Path).TrimEnd('/') + path))
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
                LogTimedOut(logger, route.Name, destination.Name);
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
        var remote = context.Connection.RemoteIpAddress?.ToString();
        if (remote is not null)
        {
            var existing = incoming.Headers["X-Forwarded-For"].ToString();
            request.Headers.Remove("X-Forwarded-For");
            request.Headers.TryAddWithoutValidation("X-Forwarded-For", string.IsNullOrEmpty(existing) ? remote : existing + ", " + remote);
        }
        request.Headers.Remove("X-Forwarded-Proto");
        request.Headers.TryAddWithoutValidation("X-Forwarded-Proto", incoming.Scheme);
        if (incoming.Host.HasValue)
        {
            request.Headers.Remove("X-Forwarded-Host");
            request.Headers.TryAddWithoutValidation("X-Forwarded-Host", incoming.Host.Value);
        }
    }

    private (HttpRequestMessage Request, StreamingRequestContent? Content) CreateRequest(
        HttpContext context, DestinationState destination, ClusterState cluster, CancellationToken token)
    {
        var incoming = context.Request;
        var baseAddress = destination.Address.GetLeftPart(UriPartial.Path).TrimEnd('/');
        var request = new HttpRequestMessage(new HttpMethod(incoming.Method), new Uri(baseAddress + incoming.Path.ToUriComponent() + incoming.QueryString.ToUriComponent()))
        {
            Version = cluster.HttpVersion,
            VersionPolicy = cluster.HttpVersionPolicy,
        };

        StreamingRequestContent? content = null;
        var canHaveBody = context.Features.Get<IHttpRequestBodyDetectionFeature>()?.CanHaveBody ?? incoming.ContentLength > 0;
        if (canHaveBody)
        {
            content = new StreamingRequestContent(incoming.Body, token);
            request.Content = content;
        }

        foreach (var (name, values) in incoming.Headers)
        {
            if (HttpHeaderRules.IsHopByHop(name) && !HttpHeaderRules.IsTeTrailers(name, values))
            {
                continue;
            }
            if (name.Equals("Content-Length", StringComparison.OrdinalIgnoreCase))
            {
                // The body is re-framed for the destination connection.
                continue;
            }
            if (!request.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values))
            {
                content?.Headers.TryAddWithoutValidation(name, (IEnumerable<string?>)values);
            }
        }

        // X-Forwarded-*: who really called, over what, and under which host name.
        AddForwardedHeaders(context, request);
        _ = int.TryParse(incoming.Headers[HopsHeader], out var hops);
        request.Headers.Remove(HopsHeader);
        request.Headers.TryAddWithoutValidation(HopsHeader, (hops + 1).ToString(System.Globalization.CultureInfo.InvariantCulture));
        return (request, content);
    }

    private async Task CopyResponseAsync(HttpContext context, HttpResponseMessage response, bool isGrpc,
        RouteState route, ClusterState cluster, DestinationState destination, CancellationTokenSource callCts)
    {
        var token = callCts.Token;
        var outgoing = context.Response;
        outgoing.StatusCode = (int)response.StatusCode;
        CopyHeaders(response.Headers, outgoing.Headers);
        CopyHeaders(response.Content.Headers, outgoing.Headers);
        // grpc-status among the headers means Trailers-Only: the destination's HEADERS frame
        // ended the stream. Kestrel reproduces that when the app writes no body and flushes nothing.
        var trailersOnly = response.Headers.Contains(GrpcProtocol.StatusHeader);

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
            int read;
            while ((read = await pending) > 0)
            {
                await outgoing.Body.WriteAsync(buffer.AsMemory(0, read), token);
                pending = source.ReadAsync(buffer, token);
                if (!pending.IsCompleted)
                {
                    // Streaming messages must not wait in a buffer: flush before waiting for more.
                    // When the destination's next bytes (or its end) are already there, Kestrel
                    // sends this with them: a unary answer leaves as HEADERS, DATA and trailers in one write.
                    await outgoing.Body.FlushAsync(token);
                }
            }

            if (response.TrailingHeaders.Any())
            {
                if (outgoing.SupportsTrailers())
                {
                    foreach (var (name, values) in response.TrailingHeaders)
                    {
                        if (!HttpHeaderRules.IsHopByHop(name))
                        {
                            outgoing.AppendTrailer(name, values.ToArray());
                        }
                    }
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
            LogTimedOut(logger, route.Name, destination.Name);
            await EndFailedResponseAsync(context, isGrpc, GrpcProtocol.DeadlineExceeded, StatusCodes.Status504GatewayTimeout,
                $"route '{route.Name}' timed out after {route.Timeout}");
        }
        catch (Exception e) when (e is IOException or HttpRequestException or ObjectDisposedException)
        {
            // The destination failed after it had answered: it is ejected, and a gRPC caller gets
            // UNAVAILABLE in the trailers rather than a stream that just stops.
            ReportTransportFailure(cluster, destination);
            LogDestinationFailed(logger, route.Name, cluster.Name, destination.Name, e.GetType().Name, false);
            await EndFailedResponseAsync(context, isGrpc, GrpcProtocol.Unavailable, StatusCodes.Status502BadGateway,
                $"destination of cluster '{cluster.Name}' failed during the call");
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

    private static void CopyHeaders(System.Net.Http.Headers.HttpHeaders from, IHeaderDictionary to)
    {
        foreach (var (name, values) in from)
        {
            if (!HttpHeaderRules.IsHopByHop(name))
            {
                to[name] = values.ToArray();
            }
        }
    }

    private void ReportTransportFailure(ClusterState cluster, DestinationState destination)
    {
        if (cluster.PassiveChecksEnabled)
        {
            var period = cluster.PassiveHealthCheck?.ReactivationPeriod ?? TimeSpan.FromSeconds(60);
            destination.EjectUntil(time.GetUtcNow().UtcDateTime + period);
            LogEjected(logger, cluster.Name, destination.Name, period);
        }
    }

    [LoggerMessage(Level = LogLevel.Error, Message = "Route {Route}: forwarding loop through cluster {Cluster}; call refused")]
    private static partial void LogLoop(ILogger logger, string route, string cluster);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: no available destination in cluster {Cluster} ({Attempted} tried)")]
    private static partial void LogNoDestination(ILogger logger, string route, string cluster, int attempted);

    [LoggerMessage(Level = LogLevel.Debug, Message = "Route {Route}: client aborted the call to {Destination} ({Where})")]
    private static partial void LogClientAborted(ILogger logger, string route, string destination, string where);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Route {Route}: call to {Destination} timed out")]
    private static partial void LogTimedOut(ILogger logger, string route, string destination);

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
