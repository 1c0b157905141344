using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Platform.ServiceDefaults;

public static class ServiceDefaultsExtensions
{
    /// <summary>Tag of the health checks that say the process is alive (<c>/healthz</c>).</summary>
    public const string LivenessTag = "live";

    /// <summary>
    /// What every service host shares: one-line UTC console logs, health-check registration
    /// (a liveness check; databases add readiness checks), gRPC with its error interceptor, health
    /// and reflection (<see cref="GrpcDefaults"/>), ProblemDetails that never write a body into
    /// a gRPC response, and OpenTelemetry exported by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is
    /// set (<see cref="Telemetry"/>). Safe to call more than once.
    /// </summary>
    public static TBuilder AddServiceDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        if (services.Any(s => s.ServiceType == typeof(ServiceDefaultsMarker)))
        {
            return builder;
        }

        services.AddSingleton<ServiceDefaultsMarker>();
        builder.Logging.AddSimpleConsole(o =>
        {
            o.SingleLine = true;
            o.UseUtcTimestamp = true;
            o.TimestampFormat = "yyyy-MM-ddTHH:mm:ss.fffZ ";
        });

        services.AddHealthChecks().AddCheck("self", () => HealthCheckResult.Healthy(), [LivenessTag]);
        builder.AddGrpcDefaults();

        // The silent writer comes first, so for gRPC requests it wins over the JSON writer:
        // a gRPC client reads status from trailers and a JSON body would only confuse it.
        services.TryAddEnumerable(ServiceDescriptor.Singleton<IProblemDetailsWriter, GrpcSilentProblemDetailsWriter>());
        services.AddProblemDetails();
        builder.AddTelemetryDefaults();
        return builder;
    }

    /// <summary>
    /// Listens on <paramref name="url"/> unless <c>urls</c> (<c>--urls</c>, <c>ASPNETCORE_URLS</c>) or a
    /// <c>Kestrel:Endpoints</c> entry says otherwise. (An endpoint written in appsettings.json would
    /// silently win over <c>--urls</c>, which tests and the cluster script rely on.)
    /// </summary>
    public static WebApplicationBuilder ListenByDefaultOn(this WebApplicationBuilder builder, string url)
    {
        if (string.IsNullOrEmpty(builder.Configuration["urls"]) && !builder.Configuration.GetSection("Kestrel:Endpoints").GetChildren().Any())
        {
            builder.WebHost.UseUrls(url);
        }

        return builder;
    }

    /// <summary>
    /// <c>/healthz</c> (liveness: the process answers) and <c>/readyz</c> (readiness: every
    /// registered check, e.g. the database), both anonymous; <c>grpc.health.v1</c> and gRPC
    /// reflection; and <c>POST /dev/token</c> when
    /// development tokens are enabled. Safe to call more than once: the embedded host maps the
    /// gateway and every service module in one application, and a second <c>/healthz</c> would make
    /// the route ambiguous.
    /// </summary>
    public static TApp MapServiceDefaults<TApp>(this TApp app)
        where TApp : IEndpointRouteBuilder
    {
        if (!MappedApplications.TryAdd(app.ServiceProvider, new object()))
        {
            return app;
        }

        app.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(LivenessTag) })
            .AllowAnonymous();
        app.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => !c.Tags.Contains(GrpcDefaults.ServiceOnlyTag) })
            .AllowAnonymous();
        app.MapGrpcDefaults();
        app.MapDevelopmentTokens();
        return app;
    }

    private static readonly System.Runtime.CompilerServices.ConditionalWeakTable<IServiceProvider, object> MappedApplications = new();

    private sealed class ServiceDefaultsMarker;
}

/// <summary>Claims every gRPC request and writes nothing, so no ProblemDetails body reaches a gRPC client.</summary>
internal sealed class GrpcSilentProblemDetailsWriter : IProblemDetailsWriter
{
    public bool CanWrite(ProblemDetailsContext context) =>
        context.HttpContext.Request.ContentType?.StartsWith("application/grpc", StringComparison.OrdinalIgnoreCase) == true;

    public ValueTask WriteAsync(ProblemDetailsContext context) => ValueTask.CompletedTask;
}
