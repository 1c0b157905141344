using System.Collections.Concurrent;
using Grpc.Core;
using Grpc.Health.V1;
using Grpc.Net.Client;

namespace Wsis.Gateway.Proxy;

/// <summary>Probes every destination of clusters with <c>HealthCheck:Active:Enabled</c> over
/// <c>grpc.health.v1.Health/Check</c> (the gRPC layer's client, on the forwarder's connections), on each cluster's own interval. Policy ConsecutiveFailures
/// (as YARP's): unhealthy after <c>ConsecutiveFailuresHealthPolicy.Threshold</c> failed probes in a
/// row (default 3), healthy again at the first success. A probe that timed out or was turned away
/// for load does not count while the destination answers forwarded calls (passive evidence), so a
/// burst that slows every destination down never leaves a cluster with none.</summary>
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
            var interval = config.Interval ?? TimeSpan.FromSeconds(15);
            var timeout = config.Timeout ?? TimeSpan.FromSeconds(5);
            var outcome = await ProbeOnceAsync(destination.HealthAddress, config.Service ?? "", timeout, stoppingToken);
            if (outcome == ProbeOutcome.Serving)
            {
                Interlocked.Exchange(ref destination.ConsecutiveProbeFailures, 0);
                if (!destination.ActiveHealthy)
                {
                    destination.ActiveHealthy = true;
                    LogHealthy(logger, cluster.Name, destination.Name);
                }
                return;
            }
            // A probe that is only slow (timed out) or turned away for load is not evidence that the
            // destination is down while it keeps answering the calls forwarded to it: under a burst the
            // probe waits in the same queues as the traffic. Passive evidence wins: forwarded calls
            // answered since shortly before this probe started.
            if (outcome is ProbeOutcome.TimedOut or ProbeOutcome.Overloaded
                && destination.LastAnswered >= time.GetUtcNow().UtcDateTime - (interval + timeout + timeout))
            {
                LogProbeExcused(logger, cluster.Name, destination.Name, outcome);
                return;
            }
            var failures = Interlocked.Increment(ref destination.ConsecutiveProbeFailures);
            if (failures >= cluster.ConsecutiveFailuresThreshold && destination.ActiveHealthy)
            {
                destination.ActiveHealthy = false;
                LogUnhealthy(logger, cluster.Name, destination.Name, failures, outcome);
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

    /// <summary>What one probe found.</summary>
    public enum ProbeOutcome
    {
        /// <summary>OK and SERVING.</summary>
        Serving,

        /// <summary>The destination answered: NOT_SERVING, or an error status of its own.</summary>
        NotServing,

        /// <summary>No answer within the probe's timeout.</summary>
        TimedOut,

        /// <summary>Turned away for load (RESOURCE_EXHAUSTED, a refused stream).</summary>
        Overloaded,

        /// <summary>No connection (refused, reset, unreachable).</summary>
        Unreachable,
    }

    /// <summary>True when the destination answers Check with status OK and SERVING, within the timeout.</summary>
    public async Task<bool> CheckAsync(Uri address, string service, TimeSpan timeout, CancellationToken cancellationToken) =>
        await ProbeOnceAsync(address, service, timeout, cancellationToken) == ProbeOutcome.Serving;

    /// <summary>One grpc.health.v1 Check of the destination, classified.</summary>
    public async Task<ProbeOutcome> ProbeOnceAsync(Uri address, string service, TimeSpan timeout, CancellationToken cancellationToken)
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
            return response.Status == HealthCheckResponse.Types.ServingStatus.Serving ? ProbeOutcome.Serving : ProbeOutcome.NotServing;
        }
        catch (RpcException e) when (!cancellationToken.IsCancellationRequested)
        {
            return e.StatusCode switch
            {
                StatusCode.DeadlineExceeded => ProbeOutcome.TimedOut,
                StatusCode.ResourceExhausted => ProbeOutcome.Overloaded,
                StatusCode.Unavailable when e.Status.DebugException is { } cause && RequestForwarder.StreamResetCode(cause) == 0x7 => ProbeOutcome.Overloaded,
                StatusCode.Unavailable or StatusCode.Internal or StatusCode.Unknown when e.Status.DebugException is not null => ProbeOutcome.Unreachable,
                _ => ProbeOutcome.NotServing,
            };
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

    [LoggerMessage(Level = LogLevel.Warning, Message = "Cluster {Cluster}: destination {Destination} marked unhealthy after {Failures} failed probes (last: {Outcome})")]
    private static partial void LogUnhealthy(ILogger logger, string cluster, string destination, int failures, ProbeOutcome outcome);

    [LoggerMessage(Level = LogLevel.Information, Message = "Cluster {Cluster}: probe of destination {Destination} {Outcome}, not counted: it answered forwarded calls just now")]
    private static partial void LogProbeExcused(ILogger logger, string cluster, string destination, ProbeOutcome outcome);
}
