using Grpc.AspNetCore.HealthChecks;
using Microsoft.AspNetCore.Routing.Template;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Platform.ServiceDefaults;
using Yarp.ReverseProxy;

namespace Wsis.Gateway.Edge;

/// <summary>
/// The gateway's <c>grpc.health.v1</c> answer for each public gRPC service ("teams.v1.Teams", …):
/// SERVING while the cluster its gRPC route leads to has a healthy destination. The whole server
/// ("") follows every check, readiness included. A module the same process hosts (the embedded
/// host) maps its own service names afterwards, and its mapping wins.
/// </summary>
public static class RouteHealth
{
    public static IReadOnlyList<Google.Protobuf.Reflection.ServiceDescriptor> PublicServices { get; } =
    [
        .. Wsis.Teams.V1.TeamsReflection.Descriptor.Services,
        .. Wsis.Consultations.V1.ConsultationsReflection.Descriptor.Services,
        .. Wsis.Reporting.V1.ReportingReflection.Descriptor.Services,
    ];

    /// <summary>
    /// Answers for the services a gRPC route of the configuration at start leads to (the embedded host
    /// has none: it serves the services itself, and they answer for their own names).
    /// </summary>
    public static void AddRouteHealth(this IServiceCollection services, IConfiguration configuration)
    {
        var templates = configuration.GetSection("ReverseProxy:Routes").GetChildren().Select(r => r["Match:Path"]).ToList();
        foreach (var service in PublicServices.Where(s => templates.Any(t => Matches(t, $"/{s.FullName}/{s.Methods[0].Name}"))))
        {
            var name = service.FullName;
            var probe = $"/{name}/{service.Methods[0].Name}";
            var check = "route:" + name;
            services.AddHealthChecks().Add(new HealthCheckRegistration(
                check, sp => new RouteHealthCheck(sp.GetRequiredService<IProxyStateLookup>(), probe),
                HealthStatus.Unhealthy, [GrpcDefaults.ServiceOnlyTag]));
            services.Configure<GrpcHealthChecksOptions>(o => o.Services.Map(name, c => c.Name == check || c.Name == GrpcDefaults.LifecycleCheck));
        }
    }

    private sealed class RouteHealthCheck(IProxyStateLookup proxy, string probePath) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var route = proxy.GetRoutes().Where(r => r.Cluster is not null && Matches(r.Config.Match.Path, probePath))
                .OrderBy(r => r.Config.Order ?? 0).FirstOrDefault();
            return Task.FromResult(route is null ? HealthCheckResult.Unhealthy("no route")
                : ClusterReadiness.HasUsableDestination(route.Cluster!) ? HealthCheckResult.Healthy()
                : HealthCheckResult.Unhealthy("no healthy destination"));
        }

    }

    private static bool Matches(string? template, string path) =>
        template is not null && new TemplateMatcher(TemplateParser.Parse(template), new RouteValueDictionary()).TryMatch(path, new RouteValueDictionary());
}
