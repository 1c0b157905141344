using System.Net.Http;
using System.Net.Sockets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Wsis.Gateway.Proxy;

/// <summary>
/// A step of YARP's proxy pipeline, between session affinity and load balancing: a request that is
/// safe to send again (GET or HEAD without a body, RFC 9110 §9.2.1) whose forwarding failed because
/// the destination refused the connection or the connection ended before any answer (an instance just
/// killed, not yet taken out by health checks) is forwarded again, up to
/// <c>Gateway:Forwarder:SafeRetries</c> times (default 2), each time to a destination of the cluster
/// not tried yet: the pipeline after this step (load balancing, passive health, the forwarder) runs
/// again with <see cref="IReverseProxyFeature.AvailableDestinations"/> narrowed to the others.
/// The client sees one answer; passive health has counted every failed attempt.
/// <para>Never retried: anything with a body (every gRPC call, every POST/PUT/PATCH/DELETE: it may
/// have been processed, and its body is read once), a failure after the answer started, a stream the
/// destination reset (a refusal of that request, which another instance would refuse as well), the
/// route's timeout, a client that went away. gRPC callers get UNAVAILABLE with a retry hint and retry
/// by their own policy (the pages' clients do, <see cref="Web.ServiceClients"/>).</para>
/// </summary>
public static partial class SafeRetries
{
    public static IReverseProxyApplicationBuilder UseSafeRetries(this IReverseProxyApplicationBuilder proxy)
    {
        var options = proxy.ApplicationServices.GetRequiredService<IOptionsMonitor<ForwarderOptions>>();
        var logger = proxy.ApplicationServices.GetRequiredService<ILoggerFactory>().CreateLogger(typeof(SafeRetries));
        proxy.Use(async (context, next) =>
        {
            var retries = options.CurrentValue.SafeRetries;
            if (retries <= 0 || !IsSafeToRepeat(context.Request))
            {
                await next(context);
                return;
            }

            var feature = context.GetReverseProxyFeature();
            var candidates = feature.AvailableDestinations;
            List<DestinationState>? tried = null;
            for (var attempt = 0; ; attempt++)
            {
                await next(context);
                if (attempt == retries
                    || feature.ProxiedDestination is not { } failed
                    || context.Features.Get<IForwarderErrorFeature>() is not { } error
                    || !FailedBeforeAnyAnswer(context, error))
                {
                    return;
                }

                tried ??= [];
                tried.Add(failed);
                var others = candidates.Where(d => !tried.Contains(d)).ToList();
                if (others.Count == 0)
                {
                    return;
                }

                LogRetrying(logger, context.Request.Method, feature.Route.Config.RouteId, failed.DestinationId, feature.Cluster.Config.ClusterId);
                // Back to the state before forwarding: no error, no status, no destination chosen.
                context.Features.Set<IForwarderErrorFeature>(null);
                context.Response.Clear();
                feature.ProxiedDestination = null;
                feature.AvailableDestinations = others;
            }
        });
        return proxy;
    }

    /// <summary>GET or HEAD with no body: sending it twice has the effect of sending it once.</summary>
    public static bool IsSafeToRepeat(HttpRequest request) =>
        (HttpMethods.IsGet(request.Method) || HttpMethods.IsHead(request.Method))
        && (request.HttpContext.Features.Get<IHttpRequestBodyDetectionFeature>() is { } body
            ? !body.CanHaveBody
            : request.ContentLength is null or 0 && !request.Headers.ContainsKey("Transfer-Encoding"));

    /// <summary>The destination could not be reached, or its connection ended before it answered, and
    /// nothing has been written to the client.</summary>
    private static bool FailedBeforeAnyAnswer(HttpContext context, IForwarderErrorFeature error) =>
        !context.Response.HasStarted
        && error.Error is ForwarderError.Request or ForwarderError.RequestTimedOut
        && !context.RequestAborted.IsCancellationRequested
        && (DestinationFailuresPolicy.CouldNotConnect(error.Exception) || ConnectionEnded(error.Exception));

    private static bool ConnectionEnded(Exception? exception)
    {
        foreach (var e in ProxyErrors.Causes(exception))
        {
            switch (e)
            {
                // A reset of this one stream is the destination's answer to this request, not a lost instance.
                case HttpProtocolException:
                    return false;
                case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }:
                case SocketException { SocketErrorCode: SocketError.ConnectionReset or SocketError.ConnectionAborted or SocketError.Shutdown }:
                    return true;
            }
        }

        return false;
    }

    [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "{Method} on route {Route}: destination {Destination} of cluster {Cluster} could not be reached before answering; sent to another destination")]
    private static partial void LogRetrying(ILogger logger, string method, string route, string destination, string cluster);
}
