using Grpc.AspNetCore.HealthChecks;
using Grpc.AspNetCore.Server;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;

namespace Platform.ServiceDefaults;

/// <summary>
/// gRPC hosting every deployable shares, on grpc-dotnet: one error interceptor for all services,
/// <c>grpc.health.v1</c> (the whole server and each service by name), server reflection, so
/// partners can explore with standard tools (<c>grpcurl</c>, <c>grpcui</c>, Postman), and JSON for
/// every method through the official JSON transcoding, on the routes the <c>.proto</c> files declare
/// (<c>google.api.http</c>), with <see cref="TranscodedJson"/> at its door.
/// </summary>
public static class GrpcDefaults
{
    /// <summary>The health check that says whether the host is between start and stop.</summary>
    public const string LifecycleCheck = "lifecycle";

    /// <summary>
    /// Tag of a health check that speaks for one gRPC service name only (the gateway's view of a
    /// route): neither <c>/readyz</c> nor the whole server's status (<c>""</c>) counts it.
    /// </summary>
    public const string ServiceOnlyTag = "grpc-service-only";

    /// <summary>The most a compressed request may inflate to (<c>Grpc:MaxInflatedRequestBytes</c>): gRPC's usual 4 MiB message limit.</summary>
    public const int DefaultMaxInflatedRequestBytes = 4 * 1024 * 1024;

    /// <summary>
    /// <c>AddGrpc</c> with <see cref="ErrorMappingInterceptor"/>, health, reflection and JSON transcoding.
    /// Safe to call more than once (the embedded host composes several modules that each call it).
    /// Transcoding binds its own HTTP routes through its own method provider, beside
    /// <see cref="GuardedRequestParsing"/>'s gRPC routes: each method gets one gRPC route and one JSON route.
    /// </summary>
    public static IGrpcServerBuilder AddGrpcDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        var grpc = services.AddGrpc();
        GuardedRequestParsing.Use(services);
        if (services.Any(s => s.ServiceType == typeof(GrpcDefaultsMarker)))
        {
            return grpc;
        }

        services.AddSingleton<GrpcDefaultsMarker>();
        services.Configure<GrpcServiceOptions>(o =>
        {
            o.Interceptors.Add<ErrorMappingInterceptor>();
            // Handler exceptions never reach a caller as text: the interceptor decides what is said.
            o.EnableDetailedErrors = false;
        });
        var maxInflated = builder.Configuration.GetValue("Grpc:MaxInflatedRequestBytes", DefaultMaxInflatedRequestBytes);
        services.PostConfigure<GrpcServiceOptions>(o =>
        {
            for (var i = 0; i < o.CompressionProviders.Count; i++)
            {
                if (o.CompressionProviders[i] is not BoundedDecompression)
                {
                    o.CompressionProviders[i] = new BoundedDecompression(o.CompressionProviders[i], maxInflated);
                }
            }
        });
        grpc.AddJsonTranscoding();
        services.AddGrpcReflection();
        services.AddGrpcHealthChecks(o => o.Services.Map("", c => !c.Tags.Contains(ServiceOnlyTag)))
            .AddCheck<HostLifecycleHealthCheck>(LifecycleCheck, HealthStatus.Unhealthy, [LifecycleCheck]);
        return grpc;
    }

    /// <summary>
    /// Answers <c>grpc.health.v1</c> for these service names with the host's lifecycle and the health
    /// checks carrying <paramref name="tags"/> (the service's database, the broker).
    /// </summary>
    public static TBuilder AddGrpcServiceHealth<TBuilder>(this TBuilder builder, IEnumerable<string> serviceNames, params string[] tags)
        where TBuilder : IHostApplicationBuilder
    {
        var names = serviceNames.ToList();
        builder.Services.Configure<GrpcHealthChecksOptions>(o =>
        {
            foreach (var name in names)
            {
                o.Services.Map(name, c => c.Name == LifecycleCheck || c.Tags.Any(tags.Contains));
            }
        });
        return builder;
    }

    /// <summary><c>grpc.health.v1</c> and reflection; once per application.</summary>
    public static IEndpointRouteBuilder MapGrpcDefaults(this IEndpointRouteBuilder endpoints)
    {
        if (endpoints is IApplicationBuilder app)
        {
            app.Use(LiftBodyLimitForGrpc);
            app.Use(TranscodedJson.HandleAsync);
        }

        endpoints.MapGrpcHealthChecksService().AllowAnonymous();
        endpoints.MapGrpcReflectionService().AllowAnonymous();
        return endpoints;
    }

    /// <summary>
    /// grpc-dotnet lifts Kestrel's request-body limit (30 MB by default) for streaming methods only;
    /// for a unary call it would end the call with UNKNOWN when a body passed it. The one limit of a
    /// gRPC call is the message size the service sets (<c>MaxReceiveMessageSize</c>, RESOURCE_EXHAUSTED
    /// naming it), checked from the message's length prefix before the message is read. A JSON call of
    /// the same method keeps Kestrel's limit: the transcoder reads the whole body with no limit of its own.
    /// </summary>
    private static Task LiftBodyLimitForGrpc(HttpContext context, RequestDelegate next)
    {
        if (context.GetEndpoint()?.Metadata is { } metadata
            && metadata.GetMetadata<GrpcMethodMetadata>() is not null
            && metadata.GetMetadata<Microsoft.AspNetCore.Grpc.JsonTranscoding.GrpcJsonTranscodingMetadata>() is null
            && context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = null;
        }

        return next(context);
    }

    private sealed class GrpcDefaultsMarker;
}

/// <summary>
/// Unhealthy until the host has started and again from the moment it begins stopping, so the whole
/// server reads SERVING only while it really serves, and a load balancer stops sending calls to an
/// instance on its way down.
/// </summary>
internal sealed class HostLifecycleHealthCheck(IHostApplicationLifetime lifetime) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default) =>
        Task.FromResult(
            lifetime.ApplicationStopping.IsCancellationRequested ? HealthCheckResult.Unhealthy("stopping")
            : !lifetime.ApplicationStarted.IsCancellationRequested ? HealthCheckResult.Unhealthy("starting")
            : HealthCheckResult.Healthy());
}
