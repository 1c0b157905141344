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

    /// <summary>The short way for forwarded gRPC calls, placed before routing and the rest of the
    /// pipeline: a gRPC POST whose path a route matches goes straight to the forwarder after the
    /// token check (<see cref="Edge.BearerTokenGate"/>), with no endpoint routing, authentication
    /// middleware or rate-limiter lookup per call. Everything else goes on down the pipeline, and so
    /// do the submission paths (they need the rate limiter) and gRPC services this process serves
    /// itself (the embedded host), exactly as through <see cref="UseReverseProxy"/>.</summary>
    public static IApplicationBuilder UseGrpcForwarding(this IApplicationBuilder app)
    {
        var services = app.ApplicationServices;
        var proxy = services.GetRequiredService<ProxyConfiguration>();
        var forwarder = services.GetRequiredService<RequestForwarder>();
        var submissions = services.GetRequiredService<Edge.SubmissionPaths>();
        var endpoints = services.GetRequiredService<EndpointDataSource>();
        HashSet<string>? local = null;
        return app.Use((context, next) =>
        {
            var request = context.Request;
            if (!HttpMethods.IsPost(request.Method) || !GrpcProtocol.IsGrpcRequest(request))
            {
                return next(context);
            }
            var path = request.Path.Value ?? "/";
            var snapshot = proxy.Current;
            var route = snapshot.Match(request.Method, path);
            if (route is null || submissions.IsSubmission(path))
            {
                return next(context);
            }
            // Known once the application runs (every Map… call is done by the first request).
            local ??= LocalGrpcServices(endpoints);
            if (local.Count > 0 && path.IndexOf('/', 1) is > 1 and var end && local.Contains(path[1..end]))
            {
                return next(context);
            }
            var cluster = snapshot.Clusters[route.ClusterId];
            return request.Headers.Authorization.Count == 0
                ? forwarder.ForwardAsync(context, route, cluster)
                : ForwardWithTokenAsync(context, forwarder, route, cluster);
        });
    }

    private static async Task ForwardWithTokenAsync(HttpContext context, RequestForwarder forwarder, RouteState route, ClusterState cluster)
    {
        if (await Edge.BearerTokenGate.PassAsync(context))
        {
            await forwarder.ForwardAsync(context, route, cluster);
        }
    }

    /// <summary>gRPC services this process serves itself (the embedded host maps them beside the gateway).</summary>
    internal static HashSet<string> LocalGrpcServices(EndpointDataSource endpoints) =>
        endpoints.Endpoints
            .Select(e => e.Metadata.GetMetadata<Grpc.AspNetCore.Server.GrpcMethodMetadata>()?.Method.ServiceName)
            .OfType<string>()
            .ToHashSet(StringComparer.Ordinal);

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
