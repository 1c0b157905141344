using Grpc.HealthCheck;
using Wsis.Gateway.Json;
using Wsis.Gateway.Proxy;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Wsis.Gateway.Edge;

/// <summary>Keeps the gateway's own grpc.health.v1 answers current: each public gRPC service
/// ("teams.v1.Teams", …) is SERVING while its route's cluster has an available destination.
/// The whole server ("") follows the ASP.NET Core health checks, readiness included.</summary>
public sealed class RouteHealthPublisher(HealthServiceImpl health, ProxyConfiguration proxy, ProtoCatalog catalog, TimeProvider time)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(TimeSpan.FromSeconds(1), time);
        do
        {
            Publish();
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    public void Publish()
    {
        var snapshot = proxy.Current;
        var now = time.GetUtcNow().UtcDateTime;
        foreach (var service in catalog.Services)
        {
            var route = snapshot.Match(HttpMethods.Post, $"/{service.FullName}/{service.Methods[0].Name}");
            if (route is null)
            {
                health.ClearStatus(service.FullName);
                continue;
            }
            var available = snapshot.Clusters[route.ClusterId].AvailableDestinations(now).Count > 0;
            health.SetStatus(service.FullName, available ? ServingStatus.Serving : ServingStatus.NotServing);
        }
    }
}
