using System.Net;
using System.Net.Http;
using Grpc.Core;
using Microsoft.AspNetCore.Http.Timeouts;
using Yarp.ReverseProxy.Forwarder;
using Yarp.ReverseProxy.Model;

namespace Wsis.Gateway.Proxy;

/// <summary>
/// A step of YARP's proxy pipeline: when forwarding failed before the answer started (no instance
/// available, an instance refused or dropped the connection, the route's timeout, a body over the
/// route's limit), YARP leaves only an HTTP status (502, 503, 504…) and its
/// <see cref="IForwarderErrorFeature"/>. A gRPC client cannot read a bare HTTP status as a gRPC status,
/// so the failure is answered here through <see cref="GatewayAnswers"/>: Trailers-Only
/// <c>UNAVAILABLE</c> (with a retry hint) naming the cluster, or a problem for HTTP callers.
/// DEADLINE_EXCEEDED stays the client's own deadline's (the services enforce <c>grpc-timeout</c>); the
/// route's <c>Timeout</c> running out is UNAVAILABLE, saying that the call may have been processed.
/// </summary>
public static class ProxyErrors
{
    private static readonly TimeSpan RetrySoon = TimeSpan.FromSeconds(1);

    public static IReverseProxyApplicationBuilder UseProxyErrorAnswers(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use(async (context, next) =>
        {
            await next(context);
            // The destination's answer stands when there is one (its headers were copied): a destination
            // may answer before reading the whole body (a refusal, a wrong content type) and reset the
            // rest, which YARP reports as a request-body error after the answer.
            if (context.Features.Get<IForwarderErrorFeature>() is { } failure && !context.Response.HasStarted && context.Response.Headers.Count == 0)
            {
                await AnswerAsync(context, failure);
            }
        });
        return proxy;
    }

    private static Task AnswerAsync(HttpContext context, IForwarderErrorFeature failure)
    {
        var proxy = context.GetReverseProxyFeature();
        var cluster = proxy.Cluster.Config.ClusterId;
        var route = proxy.Route.Config;
        var timedOut = context.Features.Get<IHttpRequestTimeoutFeature>()?.RequestTimeoutToken.IsCancellationRequested == true;
        var yarpStatus = context.Response.StatusCode;

        return failure.Error switch
        {
            ForwarderError.NoAvailableDestinations => GatewayAnswers.WriteAsync(context, StatusCode.Unavailable, StatusCodes.Status503ServiceUnavailable,
                $"no instance of cluster '{cluster}' is available; retry later", RetrySoon),
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled when timedOut => GatewayAnswers.WriteAsync(context, StatusCode.Unavailable,
                StatusCodes.Status504GatewayTimeout,
                $"cluster '{cluster}' did not answer within the timeout of route '{route.RouteId}' ({route.Timeout:c}); the call may have been processed"),
            // The client went away: nobody reads an answer.
            ForwarderError.RequestCanceled or ForwarderError.RequestBodyCanceled or ForwarderError.ResponseBodyCanceled
                or ForwarderError.ResponseBodyClient => Task.CompletedTask,
            ForwarderError.RequestTimedOut => GatewayAnswers.WriteAsync(context, StatusCode.Unavailable, StatusCodes.Status504GatewayTimeout,
                $"could not forward the call to cluster '{cluster}': {Describe(failure.Exception)}", RetrySoon),
            ForwarderError.RequestBodyClient => yarpStatus == StatusCodes.Status413PayloadTooLarge
                ? GatewayAnswers.WriteAsync(context, StatusCode.ResourceExhausted, StatusCodes.Status413PayloadTooLarge,
                    $"the request body is larger than route '{route.RouteId}' accepts ({route.MaxRequestBodySize?.ToString(System.Globalization.CultureInfo.InvariantCulture) ?? "Kestrel's limit"} bytes)")
                : GatewayAnswers.WriteAsync(context, StatusCode.Internal, yarpStatus >= 400 ? yarpStatus : StatusCodes.Status400BadRequest,
                    "the request body could not be read"),
            _ => GatewayAnswers.WriteAsync(context, StatusCode.Unavailable, StatusCodes.Status502BadGateway,
                $"could not forward the call to cluster '{cluster}': {Describe(failure.Exception)}", RetrySoon),
        };
    }

    /// <summary>What went wrong toward the instance, in words that reveal nothing of the gateway's insides.</summary>
    private static string Describe(Exception? exception)
    {
        foreach (var e in Causes(exception))
        {
            switch (e)
            {
                case HttpProtocolException protocol:
                    return $"the instance reset the call ({ResetName(protocol.ErrorCode)})";
                case HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError }:
                    return "the instance refused or did not accept the connection";
                case HttpRequestException { HttpRequestError: HttpRequestError.ResponseEnded }:
                    return "the instance closed the connection before it answered";
                case TimeoutException:
                    return "the instance did not accept the connection in time";
                case NotSupportedException:
                    return "the instance's address is not an http:// or https:// address";
            }
        }

        return exception is OperationCanceledException ? "the instance did not answer in time" : "the call to the instance failed";
    }

    /// <summary>The exception and every exception inside it (YARP aggregates the request's and its body's).</summary>
    public static IEnumerable<Exception> Causes(Exception? exception)
    {
        var pending = new Stack<Exception>();
        if (exception is not null)
        {
            pending.Push(exception);
        }

        while (pending.TryPop(out var e))
        {
            yield return e;
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (e.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
    }

    private static string ResetName(long code) => code switch
    {
        0x1 => "PROTOCOL_ERROR",
        0x2 => "INTERNAL_ERROR",
        0x7 => "REFUSED_STREAM",
        0x8 => "CANCEL",
        0xb => "ENHANCE_YOUR_CALM",
        _ => "HTTP/2 error " + code.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
