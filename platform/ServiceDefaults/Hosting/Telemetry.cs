using System.Diagnostics;
using System.Reflection;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace Platform.ServiceDefaults;

/// <summary>
/// OpenTelemetry traces and metrics of a host, exported by OTLP. <see cref="ServiceDefaultsExtensions.AddServiceDefaults{TBuilder}"/>
/// turns them on only when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set: without it no tracer or
/// meter provider exists, so no activity is sampled and no measurement is aggregated beyond what
/// .NET does anyway, and the outbox keeps no trace context (it records one only while someone
/// listens to <c>Platform.Messaging</c>).
/// </summary>
/// <remarks>
/// Traces: ASP.NET Core (HTTP and gRPC server calls), gRPC client, HttpClient, EF Core commands,
/// MassTransit's <c>MassTransit</c> source and the project's own sources (<c>Platform.*</c>, such
/// as the outbox's publish and the inbox's handling, and <c>Wsis.*</c>). Metrics: ASP.NET Core and
/// Kestrel, HttpClient, the runtime, MassTransit and the project's own meters (<c>Platform.*</c>,
/// <c>Wsis.*</c>). The OTLP exporter reads the standard variables (<c>OTEL_EXPORTER_OTLP_PROTOCOL</c>,
/// <c>_HEADERS</c>, <c>_TIMEOUT</c>), the SDK reads <c>OTEL_TRACES_SAMPLER</c>, <c>OTEL_RESOURCE_ATTRIBUTES</c>
/// and <c>OTEL_SDK_DISABLED</c>.
/// </remarks>
public static class Telemetry
{
    /// <summary>Where OTLP goes; nothing is exported, or even collected, without it.</summary>
    public const string OtlpEndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    /// <summary>The service name on every span and metric; the application's name when not set.</summary>
    public const string ServiceNameKey = "OTEL_SERVICE_NAME";

    /// <summary>The project's own activity sources and meters (the messaging platform's among them) and MassTransit's.</summary>
    private static readonly string[] Sources = ["Platform.*", "Wsis.*", "MassTransit"];

    /// <summary>Probes that arrive every few seconds and would drown the traces worth reading.</summary>
    private static readonly string[] ProbePaths = ["/healthz", "/readyz", "/grpc.health.v1.Health/"];

    /// <summary>True when an OTLP endpoint is configured (environment variable or any other configuration source).</summary>
    public static bool IsExportConfigured(IConfiguration configuration) =>
        !string.IsNullOrWhiteSpace(configuration[OtlpEndpointKey]);

    /// <summary>Traces and metrics exported by OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set; nothing otherwise.</summary>
    public static TBuilder AddTelemetryDefaults<TBuilder>(this TBuilder builder)
        where TBuilder : IHostApplicationBuilder =>
        IsExportConfigured(builder.Configuration)
            ? builder.AddTelemetry(traces => traces.AddOtlpExporter(), metrics => metrics.AddOtlpExporter())
            : builder;

    /// <summary>
    /// The host's traces and metrics with the given exporters (OTLP in production; a test passes the
    /// in-memory exporter). The first call wins: a later one, e.g. <see cref="AddTelemetryDefaults{TBuilder}"/>
    /// from <c>AddServiceDefaults</c>, does nothing.
    /// </summary>
    public static TBuilder AddTelemetry<TBuilder>(this TBuilder builder, Action<TracerProviderBuilder> exportTraces, Action<MeterProviderBuilder> exportMetrics)
        where TBuilder : IHostApplicationBuilder
    {
        var services = builder.Services;
        if (services.Any(s => s.ServiceType == typeof(TelemetryMarker)))
        {
            return builder;
        }

        services.AddSingleton<TelemetryMarker>();
        var serviceName = builder.Configuration[ServiceNameKey] is { Length: > 0 } configured ? configured : builder.Environment.ApplicationName;
        var version = Assembly.GetEntryAssembly()?.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion;
        services.AddOpenTelemetry()
            .ConfigureResource(resource => resource
                .AddService(serviceName, serviceVersion: version)
                .AddAttributes([new("deployment.environment.name", builder.Environment.EnvironmentName)]))
            .WithTracing(tracing =>
            {
                tracing
                    .AddSource(Sources)
                    .AddAspNetCoreInstrumentation(o => o.Filter = context => !IsProbe(context.Request.Path))
                    // One span per gRPC call; the HttpClient span under it would say nothing more.
                    .AddGrpcClientInstrumentation(o => o.SuppressDownstreamInstrumentation = true)
                    .AddHttpClientInstrumentation(o => o.FilterHttpRequestMessage = request => !IsProbe(request.RequestUri?.AbsolutePath))
                    // A command outside any trace (the outbox's poll every second, pruning, the
                    // deadline checks) would be a trace of one span each: not recorded.
                    .AddEntityFrameworkCoreInstrumentation(o => o.Filter = (_, _) => ContinuesATrace());
                exportTraces(tracing);
            })
            .WithMetrics(metrics =>
            {
                metrics
                    .AddMeter(Sources)
                    .AddAspNetCoreInstrumentation()
                    .AddHttpClientInstrumentation()
                    .AddRuntimeInstrumentation();
                exportMetrics(metrics);
            });
        return builder;
    }

    private static bool IsProbe(PathString path) => IsProbe(path.Value);

    private static bool IsProbe(string? path) =>
        path is not null && Array.Exists(ProbePaths, p => path.StartsWith(p, StringComparison.Ordinal));

    /// <summary>EF Core's filter runs with its command's activity current: recorded only when that activity has a parent.</summary>
    private static bool ContinuesATrace() => Activity.Current is { } command && command.ParentSpanId != default;

    private sealed class TelemetryMarker;
}
