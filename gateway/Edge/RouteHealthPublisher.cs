using Grpc.HealthCheck;
using Wsis.Gateway.Json;
using Wsis.Gateway.Proxy;
using ServingStatus = Grpc.Health.V1.HealthCheckResponse.Types.ServingStatus;

namespace Wsis.Gateway.Edge;

/// <summary>Keeps the gateway's own grpc.health.v1 answers current: each public gRPC service
/// ("teams.v1.Teams", …) is SERVING while its route's cluster has an available destination.
/// The whole server ("") follows the ASP.NET Core health checks, readiness included.</summary>
/// <remarks>It starts publishing once the application has started: hosted services start before
/// the web server, whose start builds the request pipeline and adds the endpoint sources; reading
/// the endpoints while they were added failed now and then with "Collection was modified" and, as
/// a background service's failure, stopped the gateway during its start.</remarks>
public sealed class RouteHealthPublisher(
    HealthServiceImpl health, ProxyConfiguration proxy, ProtoCatalog catalog, EndpointDataSource endpoints, TimeProvider time,
    IHostApplicationLifetime lifetime)
    : BackgroundService
{
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        using (lifetime.ApplicationStarted.Register(() => started.TrySetResult()))
        using (stoppingToken.Register(() => started.TrySetCanceled(stoppingToken)))
        {
            try
            {
                await started.Task.ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                return;
            }
        }

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
        // A service this process serves itself (the embedded host) reports its own health.
        var local = ReverseProxyExtensions.LocalGrpcServices(endpoints);
        foreach (var service in catalog.Services)
        {
            if (local.Contains(service.FullName))
            {
                continue;
            }
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
