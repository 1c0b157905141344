using System.Globalization;
using Grpc.Core;
using Yarp.ReverseProxy.Transforms;
using Yarp.ReverseProxy.Transforms.Builder;

namespace Wsis.Gateway.Proxy;

/// <summary>
/// A route that leads back to a gateway (a misconfigured destination, two gateways pointing at each
/// other) would pass a call round until every connection is used. Each forwarded call carries
/// <c>x-gateway-hops</c> (a request transform adds one); at <see cref="MaxHops"/> a step of the proxy
/// pipeline ends the call with UNAVAILABLE instead of forwarding it again.
/// </summary>
public static class ForwardingLoops
{
    public const string HopsHeader = "x-gateway-hops";

    public const int MaxHops = 4;

    /// <summary>The request transform: the incoming count plus this gateway.</summary>
    public static void CountHop(TransformBuilderContext builder) =>
        builder.AddRequestTransform(transform =>
        {
            var hops = Hops(transform.HttpContext.Request) + 1;
            transform.ProxyRequest.Headers.Remove(HopsHeader);
            transform.ProxyRequest.Headers.TryAddWithoutValidation(HopsHeader, hops.ToString(CultureInfo.InvariantCulture));
            return ValueTask.CompletedTask;
        });

    /// <summary>The proxy pipeline's step that refuses a call which went round too often.</summary>
    public static IReverseProxyApplicationBuilder UseForwardingLoopGuard(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use((context, next) => Hops(context.Request) >= MaxHops
            ? GatewayAnswers.WriteAsync(context, StatusCode.Unavailable, StatusCodes.Status508LoopDetected,
                $"forwarding loop: the call passed {MaxHops} gateways; a route of cluster '{context.GetReverseProxyFeature().Cluster.Config.ClusterId}' leads back to a gateway")
            : next(context));
        return proxy;
    }

    private static int Hops(HttpRequest request) =>
        request.Headers.TryGetValue(HopsHeader, out var value) && int.TryParse(value, NumberStyles.None, CultureInfo.InvariantCulture, out var hops) ? hops : 0;
}
