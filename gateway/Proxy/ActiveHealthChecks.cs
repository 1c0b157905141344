using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Wsis.Gateway.Proxy;

/// <summary>Probes every destination of clusters with <c>HealthCheck:Active:Enabled</c> over
/// <c>grpc.health.v1.Health/Check</c> (the gRPC layer's client, on the forwarder's connections), on each cluster's own interval. Policy ConsecutiveFailures
/// (as YARP's): unhealthy after <c>ConsecutiveFailuresHealthPolicy.Threshold</c> failed probes in a
/// row (default 2), healthy again at the first success.</summary>
public sealed partial class ActiveHealthChecks(
    ProxyConfiguration configuration, ForwarderHttpClient client, TimeProvider time, ILogger<ActiveHealthChecks> logger) : BackgroundService
{
    private readonly ConcurrentDictionary<string, GrpcChannel> _channels = new(StringComparer.Ordinal);
    private static readonly TimeSpan Tick = TimeSpan.FromMilliseconds(100);

    private readonly Dictionary<string, DateTimeOffset> _nextProbe = new(StringComparer.OrdinalIgnoreCase);
    private readonly HashSet<DestinationState> _probing = [];

    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        using var timer = new PeriodicTimer(Tick, time);
        do
        {
            var now = time.GetUtcNow();
            foreach (var cluster in configuration.Current.Clusters.Values)
            {
                if (!cluster.ActiveChecksEnabled)
                {
                    continue;
                }
                var interval = cluster.ActiveHealthCheck!.Interval ?? TimeSpan.FromSeconds(15);
                if (_nextProbe.TryGetValue(cluster.Name, out var next) && next > now)
                {
                    continue;
                }
                _nextProbe[cluster.Name] = now + interval;
                foreach (var destination in cluster.Destinations)
                {
                    lock (_probing)
                    {
                        if (!_probing.Add(destination))
                        {
                            continue;
                        }
                    }
                    _ = ProbeAsync(cluster, destination, stoppingToken);
                }
            }
        }
        while (await timer.WaitForNextTickAsync(stoppingToken).ConfigureAwait(false));
    }

    private async Task ProbeAsync(ClusterState cluster, DestinationState destination, CancellationToken stoppingToken)
    {
        try
        {
            var config = cluster.ActiveHealthCheck!;
            var healthy = await CheckAsync(destination.HealthAddress, config.Service ?? "", config.Timeout ?? TimeSpan.FromSeconds(5), stoppingToken);
            if (healthy)
            {
                Interlocked.Exchange(ref destination.ConsecutiveProbeFailures, 0);
                if (!destination.ActiveHealthy)
                {
                    destination.ActiveHealthy = true;
                    LogHealthy(logger, cluster.Name, destination.Name);
                }
            }
            else if (Interlocked.Increment(ref destination.ConsecutiveProbeFailures) >= cluster.ConsecutiveFailuresThreshold
                     && destination.ActiveHealthy)
            {
                destination.ActiveHealthy = false;
                LogUnhealthy(logger, cluster.Name, destination.Name, destination.ConsecutiveProbeFailures);
            }
        }
        catch (OperationCanceledException) when (stoppingToken.IsCancellationRequested)
        {
        }
        finally
        {
            lock (_probing)
            {
                _probing.Remove(destination);
            }
        }
    }

    /// <summary>True when the destination answers Check with status OK and SERVING, within the timeout.</summary>
    public async Task<bool> CheckAsync(Uri address, string service, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var channel = _channels.GetOrAdd(address.GetLeftPart(UriPartial.Path), a => GrpcChannel.ForAddress(a, new GrpcChannelOptions
        {
            HttpClient = client.Client,
            DisposeHttpClient = false,
            // One probe is one attempt: a refused connection is exactly what the probe must see.
            MaxRetryAttempts = 1,
            MaxReceiveMessageSize = 1024,
        }));
        try
        {
            var response = await new Health.HealthClient(channel).CheckAsync(new HealthCheckRequest { Service = service },
                deadline: time.GetUtcNow().UtcDateTime + timeout, cancellationToken: cancellationToken);
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving;
        }
        catch (RpcException) when (!cancellationToken.IsCancellationRequested)
        {
            return false;
        }
    }

    public override void Dispose()
    {
        foreach (var channel in _channels.Values)
        {
            channel.Dispose();
        }
        base.Dispose();
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster}: destination {Destination} is healthy again")]
    private static partial void LogHealthy(ILogger logger, string cluster, string destination);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster}: destination {Destination} marked unhealthy after {Failures} failed probes")]
    private static partial void LogUnhealthy(ILogger logger, string cluster, string destination, int failures);
}
