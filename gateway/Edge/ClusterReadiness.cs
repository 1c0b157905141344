using Microsoft.Extensions.Diagnostics.HealthChecks;
using Yarp.ReverseProxy;
using Yarp.ReverseProxy.Model;

namespace Wsis.Gateway.Edge;

/// <summary>Readiness (<c>/readyz</c>): every configured cluster has a destination that the health
/// checks have not found unhealthy (YARP's view, active and passive).</summary>
public sealed class ClusterReadiness(IProxyStateLookup proxy) : IHealthCheck
{
    public Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        var empty = proxy.GetClusters().Where(c => !HasUsableDestination(c)).Select(c => c.ClusterId).Order().ToList();
        return Task.FromResult(empty.Count == 0
            ? HealthCheckResult.Healthy("every cluster has a healthy destination")
            : HealthCheckResult.Unhealthy("no healthy destination in: " + string.Join(", ", empty)));
    }

    /// <summary>
    /// A destination neither active nor passive checks found unhealthy. (A cluster's available
    /// destinations are not the test: with the HealthyOrPanic policy a cluster whose destinations are
    /// all unhealthy still offers them all.)
    /// </summary>
    public static bool HasUsableDestination(ClusterState cluster) =>
        cluster.DestinationsState.AllDestinations.Any(d =>
            d.Health.Active != DestinationHealth.Unhealthy && d.Health.Passive != DestinationHealth.Unhealthy);
}
