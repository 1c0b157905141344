using Grpc.AspNetCore.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Platform.ServiceDefaults;
using Wsis.Gateway.Json;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Edge;

/// <summary>
/// The gateway's <c>grpc.health.v1</c> answer for each public gRPC service ("teams.v1.Teams", …):
/// SERVING while the cluster its route leads to has an available destination. The whole server
/// ("") follows every check, readiness included. A module the same process hosts (the embedded
/// host) maps its own service names afterwards, and its mapping wins.
/// </summary>
public static class RouteHealth
{
    public static void AddRouteHealth(this IServiceCollection services)
    {
        foreach (var service in new ProtoCatalog().Services)
        {
            var name = service.FullName;
            var probe = $"/{name}/{service.Methods[0].Name}";
            var check = "route:" + name;
            services.AddHealthChecks().Add(new HealthCheckRegistration(
                check, sp => new RouteHealthCheck(sp.GetRequiredService<ProxyConfiguration>(), sp.GetRequiredService<TimeProvider>(), probe),
                HealthStatus.Unhealthy, [GrpcDefaults.ServiceOnlyTag]));
            services.Configure<GrpcHealthChecksOptions>(o => o.Services.Map(name, c => c.Name == check || c.Name == GrpcDefaults.LifecycleCheck));
        }
    }

    private sealed class RouteHealthCheck(ProxyConfiguration proxy, TimeProvider time, string probePath) : IHealthCheck
    {
        public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
        {
            var snapshot = proxy.Current;
            var route = snapshot.Match(HttpMethods.Post, probePath);
            if (route is null)
            {
                return Task.FromResult(HealthCheckResult.Unhealthy("no route"));
            }

            var available = snapshot.Clusters[route.ClusterId].AvailableDestinations(time.GetUtcNow().UtcDateTime).Count > 0;
            return Task.FromResult(available ? HealthCheckResult.Healthy() : HealthCheckResult.Unhealthy("no available destination"));
        }
    }
}
