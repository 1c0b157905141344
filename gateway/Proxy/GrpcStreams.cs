using Microsoft.AspNetCore.Server.Kestrel.Core.Features;

namespace Wsis.Gateway.Proxy;

/// <summary>
/// A step of the proxy pipeline for forwarded gRPC calls: a streaming call may rest between messages
/// for as long as its client and service like, so Kestrel's minimum request-body data rate (240 B/s
/// after a 5 s grace) is lifted for it, as grpc-dotnet lifts it at the services. The body's size stays
/// bounded by <c>Kestrel:Limits:MaxRequestBodySize</c> and each message's by the service.
/// </summary>
public static class GrpcStreams
{
    public static IReverseProxyApplicationBuilder UseGrpcStreams(this IReverseProxyApplicationBuilder proxy)
    {
        proxy.Use((context, next) =>
        {
            if (GatewayAnswers.IsGrpc(context.Request) && context.Features.Get<IHttpMinRequestBodyDataRateFeature>() is { } rate)
            {
                rate.MinDataRate = null;
            }

            return next(context);
        });
        return proxy;
    }
}
