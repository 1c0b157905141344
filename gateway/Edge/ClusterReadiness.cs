using Microsoft.Extensions.Diagnostics.HealthChecks;
using Wsis.Gateway.Proxy;

namespace Wsis.Gateway.Edge;

/// <summary>Readiness (<c>/readyz</c>): every configured cluster has at least one destination the
/// health checks consider available.</summary>
public sealed class ClusterReadiness(ProxyConfiguration proxy, TimeProvider time) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var now = time.GetUtcNow().UtcDateTime;
        var empty = proxy.Current.Clusters.Values.Where(c => c.AvailableDestinations(now).Count == 0).Select(c => c.Name).Order().ToList();
        return Task.FromResult(empty.Count == 0
            ? HealthCheckResult.Healthy("every cluster has a healthy destination")
            : HealthCheckResult.Unhealthy("no healthy destination in: " + string.Join(", ", empty)));
    }
}
