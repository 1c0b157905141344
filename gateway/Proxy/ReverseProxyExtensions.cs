namespace Wsis.Gateway.Proxy;

public static class ReverseProxyExtensions
{
    /// <summary>Registers the forwarder, bound to the "ReverseProxy" section (reloaded on change).</summary>
    public static IServiceCollection AddReverseProxy(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<ReverseProxyOptions>().Bind(configuration.GetSection(ReverseProxyOptions.SectionName));
        services.AddOptions<ForwarderOptions>().Bind(configuration.GetSection(ForwarderOptions.SectionName));
        services.AddSingleton(TimeProvider.System);
        services.AddSingleton<ProxyConfiguration>();
        services.AddSingleton<ForwarderHttpClient>();
        services.AddSingleton<RequestForwarder>();
        services.AddSingleton<ActiveHealthChecks>();
        services.AddHostedService(sp => sp.GetRequiredService<ActiveHealthChecks>());
        return services;
    }

    /// <summary>Forwards every request that matches a configured route; others go on down the pipeline.
    /// A gRPC method that this process serves itself (the embedded host maps the services beside the
    /// gateway) is never forwarded, so a route pointing back at this process cannot loop.</summary>
    public static IApplicationBuilder UseReverseProxy(this IApplicationBuilder app) =>
        app.Use((context, next) =>
        {
            if (context.GetEndpoint()?.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>() is not null)
            {
                return next(context);
            }
            var snapshot = context.RequestServices.GetRequiredService<ProxyConfiguration>().Current;
            var route = snapshot.Match(context.Request);
            if (route is null)
            {
                // A gRPC call nobody serves gets the status a gRPC server would give, not a bare 404.
                return context.GetEndpoint() is null && GrpcProtocol.IsGrpcRequest(context.Request)
                    ? GrpcProtocol.WriteTrailersOnlyAsync(context.Response, GrpcProtocol.Unimplemented,
                        $"no route for '{context.Request.Path}'")
                    : next(context);
            }
            return context.RequestServices.GetRequiredService<RequestForwarder>()
                .ForwardAsync(context, route, snapshot.Clusters[route.ClusterId]);
        });
}
